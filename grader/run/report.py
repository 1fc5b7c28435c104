"""What happened to one submission's run, before any scoring."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunReport:
    """What happened to one submission, before any scoring."""

    # ok | import-error | missing-function | forbidden-import | timeout | output-limit | crashed
    status: str = "ok"
    message: str = ""
    events: dict[int, dict[str, Any]] = field(default_factory=dict)  # case number -> event
    stdout: str = ""
    stderr: str = ""
    elapsed: float = 0.0
