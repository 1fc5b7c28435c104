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


# --- issue 11: Markdown feedback, extra_data, tags, visibility, one max_score convention -------


@pytest.mark.parametrize("kind", KINDS, ids=KINDS)
def test_feedback_is_markdown_and_extra_data_names_the_run(
    kind: str, class_result: Callable[..., CheckResult]
) -> None:
    result = class_result(kind)
    spec = validated(results_json(result))
    assert spec.output_format == "md"
    assert all(t.output_format == "md" for t in spec.tests or [])
    extra = spec.extra_data or {}
    assert extra["seed"] == result.seed
    assert extra["grader_version"] == result.grader_version
    assert extra["max_score"] == 9  # the exercise's maximum, whatever happened
    assert extra["diagnoses"] == {c.name: c.diagnosis for c in result.checks if c.diagnosis}
    if kind == "partial":
        assert extra["diagnoses"] == {"dL/dW2": "sign-flipped"}


def test_tags_name_the_table_and_the_mistake(class_result: Callable[..., CheckResult]) -> None:
    spec = validated(results_json(class_result("partial")))
    tags = {t.name: t.tags for t in spec.tests or []}
    assert tags["dL/dW1"] == ["gradients"]
    assert tags["dL/dW2"] == ["gradients", "sign-flipped"]
    failed = next(t for t in spec.tests or [] if t.name == "dL/dW2")
    assert (failed.extra_data or {})["diagnosis"] == "sign-flipped"


def test_student_text_cannot_break_out_of_the_markdown(
    class_result: Callable[..., CheckResult],
) -> None:
    nasty = "raised ```\n# PASS <img src=x onerror=alert(1)> [link](http://x) **9/9**"
    result = class_result("partial", problems=[nasty])
    result.checks[2].message = nasty
    spec = validated(results_json(result))
    failed = next(t for t in spec.tests or [] if t.name == "dL/dW2")
    output = failed.output or ""
    fence = output.split("text\n", 1)[0].rsplit("\n", 1)[-1]
    assert fence == "````"  # longer than the submission's own ```
    block = output.split(fence + "text\n", 1)[1].split("\n" + fence, 1)[0]
    assert block.startswith("raised ```")  # the whole message stays inside the block
    top = spec.output or ""
    assert "<img" not in top and "\\[link\\]" in top and "\\# PASS" in top and "\\*\\*9" in top


def _exercise_with_visibility(write_exercise: Callable[..., Path], **grading: Any) -> Any:
    from grader.exercise import load_exercise

    return load_exercise(write_exercise(**{f"grading__{k}": v for k, v in grading.items()}))


def test_visibility_comes_from_the_exercise_per_quantity(
    write_exercise: Callable[..., Path], class_result: Callable[..., CheckResult]
) -> None:
    from grader.report.visibility import with_visibility

    exercise = _exercise_with_visibility(
        write_exercise,
        visibility="after_due_date",
        visibilities={"W1": "hidden", "b2": "after_published"},
    )
    spec = validated(results_json(with_visibility(class_result("partial"), exercise)))
    assert spec.visibility == "after_due_date"
    assert {t.name: t.visibility for t in spec.tests or []} == {
        "dL/dW1": "hidden",
        "dL/db1": "after_due_date",
        "dL/dW2": "after_due_date",
        "dL/db2": "after_published",
    }


def test_the_default_visibility_is_visible(
    write_exercise: Callable[..., Path], class_result: Callable[..., CheckResult]
) -> None:
    from grader.report.visibility import with_visibility

    exercise = _exercise_with_visibility(write_exercise)
    spec = validated(results_json(with_visibility(class_result("full"), exercise)))
    assert spec.visibility == "visible"
    assert {t.visibility for t in spec.tests or []} == {"visible"}


def test_a_result_that_says_the_exercises_visibility_already_is_kept_as_it_is(
    write_exercise: Callable[..., Path], class_result: Callable[..., CheckResult]
) -> None:
    from grader.report.visibility import with_visibility

    result = class_result("partial")
    exercise = _exercise_with_visibility(write_exercise, visibilities={"W1": "hidden"})
    once = with_visibility(result, exercise)
    assert once is not result and with_visibility(once, exercise) is once
    assert with_visibility(result, _exercise_with_visibility(write_exercise)) is result


def test_a_grader_error_stays_hidden_whatever_the_exercise_says(
    write_exercise: Callable[..., Path], class_result: Callable[..., CheckResult]
) -> None:
    from grader.report.visibility import with_visibility

    exercise = _exercise_with_visibility(write_exercise, visibility="visible")
    spec = validated(results_json(with_visibility(class_result("error"), exercise)))
    assert [t.visibility for t in spec.tests or []] == ["hidden"]


@pytest.mark.parametrize(
    ("grading", "key", "message"),
    [
        ({"visibility": "students"}, "grading.visibility", "'visible'"),
        ({"visibilities": {"W1": "later"}}, "grading.visibilities.W1", "'after_published'"),
    ],
    ids=["bad-value", "bad-override"],
)
def test_a_bad_visibility_is_refused_at_its_key(
    grading: dict[str, Any],
    key: str,
    message: str,
    write_exercise: Callable[..., Path],
    exercise_problems: Callable[[Path], list[tuple[str, str]]],
) -> None:
    path = write_exercise(**{f"grading__{k}": v for k, v in grading.items()})
    problems = exercise_problems(path)
    assert [k for k, _ in problems] == [key]
    assert message in problems[0][1]


def test_an_override_for_no_quantity_is_refused_at_load(
    write_exercise: Callable[..., Path],
    exercise_problems: Callable[[Path], list[tuple[str, str]]],
) -> None:
    # At load, like `points` and `tolerances`: validate, check and grade all refuse it (exit 2).
    path = write_exercise(grading__visibilities={"W3": "hidden"})
    assert exercise_problems(path) == [
        ("grading.visibilities.W3", "no quantity 'W3' in this task (known: W1, b1, W2, b2)")
    ]


def test_a_failed_check_has_the_exercises_maximum(
    bundled_exercise: Callable[[str], Any],
) -> None:
    from grader.errors import SubmissionNotFound
    from grader.report.failure import check_failure

    exercise = bundled_exercise("house-price-backprop")
    missing = check_failure(
        "house-price-backprop", exercise, Path("x.py"), SubmissionNotFound("x.py: no such file")
    )
    broken = check_failure("house-price-backprop", exercise, Path("x.py"), RuntimeError("boom"))
    unknown = check_failure("nope", None, Path("x.py"), RuntimeError("no exercise"))
    assert (missing.status, missing.max_score, missing.title) == (
        "missing",
        9,
        exercise.spec.title,
    )
    assert (broken.status, broken.max_score) == ("error", 9)
    assert unknown.max_score == 0  # no exercise, no maximum to give


def test_check_writes_the_exercises_maximum_when_the_submission_is_missing(
    tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    done = run_grader(
        "check", "nothere.py", "-e", "house-price-backprop", "-f", "gradescope", cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr
    spec = validated(json.loads(done.stdout))
    assert (spec.score, (spec.extra_data or {})["max_score"]) == (0, 9)


def _course(tmp_path: Path, extra: str) -> Path:
    """A course folder holding the bundled house-price-backprop with `extra` under [grading]."""
    repo = Path(__file__).resolve().parent.parent
    text = (repo / "exercises" / "house-price-backprop.toml").read_text()
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "house-price-backprop.toml").write_text(
        text.replace("[grading]\n", f"[grading]\n{extra}", 1)
    )
    return folder


def test_check_writes_the_exercises_visibility(
    tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    folder = _course(tmp_path, 'visibility = "after_published"\nvisibilities = { b2 = "hidden" }\n')
    correct = Path(__file__).parent / "submissions" / "house-price-backprop" / "correct_loops.py"
    args = ["check", str(correct), "-e", "house-price-backprop", "--exercises", str(folder)]
    done = run_grader(*args, "--format", "gradescope", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    spec = validated(json.loads(done.stdout))
    assert spec.visibility == "after_published"
    assert [(t.name, t.visibility) for t in spec.tests or []] == [
        ("dL/dW1", "after_published"),
        ("dL/db1", "after_published"),
        ("dL/dW2", "after_published"),
        ("dL/db2", "hidden"),
    ]


def test_check_refuses_an_override_for_no_quantity(
    tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    folder = _course(tmp_path, 'visibilities = { W3 = "hidden" }\n')
    correct = Path(__file__).parent / "submissions" / "house-price-backprop" / "correct_loops.py"
    args = ["check", str(correct), "-e", "house-price-backprop", "--exercises", str(folder)]
    done = run_grader(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert "grading.visibilities.W3: no quantity 'W3' in this task" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_note_of_the_whole_run_reaches_the_student(
    class_result: Callable[..., CheckResult],
) -> None:
    # e.g. a class graded with --no-isolation: every result carries it, Gradescope shows it.
    from grader.batch.run import UNISOLATED

    result = class_result("full").with_changes(notes=[UNISOLATED])
    assert results_json(result)["output"].endswith("\n\nNote: " + UNISOLATED)
