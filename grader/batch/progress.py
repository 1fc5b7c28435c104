"""What a person watching `grader grade` sees: a bar on a terminal, plain lines elsewhere, and
a closing summary."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from grader.report.safe import no_workflow_commands, one_line
from grader.result import CheckResult


def _shown(text: str) -> str:
    """A name from the class folder as one inert line: no terminal control, no CI command."""
    return no_workflow_commands(one_line(text))


@dataclass
class Progress:
    total: int
    stream: IO[str]
    done: int = 0
    started: float = field(default_factory=time.monotonic)

    def update(self, result: CheckResult, resumed: bool) -> None:
        self.done += 1
        if self.stream.isatty():
            width = 30
            filled = width * self.done // max(self.total, 1)
            rate = self.done / max(time.monotonic() - self.started, 1e-9)
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/"
                f"{self.total}  {rate:.1f}/s "
            )
            if self.done == self.total:
                self.stream.write("\n")
        else:
            note = " (from the gradebook)" if resumed else ""
            self.stream.write(
                f"[{self.done}/{self.total}] {_shown(result.student)} {_shown(result.exercise)}: "
                f"{result.score:g}/{result.max_score:g} {result.outcome}{note}\n"
            )
        self.stream.flush()


def summary(results: list[CheckResult], elapsed: float, resumed: int) -> str:
    graded = [r for r in results if r.status == "graded"]
    outcomes = Counter(r.outcome for r in results if r.outcome != "ok")
    lines = [
        f"{len(results)} results in {elapsed:.1f} s ({resumed} from the gradebook): "
        f"{len(graded)} graded, {sum(r.full_marks for r in graded)} with full marks, "
        f"{sum(r.status == 'missing' for r in results)} missing, "
        f"{sum(r.status == 'error' for r in results)} grader errors",
    ]
    if outcomes:
        lines.append("problems: " + ", ".join(f"{k} {n}" for k, n in sorted(outcomes.items())))
    return "\n".join(lines)
