"""`grader new`: an exercise written from scratch. Its worked case is drawn (drawing.py), its
printed values are a hand calculation, the file is written with comments (writing.py) beside a
model solution (model_code.py), and compose.py checks the result the way `grader validate` does."""
