"""A spreadsheet-ready gradebook: one row per student and exercise."""

from __future__ import annotations

import csv
from typing import IO

from grader.report.safe import spreadsheet_cell
from grader.result import CheckResult

COLUMNS = ["student", "exercise", "score", "max_score", "status", "outcome"]


class CsvReporter:
    filename = "gradebook.csv"

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(COLUMNS)

    def add(self, result: CheckResult) -> None:
        self.writer.writerow(
            [
                spreadsheet_cell(result.student or result.submission),
                spreadsheet_cell(result.exercise),
                f"{result.score:g}",
                f"{result.max_score:g}",
                result.status,
                result.outcome,
            ]
        )

    def close(self) -> None:
        self.stream.flush()


reporter = CsvReporter
