"""What the grader asks of one run: the submission's bytes, the function, its calls, the rules.

The bytes are read once by the grader (never by following a path the student controls at run
time) and are exactly what is run and what the gradebook hashes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.run.limits import Limits

# What an exercise forbids a submission to import unless it says otherwise (schema.py's
# default for [grading] forbidden_imports); the grader's own package is always forbidden.
DEFAULT_FORBIDDEN = ["torch", "jax", "tensorflow", "autograd", "keras", "mxnet"]


@dataclass(frozen=True)
class RunRequest:
    source: bytes  # the submission file's content
    function: str  # the task's function name, e.g. "backward"
    calls: list[list[Any]]  # positional arguments per case, as plain JSON values
    limits: Limits = field(default_factory=Limits)
    forbidden_imports: tuple[str, ...] = ()
    protected: tuple[str, ...] = ()  # folders the audit hook refuses (fallback only)
    # More folders a run without bubblewrap must not see (a class's submissions and output
    # folder): covered in its own mount namespace (sandbox.isolation's `hide`).
    hide: tuple[str, ...] = ()
