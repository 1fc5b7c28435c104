"""What happened to one submission's run, before any scoring."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class RunStatus(str, Enum):
    """How a run ended. A str: `status == "timeout"` holds, and reports print the value."""

    OK = "ok"
    IMPORT_ERROR = "import-error"
    MISSING_FUNCTION = "missing-function"
    FORBIDDEN_IMPORT = "forbidden-import"
    TIMEOUT = "timeout"  # any time limit, wall clock or CPU: the same words and score
    OUTPUT_LIMIT = "output-limit"
    CRASHED = "crashed"
    ANSWERS = "answers"  # not a run: a file of hand-computed answers that is laid out wrong

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass(frozen=True)
class RunReport:
    """What happened to one submission, before any scoring. Built once (grader.run.outcome)."""

    status: RunStatus = RunStatus.OK
    message: str = ""
    events: dict[int, dict[str, Any]] = field(default_factory=dict)  # case number -> event
    stdout: str = ""
    stderr: str = ""
    elapsed: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", RunStatus(self.status))  # a plain string is welcome
