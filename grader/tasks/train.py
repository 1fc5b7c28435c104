"""Task `train`: gradient descent for a number of iterations (the lecture's points 1-9).

def train(params, x, y, learning_rate, iterations) -> dict[str, array]
    # the parameters after `iterations` steps, plus "losses": the loss before each iteration
    # and after the last (iterations + 1 numbers)
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

# Planting a mistake replays the whole training once per mistake and case: past this many
# iterations that costs more than a diagnosis is worth, and none is planted.
PLANTED_ITERATIONS = 200


def _trained_symbol(name: str, index: tuple[int, ...]) -> str:
    return f"{notation.symbol(name, index)} (trained)"


def _loss_symbol(name: str, index: tuple[int, ...]) -> str:
    # losses[i] is the loss after i steps: losses[0] is the untrained network's.
    return f"L after {index[0]} iteration{'' if index[0] == 1 else 's'}"


class Train(SharedSections):
    function = "train"
    requires = ("learning_rate", "iterations")

    def arguments(self, case: Case) -> dict[str, Any]:
        return {
            "params": case.params,
            "x": case.x,
            "y": case.y,
            "learning_rate": case.learning_rate,
            "iterations": case.iterations,
        }

    def quantities(self, network: Network) -> list[Quantity]:
        trained = [
            Quantity(name, "trained", shape, f"{name} (trained)", _trained_symbol)
            for name, shape in network.shapes().items()
        ]
        # The length of losses, iterations + 1, belongs to the case, not the network: (0,)
        # stands in, and scoring checks each returned array against the reference's shape.
        return [*trained, Quantity("losses", "losses", (0,), "losses", _loss_symbol)]

    def reference(self, network: Network, case: Case) -> Mapping[str, np.ndarray]:
        if case.learning_rate is None or case.iterations is None:
            raise ValueError(f"{case.label}: task train needs a learning rate and iterations")
        params, losses = solver.train(
            network, case.params, case.x, case.y, case.learning_rate, case.iterations
        )
        return {**params, "losses": np.asarray(losses)}

    def plant(
        self, network: Network, case: Case, mistake: object
    ) -> Mapping[str, np.ndarray] | None:
        """Training with `mistake` in every step, and the losses on the way (for diagnoses)."""
        if not isinstance(mistake, Mistake):  # another diagnosis's own kind of mistake
            return None
        if case.learning_rate is None or case.iterations is None:
            raise ValueError(f"{case.label}: task train needs a learning rate and iterations")
        if case.iterations > PLANTED_ITERATIONS:
            return None
        params, losses = dict(case.params), []
        for _ in range(case.iterations):
            losses.append(solver.loss(network, params, case.x, case.y))
            params = mistaken_step(network, params, case.x, case.y, case.learning_rate, mistake)
        losses.append(solver.loss(network, params, case.x, case.y))
        return {**params, "losses": np.asarray(losses)}


task = Train()
