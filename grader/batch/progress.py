"""What a person watching `grader grade` sees: a bar on a terminal, plain lines elsewhere, and
a closing summary.

The bar names what is running (the submission running longest, and for how long) and redraws
itself every second, so a slow student never freezes it; its rate counts only what this run
graded, so a resumed run does not claim the gradebook's results as its own speed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from grader.batch.discover import Job
from grader.batch.signals import leave_ctrl_c_to_the_main_thread
from grader.report.safe import no_workflow_commands, one_line
from grader.result import CheckResult

ERASE_TO_END = "\x1b[K"  # what a shorter redraw leaves behind is wiped, not shown
WIDTH = 30


def _shown(text: str) -> str:
    """A name from the class folder as one inert line: no terminal control, no CI command."""
    return no_workflow_commands(one_line(text))


def _label(student: str, exercise: str) -> str:
    return f"{_shown(student)} {_shown(exercise)}"


@dataclass
class Progress:
    total: int
    stream: IO[str]
    done: int = 0
    graded_here: int = 0  # results this run computed; the gradebook's do not count for the rate
    started: float = field(default_factory=time.monotonic)
    first_start: float | None = None
    running: dict[str, float] = field(default_factory=dict)  # label -> when it started
    _lock: threading.Lock = field(default_factory=threading.Lock)
    on_terminal: bool = field(init=False)  # asked once: a stream does not become a terminal

    def __post_init__(self) -> None:
        self.on_terminal = self.stream.isatty()

    def start(self, job: Job) -> None:
        with self._lock:
            now = time.monotonic()
            self.first_start = self.first_start or now
            self.running[_label(job.student, job.exercise.id)] = now
        self.redraw()

    def update(self, result: CheckResult, resumed: bool) -> None:
        with self._lock:
            self.done += 1
            self.graded_here += not resumed
            self.running.pop(_label(result.student, result.exercise), None)
        if self.on_terminal:
            self.redraw()
            if self.done == self.total:
                self.stream.write("\n")
        else:
            note = " (from the gradebook)" if resumed else ""
            self.stream.write(
                f"[{self.done}/{self.total}] {_label(result.student, result.exercise)}: "
                f"{result.score:g}/{result.max_score:g} {result.outcome}{note}\n"
            )
        self.stream.flush()

    def line(self, now: float) -> str:
        """The bar: done/total, this run's rate, and the submission running longest."""
        filled = WIDTH * self.done // max(self.total, 1)
        text = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total}"
        if self.graded_here:
            since = self.first_start or self.started
            text += f"  {self.graded_here / max(now - since, 1e-9):.1f}/s"
        if self.running:
            label, since = min(self.running.items(), key=lambda item: item[1])
            text += f"  grading {label} ({now - since:.0f} s)"
        return text

    def redraw(self, only_while_running: bool = False) -> None:
        if not self.on_terminal:
            return
        with self._lock:
            if only_while_running and self.done >= self.total:
                return  # a tick after the last result must not draw a bar past its newline
            self.stream.write("\r" + self.line(time.monotonic()) + ERASE_TO_END)
            self.stream.flush()

    @contextlib.contextmanager
    def ticking(self, every: float = 1.0) -> Iterator[None]:
        """Redraw the bar every `every` seconds while grading (on a terminal only)."""
        stop = threading.Event()

        def tick() -> None:
            leave_ctrl_c_to_the_main_thread()
            while not stop.wait(every):
                self.redraw(only_while_running=True)

        ticker = threading.Thread(target=tick, daemon=True)
        if self.on_terminal:
            ticker.start()
        try:
            yield
        finally:
            stop.set()
            if ticker.is_alive():
                ticker.join()  # no thread may draw while the interpreter ends


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
