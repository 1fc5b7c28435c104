"""For instructors: is an exercise consistent, and does its model solution earn full marks?"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import InputError
from grader.exercise.loader import LoadedExercise, load_exercise
from grader.pipeline import check_submission
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


def validate_exercise(exercise: LoadedExercise) -> Validation:
    result = Validation(exercise, check_printed(exercise))
    path = exercise.solution_path()
    if not path.is_file():
        result.problems.append(f"no model solution at {path}")
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


def expand(targets: list[str]) -> list[str]:
    """Exercise ids and paths as given, each folder replaced by the *.toml files in it."""
    found: list[str] = []
    for target in targets:
        folder = Path(target)
        found += [str(p) for p in sorted(folder.glob("*.toml"))] if folder.is_dir() else [target]
    return found


def validate_each(targets: list[str]) -> Iterator[Validation | InputError]:
    """Each target's validation, or the error that stopped it: one broken file stops no other."""
    for target in expand(targets):
        try:
            yield validate_exercise(load_exercise(target))
        except InputError as exc:
            yield exc
