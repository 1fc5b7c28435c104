"""Step 6 of the pipeline: reporter plugins that write results for people and machines."""
