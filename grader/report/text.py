"""The human report `grader check` prints."""

from __future__ import annotations

import textwrap
from typing import IO

from grader.report.safe import no_workflow_commands, one_line, printable
from grader.result import CheckResult

_MARK = {"pass": "PASS", "partial": "PART", "fail": "FAIL"}


def _points(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


class TextReporter:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def _line(self, text: str = "") -> None:
        # Submissions write messages and output too: nothing of theirs may drive the terminal,
        # or a CI log that reads workflow commands.
        self.stream.write(no_workflow_commands(printable(text)) + "\n")

    def add(self, result: CheckResult) -> None:
        self._line(f"{result.exercise}: {result.title}")
        hidden = (
            f" and {result.hidden_cases} hidden cases (seed {result.seed})"
            if result.hidden_cases
            else ""
        )
        self._line(f"submission {one_line(result.submission)}, graded on the worked case{hidden}")
        for problem in result.problems:  # one line each: a newline of theirs makes no PASS line
            self._line(f"  problem: {one_line(problem)}")
        self._line()
        width = max((len(c.name) for c in result.checks), default=0)
        previous = ""
        for check in result.checks:
            score = f"{_points(check.score)}/{_points(check.max_score)}"
            self._line(f"  {_MARK[check.status]}  {check.name:<{width}}  {score}")
            if check.status != "pass":
                same = check.message == previous
                shown = "(as above)" if same else printable(check.message)
                self._line(textwrap.indent(shown, " " * 8))
                previous = check.message
                if check.explanation:
                    cause = f"likely cause ({check.diagnosis}): {check.explanation}"
                    self._line(
                        textwrap.indent(textwrap.fill(cause, 88, break_on_hyphens=False), " " * 8)
                    )
        if result.problems and (result.stderr or result.stdout):
            self._line()
            self._line("what the submission printed (last lines):")
            printed = printable((result.stderr or result.stdout).rstrip())  # before splitting
            self._line(textwrap.indent(printed, "  | "))
        self._line()
        verdict = "full marks" if result.full_marks else "not full marks yet"
        self._line(f"score: {_points(result.score)} / {_points(result.max_score)} ({verdict})")

    def close(self) -> None:
        self.stream.flush()


reporter = TextReporter
