"""Tests for grader.report.csv_report: the gradebook a spreadsheet opens, read back with `csv`.

Six fixed columns, then one per graded quantity (its points), headed by the quantity's name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from grader.report.csv_report import CsvReporter
from grader.result import CheckResult

COLUMNS = ["student", "exercise", "score", "max_score", "status", "outcome"]
QUANTITIES = ["dL/dW1", "dL/db1", "dL/dW2", "dL/db2"]


def rows_of(results: list[CheckResult]) -> tuple[list[str], list[dict[str, str]]]:
    stream = io.StringIO()
    reporter = CsvReporter(stream)
    for result in results:
        reporter.add(result)
    reporter.close()
    reader = csv.DictReader(io.StringIO(stream.getvalue(), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_the_columns_are_the_documented_ones() -> None:
    header, rows = rows_of([])
    assert header == COLUMNS
    assert rows == []


# Issue 11 added a column per quantity: the rows hold those cells too now.
@pytest.mark.parametrize(
    ("kind", "expected", "points"),
    [
        ("full", {"score": "9", "max_score": "9", "status": "graded", "outcome": "ok"}, "4 2 2 1"),
        (
            "partial",
            {"score": "5", "max_score": "9", "status": "graded", "outcome": "ok"},
            "2 2 0 1",
        ),
        (
            "timeout",
            {"score": "0", "max_score": "9", "status": "graded", "outcome": "timeout"},
            "0 0 0 0",
        ),
        (
            "missing",
            {"score": "0", "max_score": "9", "status": "missing", "outcome": "missing"},
            "",
        ),
        ("error", {"score": "0", "max_score": "9", "status": "error", "outcome": "error"}, ""),
    ],
    ids=["full", "partial", "timeout", "missing", "error"],
)
def test_one_row_per_result(
    kind: str, expected: dict[str, str], points: str, class_result: Callable[..., CheckResult]
) -> None:
    header, rows = rows_of([class_result(kind)])
    quantities = QUANTITIES if points else []
    assert header == COLUMNS + quantities
    cells = dict(zip(quantities, points.split(), strict=True))
    assert rows == [{"student": "alice", "exercise": "house-price-backprop", **expected, **cells}]


def test_a_column_per_quantity_holds_its_points(class_result: Callable[..., CheckResult]) -> None:
    header, rows = rows_of(
        [class_result("missing", "zoe"), class_result("partial", "bob"), class_result("full")]
    )
    assert header == COLUMNS + QUANTITIES
    by_student = {r["student"]: r for r in rows}
    assert [by_student["bob"][q] for q in QUANTITIES] == ["2", "2", "0", "1"]
    assert [by_student["alice"][q] for q in QUANTITIES] == ["4", "2", "2", "1"]
    assert [by_student["zoe"][q] for q in QUANTITIES] == [""] * 4  # nothing was graded
    for row in rows:  # the columns add up to the total
        assert sum(float(row[q] or 0) for q in QUANTITIES) == float(row["score"])


def test_several_exercises_share_the_quantity_columns(
    class_result: Callable[..., CheckResult],
) -> None:
    step = [_named(c, f"{c.name} (updated)") for c in class_result("full").checks]
    results = [
        class_result("full", "alice", "house-price-backprop"),
        class_result("full", "alice", "house-price-step", checks=step),
    ]
    header, rows = rows_of(results)
    assert header == COLUMNS + QUANTITIES + [f"{q} (updated)" for q in QUANTITIES]
    assert rows[0]["dL/dW1"] == "4" and rows[0]["dL/dW1 (updated)"] == ""
    assert rows[1]["dL/dW1"] == "" and rows[1]["dL/dW1 (updated)"] == "4"


def _named(check: Any, name: str) -> Any:
    return check.model_copy(update={"name": name})


def test_a_quantity_header_is_never_a_formula(class_result: Callable[..., CheckResult]) -> None:
    checks = [_named(c, "=1+1") for c in class_result("full").checks[:1]]
    header, _ = rows_of([class_result("full", checks=checks, score=4.0, max_score=4.0)])
    assert header[len(COLUMNS) :] == ["'=1+1"]


def test_fractional_scores_are_numbers(class_result: Callable[..., CheckResult]) -> None:
    _, rows = rows_of([class_result("partial", score=4.25)])
    assert float(rows[0]["score"]) == 4.25


@pytest.mark.parametrize(
    "student",
    ["o'brien, pat", 'the "best" student', "two\nlines", "semi;colon"],
    ids=["comma", "quotes", "newline", "semicolon"],
)
def test_awkward_student_names_survive_a_round_trip(
    student: str, class_result: Callable[..., CheckResult]
) -> None:
    _, rows = rows_of([class_result("full", student), class_result("missing", "zoe")])
    assert [r["student"] for r in rows] == [student, "zoe"]
    assert all(list(r)[: len(COLUMNS)] == COLUMNS for r in rows)


def test_rows_keep_the_order_results_were_added(
    class_result: Callable[..., CheckResult],
) -> None:
    results = [
        class_result("full", "carol", "house-price-step"),
        class_result("partial", "alice", "house-price-backprop"),
        class_result("missing", "bob", "house-price-step"),
    ]
    _, rows = rows_of(results)
    assert [(r["student"], r["exercise"]) for r in rows] == [
        ("carol", "house-price-step"),
        ("alice", "house-price-backprop"),
        ("bob", "house-price-step"),
    ]
