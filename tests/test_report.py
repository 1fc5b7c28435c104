"""Tests for grader.report (text and json reporters) on hand-built results."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest

from grader.report.json_report import JsonReporter
from grader.report.text import TextReporter
from grader.result import Check, CheckResult, WrongEntry


def make_check(name: str = "dL/dW1", status: str = "pass", **changes: Any) -> Check:
    fields: dict[str, Any] = {
        "name": name,
        "quantity": f"gradients.{name[3:]}",
        "score": 4.0,
        "max_score": 4.0,
        "status": status,
        "message": "correct on every case",
        "cases_passed": 5,
        "cases": 5,
        "tolerance": "within one printed unit of the exact or the printed value",
    }
    if status != "pass":
        fields.update(
            score=0.0,
            cases_passed=0,
            message="worked case: dL/dw_21^1: expected -0.018290, got -0.057862",
        )
    return Check(**(fields | changes))


def make_result(**changes: Any) -> CheckResult:
    fields: dict[str, Any] = {
        "exercise": "house-price-backprop",
        "title": "Backpropagation on the house-price network",
        "submission": "student.py",
        "score": 5.0,
        "max_score": 9.0,
        "seed": 979659953,
        "hidden_cases": 4,
        "checks": [
            make_check(
                "dL/dW1",
                "fail",
                wrong=[
                    WrongEntry(
                        label="dL/dw_21^1", case="worked case", expected=-0.01829, got=-0.057862
                    ),
                ],
            ),
            make_check("dL/db1", score=2.0, max_score=2.0),
            make_check("dL/dW2", score=2.0, max_score=2.0),
            make_check("dL/db2", score=1.0, max_score=1.0),
        ],
        "grader_version": "0.1.0",
    }
    return CheckResult(**(fields | changes))


def render(reporter_class: type, *results: CheckResult) -> str:
    stream = io.StringIO()
    reporter = reporter_class(stream)
    for result in results:
        reporter.add(result)
    reporter.close()
    return stream.getvalue()


# --- json --------------------------------------------------------------------------------------


def test_json_round_trips() -> None:
    result = make_result()
    payload = json.loads(render(JsonReporter, result))
    assert CheckResult.model_validate(payload) == result
    assert {"exercise", "score", "max_score", "seed", "checks"} <= set(payload)
    for check in payload["checks"]:
        assert {"name", "score", "max_score", "status", "message"} <= set(check)


def test_json_of_several_results_is_a_list() -> None:
    first, second = make_result(submission="a.py"), make_result(submission="b.py", score=9.0)
    payload = json.loads(render(JsonReporter, first, second))
    assert list(payload) == ["results"]
    assert [CheckResult.model_validate(r) for r in payload["results"]] == [first, second]


def test_json_is_strict_json_even_when_the_submission_returned_nan() -> None:
    check = make_check(
        "dL/db1",
        "fail",
        wrong=[
            WrongEntry(label="dL/db_2^1", case="worked case", expected=0.057156, got=math.nan),
        ],
    )
    text = render(JsonReporter, make_result(checks=[check]))

    def refuse(constant: str) -> float:
        raise ValueError(f"not JSON: {constant}")

    json.loads(text, parse_constant=refuse)


# --- text --------------------------------------------------------------------------------------


def test_text_shows_a_line_per_check_and_the_score() -> None:
    lines = render(TextReporter, make_result()).splitlines()
    assert lines[0] == "house-price-backprop: Backpropagation on the house-price network"
    assert "seed 979659953" in lines[1] and "4 hidden cases" in lines[1]
    assert "  FAIL  dL/dW1  0/4" in lines
    assert "  PASS  dL/db1  2/2" in lines
    assert "  PASS  dL/db2  1/1" in lines
    assert lines[-1] == "score: 5 / 9 (not full marks yet)"


def test_text_explains_what_failed_and_not_what_passed() -> None:
    text = render(TextReporter, make_result())
    assert "        worked case: dL/dw_21^1: expected -0.018290, got -0.057862" in text
    assert "correct on every case" not in text


@pytest.mark.parametrize(
    ("score", "verdict"),
    [
        (9.0, "score: 9 / 9 (full marks)"),
        (7.4, "score: 7.40 / 9 (not full marks yet)"),
        (0.0, "score: 0 / 9 (not full marks yet)"),
    ],
    ids=["full", "fraction", "zero"],
)
def test_text_verdict(score: float, verdict: str) -> None:
    assert render(TextReporter, make_result(score=score)).splitlines()[-1] == verdict


def test_text_partial_check_and_its_diagnosis() -> None:
    check = make_check(
        "dL/dW1",
        "partial",
        score=2.4,
        cases_passed=3,
        message="hidden case 1: dL/dw_11^1: expected 0.1, got 0.3",
        diagnosis="scaled",
        explanation="Every entry is off by the same factor, 3.",
    )
    text = render(TextReporter, make_result(checks=[check], score=2.4))
    assert "  PART  dL/dW1  2.40/4" in text.splitlines()
    cause = "        likely cause (scaled): Every entry is off by the same factor, 3."
    assert cause in text.splitlines()


def test_text_shows_problems_and_what_the_submission_printed() -> None:
    result = make_result(
        problems=["did not finish within 1 s of wall-clock time"],
        stdout="epoch 1\nepoch 2\n",
        score=0.0,
    )
    lines = render(TextReporter, result).splitlines()
    assert "  problem: did not finish within 1 s of wall-clock time" in lines
    assert "what the submission printed on stdout (all):" in lines
    assert lines.index("  | epoch 1") + 1 == lines.index("  | epoch 2")


# Issue 11 changed this premise: what a submission printed is shown whatever its score (a
# student debugging with print() sees it), where it used to be shown only beside a problem.
def test_text_shows_what_was_printed_without_a_problem_too() -> None:
    result = make_result(stdout="debug print\n", stderr="a warning\n")
    lines = render(TextReporter, result).splitlines()
    assert "problem" not in "\n".join(lines)
    stdout = lines.index("what the submission printed on stdout (all):")
    assert lines[stdout + 1] == "  | debug print"
    stderr = lines.index("what the submission printed on stderr (all):")
    assert lines[stderr + 1] == "  | a warning"
    assert stdout < stderr < len(lines) - 1  # before the score line


def test_text_says_nothing_of_output_when_there_is_none() -> None:
    text = render(TextReporter, make_result(stdout="", stderr="\n"))
    assert "printed" not in text
    assert "  |" not in text


def test_text_shows_a_bounded_tail_of_long_output() -> None:
    printed = "".join(f"step {i}\n" for i in range(100)) + "x" * 300  # 101 lines
    lines = render(TextReporter, make_result(stdout=printed)).splitlines()
    start = lines.index("what the submission printed on stdout (last 15 of 101 lines):")
    shown = [line for line in lines[start + 1 :] if line.startswith("  | ")]
    assert len(shown) == 15
    assert shown[0] == "  | step 86"
    assert len(shown[-1]) <= 4 + 200 and "[cut: " in shown[-1]


def test_text_output_cannot_forge_report_lines() -> None:
    forged = "ok\rscore: 9 / 9 (full marks)\u2028  PASS  dL/dW1  4/4\x1b[2J\n"
    lines = render(TextReporter, make_result(stdout=forged)).splitlines()
    (shown,) = [line for line in lines if line.startswith("  | ")]
    assert "\\x0d" in shown and "\\u2028" in shown and "\\x1b" in shown
    assert [line for line in lines if line.startswith("score:")] == [lines[-1]]
