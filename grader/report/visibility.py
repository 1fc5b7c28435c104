"""Who sees a result, from the exercise's `[grading] visibility` and `[grading.visibilities]`.

Gradescope reads it (grader/report/gradescope.py); it is written on the result before any
report, so the JSON report carries it too. Quantities are named as in `[grading.points]`.
"""

from __future__ import annotations

from grader.exercise.loader import LoadedExercise
from grader.result import CheckResult


def with_visibility(result: CheckResult, exercise: LoadedExercise) -> CheckResult:
    """`result` with the exercise's visibility on itself and on each of its checks; `result`
    itself when it says so already (most of a class's results: each copy costs the end of a
    class run time)."""
    grading = exercise.spec.grading
    # A check names its quantity by key ("gradients.W1") and by title ("dL/dW1").
    name = {k: q.name for q in exercise.quantities for k in (q.key, q.title)}
    checks = []
    for check in result.checks:
        seen = grading.visibilities.get(
            name.get(check.quantity) or name.get(check.name, ""), grading.visibility
        )
        same = check.visibility == seen
        checks.append(check if same else check.model_copy(update={"visibility": seen}))
    if result.visibility == grading.visibility and all(
        new is old for new, old in zip(checks, result.checks, strict=True)
    ):
        return result
    return result.model_copy(update={"visibility": grading.visibility, "checks": checks})
