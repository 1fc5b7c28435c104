"""Command-line commands that live in their own modules; grader/cli.py registers them."""
