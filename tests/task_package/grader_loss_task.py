"""Task `loss`: the student computes the loss L of the network for params, x and y.

    def loss(params, x, y) -> {"L": L}

The run layer carries a dict of arrays, so the value comes back under the key "L". The
lecture prints the forward pass and the loss; this task accepts those two sections, reusing
the shared `forward` section and writing its own `loss` (its exact value, and the value a hand
calculation gets from the printed output h^L). Its mistake, the 1/2 of 1/2 (y - h)^2 left
out, is planted through `plant` and named by the `missing-half` diagnosis below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.reference import network as solver
from grader.tasks import shared
from grader.tasks.base import Quantity, Section


def _loss_symbol(name: str, index: tuple[int, ...]) -> str:
    return "L"


@dataclass(frozen=True)
class HalfMissing:
    """A mistake of this task's own kind: the loss summed without its 1/2 (hashable)."""


class LossTask:
    function = "loss"
    requires: tuple[str, ...] = ()
    explained = ("forward", "loss")  # no gradients: this task stops at the loss

    # --- required: what the student computes ---------------------------------------------

    def arguments(self, case: Any) -> dict[str, Any]:
        return {"params": case.params, "x": case.x, "y": case.y}

    def quantities(self, network: Any) -> list[Quantity]:
        return [Quantity("L", "loss", (), "L", _loss_symbol)]

    def reference(self, network: Any, case: Any) -> Mapping[str, np.ndarray]:
        return {"L": np.asarray(solver.loss(network, case.params, case.x, case.y))}

    # --- optional: what the lecture prints and how it was computed by hand -----------------

    def sections(self, network: Any, case: Any) -> Mapping[str, Section]:
        return {
            "forward": shared.sections(network, case)["forward"],
            "loss": Section(label=_loss_symbol),  # one number, shape ()
        }

    def exact(self, network: Any, case: Any) -> Mapping[str, np.ndarray]:
        fwd = solver.forward(network, case.params, case.x)
        values = {f"forward.{key}": value for key, value in fwd.values.items()}
        return {**values, "loss": self.reference(network, case)["L"]}

    def by_hand(
        self,
        network: Any,
        case: Any,
        printed: Mapping[str, np.ndarray],
        exact: Mapping[str, np.ndarray],
    ) -> Mapping[str, np.ndarray]:
        # The forward pass propagates as the shared section does; the loss is computed from
        # the printed outputs (0.63 gives 1/2 (-0.54 - 0.63)^2 = 0.68445, exact 0.68456).
        values = shared.by_hand(network, case, printed, dict(exact))
        pinned = {k.split(".")[1]: v for k, v in printed.items() if k.startswith("forward.h")}
        h = solver.forward(network, case.params, case.x, pinned).output()
        loss = network.loss.value(np.atleast_2d(h), np.atleast_2d(case.y))
        return {**{k: v for k, v in values.items() if k.startswith("forward.")}, "loss": loss}

    def plant(self, network: Any, case: Any, mistake: Any) -> Mapping[str, np.ndarray] | None:
        if not isinstance(mistake, HalfMissing) or network.loss_name != "half-squared-error":
            return None  # the built-in mistakes are about gradients: not this task's
        h = np.atleast_2d(solver.forward(network, case.params, case.x).output())
        squares = np.sum((np.atleast_2d(case.y) - h) ** 2, axis=1)
        return {"L": np.asarray(np.mean(squares))}


class MissingHalf:
    priority = 35
    sentence = (
        "The loss is twice the right value: L = 1/2 (y - h)^2 has a 1/2 in front of the "
        "squared error (it cancels the 2 of the derivative, dL/dh = h - y)."
    )

    def explains(self, evidence: Any) -> str | None:
        # Asks the exercise's task to plant the mistake (Task.plant); None from any other task.
        return self.sentence if evidence.fits(evidence.predict(HalfMissing())) else None


task = LossTask()
missing_half = MissingHalf()
