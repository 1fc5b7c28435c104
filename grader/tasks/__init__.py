"""Task plugins: what a submission computes, and the exact reference for it."""
