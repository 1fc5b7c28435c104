"""Canvas's gradebook import: `canvas.csv`, a row per student, a column per exercise.

The layout of Canvas's own gradebook export, which its import reads back: `Student`, `ID`,
`SIS User ID`, `SIS Login ID`, `Section`, then one column per assignment, and a second row
`Points Possible`. The grader knows a student only by their folder or file name: it goes in
`Student` and `SIS Login ID` (Canvas matches a row by ID, SIS User ID or SIS Login ID), so
name the submissions by login. An exercise's column is headed by its id; Canvas makes a new
assignment of a column it does not know. A result the grader failed on is left empty, so the
import leaves that grade alone; a missing submission is a 0.
"""

from __future__ import annotations

import csv
from typing import Any

from grader.report.base import BaseReporter
from grader.report.safe import spreadsheet_cell
from grader.result import CheckResult

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _score(result: CheckResult | None) -> str:
    if result is None or result.status == "error":
        return ""
    return f"{result.score:g}"


class CanvasReporter(BaseReporter):
    filename = "canvas.csv"

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.scores: dict[str, dict[str, CheckResult]] = {}  # student -> exercise -> result
        self.points: dict[str, float] = {}  # exercise -> points possible

    def add(self, result: CheckResult) -> None:
        student = result.student or result.submission
        self.scores.setdefault(student, {})[result.exercise] = result
        self.points[result.exercise] = max(self.points.get(result.exercise, 0.0), result.max_score)

    def close(self) -> None:
        writer = csv.writer(self.stream, lineterminator="\n")
        exercises = list(self.points)
        writer.writerow(IDENTITY + [spreadsheet_cell(e) for e in exercises])
        writer.writerow(
            ["Points Possible", "", "", "", ""] + [f"{self.points[e]:g}" for e in exercises]
        )
        for student, results in self.scores.items():
            name = spreadsheet_cell(student)
            writer.writerow([name, "", "", name, ""] + [_score(results.get(e)) for e in exercises])
        self.stream.flush()


reporter = CanvasReporter
