"""Tests for grader.report.csv: the gradebook a spreadsheet opens, read back with `csv`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from grader.report.csv import CsvReporter
from grader.result import CheckResult

COLUMNS = ["student", "exercise", "score", "max_score", "status", "outcome"]


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


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("full", {"score": "9", "max_score": "9", "status": "graded", "outcome": "ok"}),
        ("partial", {"score": "5", "max_score": "9", "status": "graded", "outcome": "ok"}),
        ("timeout", {"score": "0", "max_score": "9", "status": "graded", "outcome": "timeout"}),
        ("missing", {"score": "0", "max_score": "9", "status": "missing", "outcome": "missing"}),
        ("error", {"score": "0", "max_score": "9", "status": "error", "outcome": "error"}),
    ],
    ids=["full", "partial", "timeout", "missing", "error"],
)
def test_one_row_per_result(
    kind: str, expected: dict[str, str], class_result: Callable[..., CheckResult]
) -> None:
    _, rows = rows_of([class_result(kind)])
    assert rows == [{"student": "alice", "exercise": "house-price-backprop", **expected}]


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
    assert all(list(r) == COLUMNS for r in rows)


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
