"""The tests of the pytest plugin (grader/pytest_plugin.py): one per graded quantity.

An ExerciseNode holds one (exercise, submission) pair and collects a QuantityItem per quantity;
they share one GradedPair, which grades the submission when the first of them runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from grader.exercise.loader import LoadedExercise
    from grader.result import Check, CheckResult


def shown(path: Path, root: Path) -> Path:
    """A path as the student knows it: relative to the repository, not /home/runner/..."""
    return path.relative_to(root) if path.is_relative_to(root) else path


class ExerciseNode(pytest.Collector):
    """One (exercise, submission) pair: a test per graded quantity."""

    def __init__(self, *, exercise: str, submission: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.exercise = exercise  # an id, or an absolute path to a .toml file
        self.submission = submission

    def collect(self) -> list[QuantityItem]:
        from grader.errors import GraderError
        from grader.exercise import load_exercise
        from grader.submission_kind import submission_kind

        try:
            exercise = load_exercise(self.exercise)
        except GraderError as exc:
            raise self.CollectError(f"grader_exercise {self.exercise!r}: {exc}") from None
        relative = shown(self.submission, self.config.rootpath)
        try:
            submission_kind(self.submission)
        except GraderError as exc:
            # The library names the absolute path; the student wrote it relative.
            why = str(exc).removeprefix(f"{self.submission}: ")
            raise self.CollectError(
                f"grader_submission for {exercise.id}: {relative}: {why}"
            ) from None
        graded = GradedPair(exercise, self.submission, relative)
        return [
            QuantityItem.from_parent(
                self, name=q.title, graded=graded, points=exercise.rules[q.name].points
            )
            for q in exercise.quantities
        ]


class GradedPair:
    """Grades its submission once, when the first of its tests runs, and keeps the outcome."""

    def __init__(self, exercise: LoadedExercise, submission: Path, relative: Path) -> None:
        self.exercise = exercise
        self.submission = submission
        self.shown = relative  # as the student wrote it
        self._outcome: CheckResult | Exception | None = None

    def result(self) -> CheckResult:
        if self._outcome is None:
            try:
                result = grade(self.exercise, self.submission)
                self._outcome = result.model_copy(update={"submission": str(self.shown)})
            except Exception as exc:  # kept, so that one failure is not graded again per test
                self._outcome = exc
        if isinstance(self._outcome, Exception):
            raise self._outcome
        return self._outcome


def grade(exercise: LoadedExercise, submission: Path) -> CheckResult:
    """What `grader check SUBMISSION -e EXERCISE` grades, with the exercise's own limits."""
    from grader.pipeline import check_submission, limits_for
    from grader.run import sandbox

    # The same switch as `grader check --require-sandbox`, read the way click reads it.
    required = os.environ.get("GRADER_REQUIRE_SANDBOX", "").lower() in ("1", "true", "yes", "on")
    sandbox.require(required)
    return check_submission(exercise, submission, limits=limits_for(exercise))


def feedback(result: CheckResult, check: Check) -> str:
    """The text report of `grader check` cut down to one quantity (its points as the score),
    after a one-line verdict."""
    import io

    from grader.report.text import TextReporter

    one = result.model_copy(
        update={"checks": [check], "score": check.score, "max_score": check.max_score}
    )
    stream = io.StringIO()
    reporter = TextReporter(stream)
    reporter.add(one)
    reporter.close()
    # One line first: pytest's short summary (`FAILED ...::dL/dW1 - ...`) shows only that.
    points = f"{check.score:g}/{check.max_score:g}"
    cause = f", likely cause: {check.diagnosis}" if check.diagnosis else ""
    return f"{check.name} {points}{cause}\n\n" + stream.getvalue().rstrip("\n")


class QuantityFailed(Exception):
    """A quantity without full marks; its message is the grader's feedback, shown as is."""


class QuantityItem(pytest.Item):
    def __init__(self, *, graded: GradedPair, points: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graded = graded
        self.points = points

    def runtest(self) -> None:
        from grader.errors import GraderError

        try:
            result = self.graded.result()
        except GraderError as exc:
            self._record(0.0)
            message = f"the grader could not grade {self.graded.shown}: {exc}"
            raise QuantityFailed(message) from None
        check = next((c for c in result.checks if c.name == self.name), None)
        self._record(check.score if check else 0.0)
        if check is None:
            raise QuantityFailed(f"{self.name} was not graded: " + "; ".join(result.problems))
        if check.status != "pass":
            raise QuantityFailed(feedback(result, check))

    def _record(self, score: float) -> None:
        self.user_properties += [("score", score), ("max_score", self.points)]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, QuantityFailed):
            return str(excinfo.value)  # the grader's words, not a traceback of ours
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.graded.submission, None, self.nodeid
