"""Tests for grader.score.scoring: validate what came back, compare, give partial credit.

No process is started: the run reports are built by hand, with the events the wire delivers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.exercise import LoadedExercise, load_exercise
from grader.plan.cases import Case, plan_cases
from grader.result import Check
from grader.run.report import RunReport
from grader.score.scoring import MAX_WRONG_LISTED, decode_all, fmt, score_quantity

Load = Callable[[str], LoadedExercise]
SEED = 1234
# The lecture's printed gradients (house-price-backprop.toml, expected.gradients).
PRINTED = {
    "W1": [[-0.028, -0.058], [-0.018, -0.038]],
    "b1": [0.088, 0.057],
    "W2": [[0.5663, 0.4961]],
    "b2": [1.17],
}


def encoded(value: Any) -> dict[str, Any]:
    array = np.asarray(value, dtype=np.float64)
    return {"shape": list(array.shape), "data": array.ravel().tolist(), "error": None}


def result_event(case: int, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": "result",
        "case": case,
        "type": "dict",
        "values": {k: encoded(v) for k, v in values.items()},
    }


def references(exercise: LoadedExercise) -> tuple[list[Case], list[dict[str, np.ndarray]]]:
    cases = plan_cases(exercise, SEED)
    return cases, [dict(exercise.task.reference(exercise.network, case)) for case in cases]


def score_all(exercise: LoadedExercise, report: RunReport) -> dict[str, Check]:
    cases, refs = references(exercise)
    got = decode_all(exercise, cases, refs, report)
    return {
        q.name: score_quantity(exercise, q, cases, refs, got[q.name]) for q in exercise.quantities
    }


def exact_report(exercise: LoadedExercise, change: Callable[[int, dict], None] | None = None):
    """A report whose every case returns the exact reference, after `change(case, values)`."""
    _, refs = references(exercise)
    events = {}
    for number, ref in enumerate(refs):
        values = {k: np.array(v) for k, v in ref.items()}
        if change:
            change(number, values)
        events[number] = result_event(number, values)
    return RunReport(events=events)


@pytest.mark.parametrize(
    "exercise_id",
    ["house-price-backprop", "house-price-step", "tanh-chain"],
    ids=["house-price-backprop", "house-price-step", "tanh-chain"],
)
def test_the_exact_reference_earns_every_point(bundled_exercise: Load, exercise_id: str) -> None:
    exercise = bundled_exercise(exercise_id)
    checks = score_all(exercise, exact_report(exercise))
    for name, check in checks.items():
        assert (check.status, check.cases_passed, check.cases) == ("pass", 5, 5), name
        assert check.score == check.max_score == exercise.rules[name].points
        assert check.message == "correct on every case"
        assert check.wrong == []
    assert sum(c.score for c in checks.values()) == exercise.max_score


def test_the_transposed_gradient_is_named_entry_by_entry(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-backprop")

    def transpose(case: int, values: dict) -> None:
        values["W1"] = values["W1"].T

    checks = score_all(exercise, exact_report(exercise, transpose))
    w1 = checks["W1"]
    assert (w1.status, w1.score, w1.cases_passed) == ("fail", 0.0, 0)
    worked = w1.message.splitlines()[0]
    assert worked.startswith("worked case: dL/dw_12^1: expected -0.057862, got -0.018290")
    assert "dL/dw_21^1: expected -0.018290, got -0.057862" in worked
    assert "dL/dw_11^1" not in worked  # the diagonal is right
    assert [c.status for c in checks.values()] == ["fail", "pass", "pass", "pass"]
    assert {(w.label, w.case) for w in w1.wrong if w.case == "worked case"} == {
        ("dL/dw_12^1", "worked case"),
        ("dL/dw_21^1", "worked case"),
    }


def test_entries_of_an_updated_parameter_are_labelled_as_such(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-step")

    def nudge(case: int, values: dict) -> None:
        values["b1"] = values["b1"] + [0.0, 0.5]

    check = score_all(exercise, exact_report(exercise, nudge))["b1"]
    assert check.name == "b1 (updated)"
    assert check.message.startswith("worked case: b_2^1 (updated): expected 0.238569, got 0.738569")


@pytest.mark.parametrize(
    ("passing", "status"),
    [(set(), "fail"), ({0}, "partial"), ({0, 2, 4}, "partial"), ({0, 1, 2, 3, 4}, "pass")],
    ids=["none", "worked-only", "three-of-five", "all"],
)
def test_partial_credit_is_points_times_cases_passed_over_cases(
    bundled_exercise: Load, passing: set[int], status: str
) -> None:
    exercise = bundled_exercise("house-price-backprop")

    def break_w1(case: int, values: dict) -> None:
        if case not in passing:
            values["W1"] = values["W1"] * 2

    checks = score_all(exercise, exact_report(exercise, break_w1))
    w1 = checks["W1"]
    assert w1.status == status
    assert w1.cases_passed == len(passing)
    assert w1.score == pytest.approx(4 * len(passing) / 5)
    assert w1.max_score == 4
    assert all(c.status == "pass" for name, c in checks.items() if name != "W1")


def test_the_documents_printed_numbers_pass_on_the_worked_case_only(
    bundled_exercise: Load,
) -> None:
    exercise = bundled_exercise("house-price-backprop")
    report = RunReport(events={n: result_event(n, PRINTED) for n in range(5)})
    checks = score_all(exercise, report)
    for check in checks.values():
        assert check.cases_passed == 1
        assert "worked case" not in check.message
        assert check.score == pytest.approx(check.max_score / 5)
    assert sum(c.score for c in checks.values()) <= exercise.max_score / 2


def test_a_printed_number_two_units_off_fails_the_worked_case(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-backprop")

    def off(case: int, values: dict) -> None:
        if case == 0:
            values["W2"] = np.array([[0.5663 - 0.0002, 0.4961]])  # band: [0.5662, 0.566725]

    check = score_all(exercise, exact_report(exercise, off))["W2"]
    assert check.cases_passed == 4
    assert check.message == "worked case: dL/dw_11^2: expected 0.566625, got 0.566100"


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (
            {
                "event": "call-error",
                "case": 0,
                "error": "ZeroDivisionError: division by zero (line 3)",
            },
            "raised ZeroDivisionError: division by zero (line 3)",
        ),
        (
            {"event": "result", "case": 0, "type": "NoneType", "values": None},
            "returned a NoneType, expected a dict with keys W1, b1, W2, b2",
        ),
        (
            {"event": "result", "case": 0, "type": "list", "values": None},
            "returned a list, expected a dict with keys W1, b1, W2, b2",
        ),
        (
            {"event": "result", "case": 0, "type": "dict", "values": {}},
            "the returned dict has no key 'W1'",
        ),
        (
            {"event": "result", "case": 0, "type": "dict", "values": {"W1": encoded([1, 2, 3, 4])}},
            "dL/dW1 has shape (4,), expected (2, 2) (the shape the exercise expects)",
        ),
        (
            {
                "event": "result",
                "case": 0,
                "type": "dict",
                "values": {
                    "W1": {"shape": None, "data": None, "error": "a str that is not numbers"}
                },
            },
            "dL/dW1 is a str that is not numbers",
        ),
        (
            {
                "event": "result",
                "case": 0,
                "type": "dict",
                "values": {"W1": {"shape": [2, 2], "data": [1.0], "error": None}},
            },
            "dL/dW1 is malformed",
        ),
    ],
    ids=["raised", "none", "list", "missing-key", "wrong-shape", "not-numbers", "malformed"],
)
def test_a_case_that_cannot_be_compared_is_a_message_not_a_crash(
    bundled_exercise: Load, bad: dict[str, Any], fragment: str
) -> None:
    exercise = bundled_exercise("house-price-backprop")
    report = exact_report(exercise)
    report.events[0] = bad
    w1 = score_all(exercise, report)["W1"]
    assert w1.message.splitlines()[0] == f"worked case: {fragment}"
    assert w1.cases_passed == 4
    assert w1.status == "partial"


@pytest.mark.parametrize(
    ("report", "fragment"),
    [
        (
            RunReport(status="timeout", message="did not finish within 1 s of wall-clock time"),
            "did not finish within 1 s of wall-clock time",
        ),
        (
            RunReport(status="import-error", message="SyntaxError: invalid syntax (line 2)"),
            "SyntaxError: invalid syntax (line 2)",
        ),
        (RunReport(), "no result for this case"),
    ],
    ids=["timeout", "import-error", "silent"],
)
def test_no_result_at_all_scores_zero_with_the_reason(
    bundled_exercise: Load, report: RunReport, fragment: str
) -> None:
    exercise = bundled_exercise("tanh-chain")
    for check in score_all(exercise, report).values():
        assert (check.status, check.score, check.cases_passed) == ("fail", 0.0, 0)
        assert check.message == f"every case: {fragment}"  # said once, not five times


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_entries_are_wrong_entries(bundled_exercise: Load, bad: float) -> None:
    exercise = bundled_exercise("house-price-backprop")

    def poison(case: int, values: dict) -> None:
        values["b1"][1] = bad

    b1 = score_all(exercise, exact_report(exercise, poison))["b1"]
    assert (b1.status, b1.score) == ("fail", 0.0)
    assert f"dL/db_2^1: expected 0.057156, got {bad}" in b1.message
    assert all(w.label == "dL/db_2^1" for w in b1.wrong)
    got = b1.wrong[0].got
    assert got is not None and (math.isnan(got) if math.isnan(bad) else got == bad)


def test_hidden_cases_show_one_wrong_entry_and_the_count(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-backprop")

    def zero(case: int, values: dict) -> None:
        values["W1"] = np.zeros((2, 2))

    lines = score_all(exercise, exact_report(exercise, zero))["W1"].message.splitlines()
    assert lines[0].count("expected") == 4 and "more" not in lines[0]
    for line in lines[1:]:
        assert line.count("expected") == 1 and line.endswith("(+3 more)")


def test_the_list_of_wrong_entries_is_capped(tmp_path: Path) -> None:
    source = Path(load_exercise("house-price-backprop").path).read_text()
    assert "hidden_cases = 4" in source
    path = tmp_path / "house-price-backprop.toml"  # the id must match the file name
    path.write_text(source.replace("hidden_cases = 4", "hidden_cases = 9"))
    exercise = load_exercise(path)
    cases = plan_cases(exercise, SEED)
    refs = [exercise.task.reference(exercise.network, case) for case in cases]
    zeros = {k: np.zeros_like(v) for k, v in refs[0].items()}
    report = RunReport(events={n: result_event(n, zeros) for n in range(len(cases))})
    w1 = score_all(exercise, report)["W1"]
    assert w1.cases == 10
    assert len(w1.wrong) == MAX_WRONG_LISTED < 4 * 10


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "nothing"),
        (0.0, "0.000000"),
        (-0.0182902, "-0.018290"),
        (1.170095, "1.170095"),
        (0.0001234567, "0.000123457"),
        (123456.0, "123456"),
        (math.nan, "nan"),
        (-math.inf, "-inf"),
    ],
    ids=["none", "zero", "lecture-size", "above-one", "small", "large", "nan", "-inf"],
)
def test_fmt(value: float | None, text: str) -> None:
    assert fmt(value) == text
