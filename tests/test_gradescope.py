"""Tests for grader.report.gradescope: results.json held against a model of Gradescope's spec.

The model follows the published autograder specification (gradescope-autograders.readthedocs.io,
"Autograder Specifications", "Output format") and forbids any key it does not list, so a typo
or an invented field fails here rather than being silently ignored by Gradescope.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from grader.report.gradescope import GradescopeReporter, results_json
from grader.result import CheckResult

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
Format = Literal["text", "html", "simple_format", "md", "ansi"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class GradescopeTest(_Spec):
    score: float | None = None  # required unless the top level has a score
    max_score: float | None = None
    status: Literal["passed", "failed"] | None = None
    name: str | None = None
    name_format: Format | None = None
    number: str | None = None
    output: str | None = None
    output_format: Format | None = None
    tags: list[str] | None = None
    visibility: Visibility | None = None
    extra_data: dict[str, Any] | None = None


class LeaderboardEntry(_Spec):
    name: str
    value: float | str
    order: Literal["asc", "desc"] | None = None


class GradescopeResults(_Spec):
    score: float | None = None
    execution_time: float | None = None  # seconds
    output: str | None = None
    output_format: Format | None = None
    test_output_format: Format | None = None
    test_name_format: Format | None = None
    visibility: Visibility | None = None
    stdout_visibility: Visibility | None = None
    extra_data: dict[str, Any] | None = None
    tests: list[GradescopeTest] | None = None
    leaderboard: list[LeaderboardEntry] | None = None

    @model_validator(mode="after")
    def _scored(self) -> GradescopeResults:
        if self.score is None and not (self.tests and all(t.score is not None for t in self.tests)):
            raise ValueError("a score is required at the top level or on every test")
        return self


def validated(payload: Any) -> GradescopeResults:
    # Through JSON text, as Gradescope reads it (no NaN, no Python-only values).
    return GradescopeResults.model_validate_json(json.dumps(payload, allow_nan=False))


KINDS = ["full", "partial", "timeout", "missing", "error"]


@pytest.mark.parametrize("kind", KINDS, ids=KINDS)
def test_every_kind_of_result_follows_the_spec(
    kind: str, class_result: Callable[..., CheckResult]
) -> None:
    result = class_result(kind)
    spec = validated(results_json(result))
    assert spec.score == result.score
    assert spec.output  # something for the student to read, whatever happened
    assert spec.visibility == "visible"
    visible = [t for t in spec.tests or [] if t.visibility != "hidden"]
    assert [t.name for t in visible] == [c.name for c in result.checks]
    assert sum(t.score or 0 for t in spec.tests or []) == pytest.approx(result.score)
    for test, check in zip(visible, result.checks, strict=True):
        assert test.max_score == check.max_score
        assert test.status == ("passed" if check.status == "pass" else "failed")


def test_a_failed_check_explains_itself(class_result: Callable[..., CheckResult]) -> None:
    spec = validated(results_json(class_result("partial")))
    failed = next(t for t in spec.tests or [] if t.name == "dL/dW2")
    assert "expected -0.018290, got 0.018290" in (failed.output or "")
    assert "Likely cause: the sign of the loss derivative is flipped" in (failed.output or "")


def test_a_missing_submission_tells_the_student_why(
    class_result: Callable[..., CheckResult],
) -> None:
    spec = validated(results_json(class_result("missing")))
    assert spec.score == 0
    assert spec.output == "alice/ is empty"


def test_a_grader_error_is_visible_but_its_details_are_not(
    class_result: Callable[..., CheckResult],
) -> None:
    spec = validated(results_json(class_result("error")))
    assert spec.score == 0
    assert "could not grade" in (spec.output or "")
    assert "RuntimeError" not in (spec.output or "")  # the traceback is the instructor's
    (hidden,) = spec.tests or []
    assert hidden.visibility == "hidden"
    assert "RuntimeError: boom" in (hidden.output or "")


def test_the_reporter_writes_one_document_per_result(
    class_result: Callable[..., CheckResult],
) -> None:
    stream = io.StringIO()
    reporter = GradescopeReporter(stream)
    reporter.add(class_result("partial"))
    reporter.close()
    spec = validated(json.loads(stream.getvalue()))
    assert spec.score == 5


def test_the_model_accepts_the_spec_example() -> None:
    # Every key the published example uses, with values of its kinds (ints where it has ints).
    validated(
        {
            "score": 44.0,
            "execution_time": 136,
            "output": "Text relevant to the entire submission",
            "output_format": "simple_format",
            "test_output_format": "text",
            "test_name_format": "text",
            "visibility": "after_due_date",
            "stdout_visibility": "visible",
            "extra_data": {},
            "tests": [
                {
                    "score": 2.0,
                    "max_score": 2.0,
                    "status": "passed",
                    "name": "Your name here",
                    "name_format": "text",
                    "number": "1.1",
                    "output": "Giant multiline string",
                    "output_format": "text",
                    "tags": ["tag1", "tag2"],
                    "visibility": "visible",
                    "extra_data": {},
                }
            ],
            "leaderboard": [
                {"name": "Accuracy", "value": 0.926},
                {"name": "Time", "value": 15.1, "order": "asc"},
                {"name": "Stars", "value": "*****"},
            ],
        }
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"score": 1, "tests": [], "feedback": "an invented key"},
        {"score": 1, "tests": [{"score": 1, "status": "ok"}]},
        {"score": 1, "visibility": "students"},
        {"tests": [{"name": "no score anywhere"}]},
    ],
    ids=["unknown-key", "bad-status", "bad-visibility", "no-score"],
)
def test_the_model_refuses_what_gradescope_does_not_define(payload: dict) -> None:
    with pytest.raises(ValidationError):
        validated(payload)


# --- `grader check --format gradescope` when grading itself fails: a real process ------------


@pytest.mark.parametrize(
    ("args", "visible"),
    [
        (["nothere.py", "--exercise", "house-price-backprop"], "nothere.py"),
        (["nothere.py", "--exercise", "no-such-exercise"], "could not grade"),
    ],
    ids=["missing-submission", "unknown-exercise"],
)
def test_check_still_writes_valid_results_json_when_grading_fails(
    args: list[str], visible: str, tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    done = run_grader("check", *args, "--format", "gradescope", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    spec = validated(json.loads(done.stdout))
    assert spec.score == 0
    assert spec.visibility == "visible"
    assert visible in (spec.output or "")
    assert done.stderr.startswith("error: ")  # and the person running it is told too


def test_check_writes_valid_results_json_for_a_graded_submission(
    tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    correct = Path(__file__).parent / "submissions" / "house-price-backprop" / "correct_loops.py"
    done = run_grader(
        "check",
        str(correct),
        "--exercise",
        "house-price-backprop",
        "--format",
        "gradescope",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    spec = validated(json.loads(done.stdout))
    assert spec.score == 9
    assert [t.status for t in spec.tests or []] == ["passed"] * 4
