"""A spreadsheet-ready gradebook: one row per student and exercise, a column per quantity.

The columns: student, exercise, score, max_score, status, outcome, then one per graded
quantity, headed by its name (`dL/dW1`) and holding its points; a cell is empty where that
row's exercise has no such quantity or nothing was graded. A class graded on personal variants
gets two more at the end, `variant` and `fits_variant_of`. Rows are written at `close`, once
every quantity is known.
"""

from __future__ import annotations

import csv

from grader.report.base import CollectingReporter
from grader.report.safe import spreadsheet_cell
from grader.result import CheckResult

COLUMNS = ["student", "exercise", "score", "max_score", "status", "outcome"]
# A class graded on personal variants ([variants]): whose numbers each row was graded on, and
# the classmate whose numbers its answers fit better (grader/batch/integrity.py), if any.
VARIANT_COLUMNS = ["variant", "fits_variant_of"]


def _variant_cells(result: CheckResult) -> list[str]:
    return [spreadsheet_cell(result.variant), spreadsheet_cell(result.fits_variant_of)]


def quantity_columns(results: list[CheckResult]) -> list[str]:
    """Every quantity's name, in the order first graded."""
    return list(dict.fromkeys(c.name for r in results for c in r.checks))


class CsvReporter(CollectingReporter):
    filename = "gradebook.csv"

    def close(self) -> None:
        quantities = quantity_columns(self.results)
        personal = any(r.variant for r in self.results)
        writer = csv.writer(self.stream, lineterminator="\n")
        extra = VARIANT_COLUMNS if personal else []
        writer.writerow(COLUMNS + [spreadsheet_cell(q) for q in quantities] + extra)
        for result in self.results:
            points = {c.name: f"{c.score:g}" for c in result.checks}
            writer.writerow(
                [
                    spreadsheet_cell(result.student or result.submission),
                    spreadsheet_cell(result.exercise),
                    f"{result.score:g}",
                    f"{result.max_score:g}",
                    result.status,
                    result.outcome,
                    *(points.get(q, "") for q in quantities),
                    *(_variant_cells(result) if personal else []),
                ]
            )
        self.stream.flush()


reporter = CsvReporter
