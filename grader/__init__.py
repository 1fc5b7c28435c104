"""backprop-grader: grade hand-written backpropagation against an exact reference."""

from __future__ import annotations

__version__: str  # read from the installed metadata when first asked for (see __getattr__)


def __getattr__(name: str) -> str:
    # One source of the version: the installed distribution's metadata (pyproject.toml), read
    # on first use. importlib.metadata costs every command ~20 ms of start-up, and `grader
    # check` starts its sandbox before it needs the version (issue 10).
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("backprop-grader")
    except metadata.PackageNotFoundError:  # a source tree on sys.path that was never installed
        version = "0+unknown"
    globals()["__version__"] = version
    return version
