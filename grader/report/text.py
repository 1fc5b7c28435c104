"""The human report `grader check` prints."""

from __future__ import annotations

import textwrap
from typing import IO

from grader.report.base import BaseReporter
from grader.report.safe import cut, no_workflow_commands, one_line, printable
from grader.result import CheckResult

_MARK = {"pass": "PASS", "partial": "PART", "fail": "FAIL"}
OUTPUT_LINES = 15  # the last lines of stdout and of stderr shown, each at most OUTPUT_WIDTH
OUTPUT_WIDTH = 200


def printed_lines(label: str, text: str) -> list[str]:
    """What the submission printed on one stream: a label, then its last lines, each inert."""
    lines = text.rstrip().split("\n") if text.strip() else []
    if not lines:
        return []
    shown = lines[-OUTPUT_LINES:]
    which = f"last {len(shown)} of {len(lines)} lines" if len(lines) > len(shown) else "all"
    head = f"what the submission printed on {label} ({which}):"
    # one_line: a carriage return or a separator of theirs cannot start a line of the report.
    return [head, *(f"  | {cut(one_line(line), OUTPUT_WIDTH)}" for line in shown)]


def _points(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


class TextReporter(BaseReporter):
    filename = "results.txt"

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)

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
        for note in result.notes:
            self._line(f"  note: {one_line(note)}")
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
        for label, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            lines = printed_lines(label, text)
            if lines:
                self._line()
            for line in lines:
                self._line(line)
        self._line()
        verdict = "full marks" if result.full_marks else "not full marks yet"
        self._line(f"score: {_points(result.score)} / {_points(result.max_score)} ({verdict})")

    def close(self) -> None:
        self.stream.flush()


reporter = TextReporter
