"""The result a report shows when grading failed, with one `max_score` convention.

Whatever failed (the submission is missing, the grader broke, the environment check failed),
the result's `max_score` is the exercise's maximum when the exercise is known, so that a
gradebook, Gradescope and JUnit all say "0 of 9", never "0 of 0".
"""

from __future__ import annotations

from pathlib import Path

from grader.exercise.loader import LoadedExercise
from grader.pipeline import failure_result
from grader.report.visibility import with_visibility
from grader.result import CheckResult


def check_failure(
    name: str, exercise: LoadedExercise | None, submission: Path, exc: BaseException
) -> CheckResult:
    """`grader check`'s result when grading raised `exc` (`exercise` None: it did not load)."""
    result = failure_result(name, submission, exc)
    if exercise is None:
        return result
    known = result.with_changes(
        exercise=exercise.id, title=exercise.spec.title, max_score=exercise.max_score
    )
    return with_visibility(known, exercise)
