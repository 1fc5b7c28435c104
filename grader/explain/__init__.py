"""Worked solutions the way the lecture writes them."""
