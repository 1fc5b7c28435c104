"""backprop-grader: grade hand-written backpropagation against an exact reference."""

from __future__ import annotations

__version__ = "0.1.0"
