"""Tests for grader.report.canvas: Canvas's gradebook import layout, read back with `csv`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from grader import plugins
from grader.report.canvas import CanvasReporter
from grader.report.lifecycle import drive, options
from grader.result import CheckResult

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas(results: list[CheckResult]) -> list[list[str]]:
    stream = io.StringIO()
    drive(CanvasReporter, stream, results, batch=True)
    return list(csv.reader(io.StringIO(stream.getvalue(), newline="")))


def test_it_is_a_reporter_plugin_like_the_others() -> None:
    assert plugins.get("reporters", "canvas") is CanvasReporter
    assert options(CanvasReporter, "canvas").filename == "canvas.csv"


def test_a_row_per_student_a_column_per_exercise_and_points_possible(
    class_result: Callable[..., CheckResult],
) -> None:
    rows = canvas(
        [
            class_result("full", "alice", "house-price-backprop"),
            class_result("partial", "alice", "house-price-step"),
            class_result("missing", "bob", "house-price-backprop"),
            class_result("error", "bob", "house-price-step"),
            class_result("timeout", "carol", "house-price-backprop"),
        ]
    )
    assert rows[0] == [*IDENTITY, "house-price-backprop", "house-price-step"]
    assert rows[1] == ["Points Possible", "", "", "", "", "9", "9"]
    assert rows[2:] == [
        ["alice", "", "", "alice", "", "9", "5"],
        ["bob", "", "", "bob", "", "0", ""],  # missing is 0; a grader failure is left alone
        ["carol", "", "", "carol", "", "0", ""],  # carol has no result for the second
    ]


def test_student_names_are_never_formulas(class_result: Callable[..., CheckResult]) -> None:
    rows = canvas([class_result("full", "=HYPERLINK(1)")])
    assert rows[2][0] == rows[2][3] == "'=HYPERLINK(1)"


def test_no_results_is_a_header_and_points_row() -> None:
    assert canvas([]) == [IDENTITY, ["Points Possible", "", "", "", ""]]
