"""`grader grade`: a whole class, in parallel, resumable, with reports every tool reads."""
