"""Task `train-step`: forward, backward and one gradient-descent update.

def train_step(params, x, y, learning_rate) -> dict[str, array]   # the updated parameters
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader import notation
from grader.diagnose.mistakes import Mistake, mistaken_step
from grader.plan.cases import Case
from grader.reference import network as solver
from grader.reference.network import Network
from grader.tasks.base import Quantity
from grader.tasks.shared import SharedSections


def _updated_symbol(name: str, index: tuple[int, ...]) -> str:
    return f"{notation.symbol(name, index)} (updated)"


class TrainStep(SharedSections):
    function = "train_step"
    requires = ("learning_rate",)

    def arguments(self, case: Case) -> dict[str, Any]:
        return {
            "params": case.params,
            "x": case.x,
            "y": case.y,
            "learning_rate": case.learning_rate,
        }

    def quantities(self, network: Network) -> list[Quantity]:
        return [
            Quantity(name, "updated", shape, f"{name} (updated)", _updated_symbol)
            for name, shape in network.shapes().items()
        ]

    def reference(self, network: Network, case: Case) -> Mapping[str, np.ndarray]:
        if case.learning_rate is None:
            raise ValueError(f"{case.label}: task train-step needs a learning rate")
        grads = solver.backward(network, case.params, case.x, case.y)
        return solver.update(network, case.params, grads, case.learning_rate)

    def plant(
        self, network: Network, case: Case, mistake: object
    ) -> Mapping[str, np.ndarray] | None:
        """The updated parameters as a submission making `mistake` computes them."""
        if not isinstance(mistake, Mistake):  # another diagnosis's own kind of mistake
            return None
        if case.learning_rate is None:
            raise ValueError(f"{case.label}: task train-step needs a learning rate")
        return mistaken_step(network, case.params, case.x, case.y, case.learning_rate, mistake)


task = TrainStep()
