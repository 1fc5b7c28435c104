"""What a diagnosis looks at: one wrong quantity, case by case, and what mistakes would give."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from grader.diagnose.mistakes import Mistake
from grader.exercise.loader import LoadedExercise
from grader.plan import memo
from grader.plan.cases import Case, shared_worked_case
from grader.tasks import hooks
from grader.tasks.base import Quantity

_UNPLANTED: Mapping = {}  # not asked yet (None is an answer: the task plants nothing)


@dataclass
class Evidence:
    exercise: LoadedExercise
    quantity: Quantity
    cases: list[Case]
    reference: list[np.ndarray]  # the exact value of this quantity, per case
    submitted: list[np.ndarray | None]  # what came back, per case (None: nothing usable)
    slack: list[np.ndarray | float] = field(default_factory=list)  # hand rounding, per case
    # Why nothing usable came back, per case ("" where something did): "raised ValueError: ..."
    problems: list[str] = field(default_factory=list)
    _predictions: dict[Mistake, list[np.ndarray] | None] = field(default_factory=dict)
    # What the task planted, by (mistake, case number): one plant gives every quantity, so the
    # Evidence of every wrong quantity of one submission shares it (diagnose/run.py).
    planted: dict[tuple[Mistake, int], Mapping | None] = field(default_factory=dict)

    @cached_property
    def usable(self) -> list[np.ndarray] | None:
        """What came back on every case, when every case returned finite numbers (else None)."""
        values = [s for s in self.submitted if s is not None and np.all(np.isfinite(s))]
        return values if len(values) == len(self.submitted) else None

    @property
    def complete(self) -> bool:
        """Every case returned finite numbers: only then can a diagnosis fit every case."""
        return self.usable is not None

    def close(self, got: np.ndarray, want: np.ndarray, case: int) -> bool:
        slack = self.slack[case] if self.slack else 0.0
        return bool((np.abs(got - want) <= 1e-8 + 1e-5 * np.abs(want) + slack).all())

    def fits(self, predicted: list[np.ndarray] | None) -> bool:
        """The prediction matches the submission on every case and is wrong on at least one."""
        submitted = self.usable
        if predicted is None or submitted is None:
            return False
        if all(
            self.close(p, r, i)
            for i, (p, r) in enumerate(zip(predicted, self.reference, strict=True))
        ):
            return False  # the mistake makes no difference here: it explains nothing
        return all(
            self.close(s, p, i) for i, (s, p) in enumerate(zip(submitted, predicted, strict=True))
        )

    def explained_by(self, mistake: Mistake) -> bool:
        """`fits(predict(mistake))`, planting case by case and stopping at the first case the
        mistake does not reproduce (most mistakes fail on the worked case: a class run
        diagnoses every wrong quantity of every submission)."""
        submitted = self.usable
        if submitted is None:
            return False
        differs = False
        for number, got in enumerate(submitted):
            planted = self._planted(mistake, number)
            if planted is None or not self.close(got, planted, number):
                return False
            differs = differs or not self.close(planted, self.reference[number], number)
        return differs

    def predict(self, mistake: Mistake) -> list[np.ndarray] | None:
        """This quantity per case as a submission with `mistake` computes it."""
        if mistake not in self._predictions:
            self._predictions[mistake] = self._compute(mistake)
        return self._predictions[mistake]

    @property
    def errors(self) -> list[str]:
        """What the call raised on each case ("" where it did not raise)."""
        raised = [
            p.removeprefix("raised ") if p.startswith("raised ") else "" for p in self.problems
        ]
        return raised or [""] * len(self.cases)

    @property
    def batch(self) -> int | None:
        """m, the observations in every case's batch, or None for single observations."""
        sizes = {c.x.shape[0] if np.ndim(c.x) == 2 else None for c in self.cases}
        return sizes.pop() if len(sizes) == 1 else None

    def _planted(self, mistake: Mistake, number: int) -> np.ndarray | None:
        """This quantity on case `number` as a submission with `mistake` computes it."""
        # The task plants the mistake (its `plant` hook); a task without one is never diagnosed
        # by a planted mistake, only by the diagnoses that look at the numbers alone.
        key = (mistake, number)
        values = self.planted.get(key, _UNPLANTED)
        if values is _UNPLANTED:
            values = self.planted[key] = self._plant(mistake, self.cases[number])
        if values is None or self.quantity.name not in values:
            return None
        return np.asarray(values[self.quantity.name], dtype=np.float64)

    def _plant(self, mistake: Mistake, case: Case) -> Mapping | None:
        net, task = self.exercise.network, self.exercise.task
        if case is not shared_worked_case(self.exercise):
            return hooks.plant(task, net, case, mistake)

        # The worked case is every submission's: plant into it once per exercise (most
        # mistakes are refuted there, so a class run plants little else).
        def planted() -> Mapping | None:
            values = hooks.plant(task, net, case, mistake)
            return None if values is None else memo.frozen(values)

        return memo.once(self.exercise, ("planted", mistake), planted)

    def _compute(self, mistake: Mistake) -> list[np.ndarray] | None:
        out = []
        for number in range(len(self.cases)):
            value = self._planted(mistake, number)
            if value is None:
                return None
            out.append(value)
        return out
