"""Step 2 of the pipeline: the cases a submission is graded on."""
