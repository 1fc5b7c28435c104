"""Step 5 of the pipeline: name the misconception behind a wrong quantity.

Each diagnosis is a plugin (entry-point group `grader.diagnoses`). For a quantity that is wrong,
every diagnosis is asked whether it explains what the submission returned on *every* case;
the first that does (by priority) is reported. A correct quantity is never diagnosed.
"""
