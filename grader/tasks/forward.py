"""Task `forward`: run the network and return every layer's output.

def forward(params, x) -> dict[str, array]   # {"h1": h^1, "h2": h^2, ...}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader import notation
from grader.plan.cases import Case
from grader.reference import network as solver
from grader.reference.network import Network
from grader.tasks.base import Quantity
from grader.tasks.shared import SharedSections


class Forward(SharedSections):
    function = "forward"
    requires = ()

    def arguments(self, case: Case) -> dict[str, Any]:
        return {"params": case.params, "x": case.x}

    def quantities(self, network: Network) -> list[Quantity]:
        # One observation's shape; a batch case returns (m, units), and scoring checks each
        # returned array against the reference's own shape.
        return [
            Quantity(f"h{number}", "forward", (layer.units,), f"h{number}", notation.symbol)
            for number, layer in enumerate(network.layers, start=1)
        ]

    def reference(self, network: Network, case: Case) -> Mapping[str, np.ndarray]:
        values = solver.forward(network, case.params, case.x).values
        # Only the outputs: z^l is a step of the computation, not part of the answer.
        return {key: value for key, value in values.items() if key.startswith("h")}


task = Forward()
