"""The exact value of every graded quantity on each planned case: what a submission is held to."""

from __future__ import annotations

import numpy as np

from grader.exercise.loader import LoadedExercise
from grader.plan import memo
from grader.plan.cases import Case, shared_worked_case


def references(exercise: LoadedExercise, cases: list[Case]) -> list[dict[str, np.ndarray]]:
    """The task's reference on every case. The worked case every plan of this exercise object
    shares is solved once (read-only arrays; a dict of its own for each caller).

    Overflow and invalid values are not warned about: the caller refuses a worked case that
    overflows (exercise.consistency.refuse_overflow), and a hidden case's is graded as it is.
    """
    task, net = exercise.task, exercise.network
    shared = shared_worked_case(exercise)

    def solve(case: Case) -> dict[str, np.ndarray]:
        if case is not shared:
            return task.reference(net, case)
        return dict(
            memo.once(exercise, "reference", lambda: memo.frozen(task.reference(net, case)))
        )

    with np.errstate(over="ignore", invalid="ignore"):
        return [solve(case) for case in cases]
