"""GitHub Actions: workflow-command annotations on stdout, a Markdown table in the job summary.

Levels: `::error` for a wrong quantity, a crash or a grader failure, `::warning` for a missing
submission, `::notice` for full marks with a remark. An annotation points at the student's file
and, where the run knows it (a message ending in "(line N)", a SyntaxError), the line. GitHub
shows only 10 annotations of a level per step: from the 11th on, one notice points at the job
summary ($GITHUB_STEP_SUMMARY), which lists every result. Outside GitHub Actions (no
GITHUB_STEP_SUMMARY) one line on stderr says so instead of writing the table.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from typing import Any

from grader.report.base import CollectingReporter
from grader.report.markdown import cell
from grader.report.safe import no_workflow_commands, one_line, printable
from grader.result import CheckResult

SHOWN = 10  # annotations of one level that GitHub shows per step
# One notice is kept for the pointer to the job summary, so that GitHub shows it too.
LIMIT = {"error": SHOWN, "warning": SHOWN, "notice": SHOWN - 1}
# "... (line 16)" from the child, "(submission.py, line 16)" from a SyntaxError; never a
# notebook's "(cell 4, line 2)", whose line is not a line of the file.
_LINE = re.compile(r"\(([^()]*?)\bline (\d+)\)\s*$")


def _data(text: str) -> str:
    """Annotation data: GitHub's escaping (%, CR, LF), and no command anywhere in it."""
    text = no_workflow_commands(printable(text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def level(result: CheckResult) -> str | None:
    """The annotation's level, or None for a result that needs none."""
    if result.status == "missing":
        return "warning"
    if result.status == "error" or not result.full_marks:
        return "error"
    return "notice" if result.problems else None


def line_of(result: CheckResult) -> int | None:
    """The line of the student's file the run named first, if it named one."""
    texts = [*result.problems, *(c.message for c in result.checks if c.status != "pass")]
    for text in texts:
        for row in text.splitlines():
            match = _LINE.search(row)
            if match and "cell" not in match.group(1):
                return int(match.group(2))
    return None


def _message(result: CheckResult) -> str:
    # One line per wrong quantity: an annotation points; the reports hold the details.
    lines = [one_line(p) for p in result.problems] + [
        f"{c.name}: {one_line(c.message.splitlines()[0])}"
        + (f" ({c.diagnosis})" if c.diagnosis else "")
        for c in result.checks
        if c.status != "pass"
    ]
    return "\n".join(lines) or result.outcome


def annotation(kind: str, result: CheckResult) -> str:
    title = (
        f"{result.student or result.submission}: {result.exercise} "
        f"{result.score:g}/{result.max_score:g}"
    )
    where = f"file={_property(result.submission)}," if result.submission else ""
    line = line_of(result) if result.submission else None
    where += f"line={line}," if line else ""
    return f"::{kind} {where}title={_property(title)}::{_data(_message(result))}\n"


class GithubReporter(CollectingReporter):
    filename = None  # annotations are read from the step's standard output

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.shown: Counter[str] = Counter()
        self.unshown = 0

    def add(self, result: CheckResult) -> None:
        super().add(result)
        kind = level(result)
        if kind is None:
            return
        self.shown[kind] += 1
        if self.shown[kind] > LIMIT[kind]:
            self.unshown += 1
        else:
            self.stream.write(annotation(kind, result))

    def _table(self) -> str:
        rows = ["| student | exercise | score | status |", "|---|---|---:|---|"]
        for r in self.results:
            mark = "full marks" if r.full_marks else r.outcome
            rows.append(
                f"| {cell(r.student or r.submission)} | {cell(r.exercise)} "
                f"| {r.score:g} / {r.max_score:g} | {cell(mark)} |"
            )
        return "## Grades\n\n" + "\n".join(rows) + "\n"

    def close(self) -> None:
        path = os.environ.get("GITHUB_STEP_SUMMARY")
        if self.unshown:
            where = "the job summary" if path else "the other reports"
            self.stream.write(
                f"::notice title=More results::{self.unshown} more results are not annotated "
                f"(GitHub shows {SHOWN} of each level per step): see {where}, which lists "
                "every result\n"
            )
        if path:
            with open(path, "a", encoding="utf-8") as summary:
                summary.write(self._table())
        else:
            print(
                f"github: GITHUB_STEP_SUMMARY is not set (not in GitHub Actions), so the job "
                f"summary of {len(self.results)} results was not written; in a workflow it "
                "goes to that file",
                file=sys.stderr,
            )
        self.stream.flush()


reporter = GithubReporter
