"""For instructors: is an exercise consistent, and does its model solution earn full marks?"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.exercise.loader import LoadedExercise
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
