"""backprop-grader: grade hand-written backpropagation against an exact reference."""

from __future__ import annotations

from importlib import metadata

try:
    # One source of the version: the installed distribution's metadata (pyproject.toml).
    __version__ = metadata.version("backprop-grader")
except metadata.PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"
