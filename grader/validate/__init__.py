"""For instructors: is an exercise consistent, and does its model solution earn full marks?"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import InputError
from grader.exercise.finding import looks_like_path
from grader.exercise.loader import LoadedExercise, load_exercise
from grader.pipeline import check_submission
from grader.plan.variants import has_variants, student_variant
from grader.result import CheckResult
from grader.validate.printed import Verdict, check_printed


@dataclass
class Validation:
    exercise: LoadedExercise
    verdicts: list[Verdict]
    solution: CheckResult | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(v.status != "discrepancy" for v in self.verdicts)


def solution_problem(path: Path) -> str | None:
    """Why the model solution at `path` cannot be graded, or None."""
    try:
        found = path.is_file()
    except OSError as exc:  # a folder on the way that we may not read, say
        return f"cannot read the model solution {path} ({exc.strerror})"
    return None if found else f"no model solution at {path}"


# Whose variant validate draws: any id shows whether the [variants] table can give one at all.
PROBE_STUDENT = "grader-validate"


def validate_exercise(exercise: LoadedExercise) -> Validation:
    if has_variants(exercise):  # a table no worksheet can be drawn from: ExerciseError, exit 2
        student_variant(exercise, PROBE_STUDENT)
    result = Validation(exercise, check_printed(exercise))
    path = exercise.solution_path()
    problem = solution_problem(path)
    if problem:
        result.problems.append(problem)
        return result
    result.solution = check_submission(exercise, path)
    if not result.solution.full_marks:
        failing = [c.name for c in result.solution.checks if c.status != "pass"]
        why = "; ".join(result.solution.problems) or f"wrong: {', '.join(failing)}"
        result.problems.append(
            f"model solution {path} earns {result.solution.score:g}/"
            f"{result.solution.max_score:g}, not full marks ({why})"
        )
    return result


def _targets(target: str) -> list[str]:
    """A folder's *.toml files, or the target itself (an id, a file, or a folder without any).

    Only an argument that looks like a path is a folder: a folder in the working folder that
    happens to be named like an exercise id does not hide the exercise.
    """
    folder = Path(target)
    files = sorted(folder.glob("*.toml")) if looks_like_path(target) and folder.is_dir() else []
    return [str(p) for p in files] or [target]


def _validate(target: str) -> Validation | InputError:
    try:
        exercise = load_exercise(target)
    except InputError as exc:
        if looks_like_path(target) and Path(target).is_dir():  # not an exercise id either
            return InputError(f"{target}: a folder without *.toml files")
        return exc
    try:
        return validate_exercise(exercise)
    except InputError as exc:  # e.g. a worked case that overflows float64
        return exc


def validate_each(targets: list[str]) -> Iterator[Validation | InputError]:
    """Each exercise's validation, or the error that stopped it: a broken file stops no other.

    A folder stands for the *.toml files in it (not its subfolders).
    """
    for target in targets:
        for one in _targets(target):
            yield _validate(one)
