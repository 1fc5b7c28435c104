"""Task `backward`: return dL/dparam for every parameter, same names and shapes as params.

def backward(params, x, y) -> dict[str, array]

Frozen parameters ([network] frozen) are not graded: their gradients need not be returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader import notation
from grader.diagnose.mistakes import Mistake, mistaken_backward
from grader.plan.cases import Case
from grader.reference import network as solver
from grader.reference.network import Network
from grader.tasks.base import Quantity
from grader.tasks.shared import SharedSections


class Backward(SharedSections):
    function = "backward"
    requires = ()

    def arguments(self, case: Case) -> dict[str, Any]:
        return {"params": case.params, "x": case.x, "y": case.y}

    def quantities(self, network: Network) -> list[Quantity]:
        return [
            Quantity(
                name, "gradients", shape, f"dL/d{name}", notation.gradient_symbol, derivative=True
            )
            for name, shape in network.shapes().items()
            if name not in network.frozen
        ]

    def reference(self, network: Network, case: Case) -> Mapping[str, np.ndarray]:
        grads = solver.backward(network, case.params, case.x, case.y)
        return {name: g for name, g in grads.items() if name not in network.frozen}

    def plant(
        self, network: Network, case: Case, mistake: object
    ) -> Mapping[str, np.ndarray] | None:
        """The gradients as a submission making `mistake` computes them (for diagnoses)."""
        if not isinstance(mistake, Mistake):  # another diagnosis's own kind of mistake
            return None
        return mistaken_backward(network, case.params, case.x, case.y, mistake)


task = Backward()
