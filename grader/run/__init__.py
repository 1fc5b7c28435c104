"""Step 3 of the pipeline: run a submission in a separate process and collect plain numbers."""
