"""`--student ID`: the exercise as that student's variant, with the one warning it may need."""

from __future__ import annotations

import click

from grader.exercise.loader import LoadedExercise
from grader.plan.cases import course_secret
from grader.plan.variants import GUESSABLE, has_variants, student_id, student_variant
from grader.result import CheckResult

WORKED_CASE_ONLY = (
    "gives every student their own numbers ([variants]); without --student ID this is its "
    "worked case"
)


def warn_if_guessable(exercises: list[LoadedExercise]) -> None:
    """Said once per command, on stderr: variants without a secret are anyone's to compute."""
    if course_secret() is None and any(has_variants(e) for e in exercises):
        click.echo(GUESSABLE, err=True)


def personal(exercises: list[LoadedExercise], student: str | None) -> list[LoadedExercise]:
    """The exercises as `student` has them (themselves without --student); warns once."""
    if student is None:
        for exercise in exercises:
            if has_variants(exercise):
                click.echo(f"note: {exercise.id} {WORKED_CASE_ONLY}", err=True)
        return exercises
    warn_if_guessable(exercises)
    return [student_variant(exercise, student) for exercise in exercises]


def mark_variant(result: CheckResult, exercise: LoadedExercise, student: str | None) -> CheckResult:
    """The result, saying whose variant it was graded on (when it was one)."""
    if student is None or not has_variants(exercise):
        return result
    return result.with_changes(variant=student_id(student))
