"""What a document printed for one quantity, with the precision it printed it at."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.exercise.numbers import DecimalArray


@dataclass(frozen=True, eq=False)
class Printed:
    values: np.ndarray  # float64
    units: np.ndarray  # one unit in the last printed place, per entry
    source: DecimalArray  # the printed text, for messages

    @classmethod
    def of(cls, array: DecimalArray) -> Printed:
        return cls(array.floats(), array.units(), array)

    def text(self, index: tuple[int, ...]) -> str:
        return self.source.text(index)
