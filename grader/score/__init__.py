"""Step 4 of the pipeline: score submitted numbers against the exact reference."""
