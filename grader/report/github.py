"""GitHub Actions: workflow-command annotations on stdout, a Markdown table in the job summary
($GITHUB_STEP_SUMMARY, or after the annotations when it is not set)."""

from __future__ import annotations

import html
import os
import re
from typing import IO

from grader.report.safe import no_workflow_commands, one_line, printable
from grader.result import CheckResult

_MARKDOWN = re.compile(r"([\\`*_\[\]|!~])")  # emphasis, code, links and images, cells


def _data(text: str) -> str:
    """Annotation data: GitHub's escaping (%, CR, LF), and no command anywhere in it."""
    text = no_workflow_commands(printable(text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _cell(text: str) -> str:
    """A Markdown table cell that is only text: no HTML, no link, no command, one line."""
    return _MARKDOWN.sub(r"\\\1", html.escape(no_workflow_commands(one_line(text))))


class GithubReporter:
    filename = None  # annotations are read from the step's standard output

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.results: list[CheckResult] = []

    def add(self, result: CheckResult) -> None:
        self.results.append(result)
        if result.full_marks and result.status == "graded":
            return
        level = "error" if result.status == "error" else "warning"
        title = (
            f"{result.student or result.submission}: {result.exercise} "
            f"{result.score:g}/{result.max_score:g}"
        )
        # One line per wrong quantity: an annotation points; the reports hold the details.
        lines = [one_line(p) for p in result.problems] + [
            f"{c.name}: {one_line(c.message.splitlines()[0])}"
            + (f" ({c.diagnosis})" if c.diagnosis else "")
            for c in result.checks
            if c.status != "pass"
        ]
        where = f"file={_property(result.submission)}," if result.submission else ""
        self.stream.write(
            f"::{level} {where}title={_property(title)}::"
            f"{_data(chr(10).join(lines) or result.outcome)}\n"
        )

    def _table(self) -> str:
        rows = ["| student | exercise | score | status |", "|---|---|---:|---|"]
        for r in self.results:
            mark = "full marks" if r.full_marks else r.outcome
            rows.append(
                f"| {_cell(r.student or r.submission)} | {_cell(r.exercise)} "
                f"| {r.score:g} / {r.max_score:g} | {_cell(mark)} |"
            )
        return "## Grades\n\n" + "\n".join(rows) + "\n"

    def close(self) -> None:
        path = os.environ.get("GITHUB_STEP_SUMMARY")
        if path:
            with open(path, "a", encoding="utf-8") as summary:
                summary.write(self._table())
        else:
            self.stream.write(self._table())
        self.stream.flush()


reporter = GithubReporter
