"""The sections every network task shares, ready to reuse: a task that subclasses
`SharedSections` accepts them, computes their exact values and redoes the document's hand
calculation for them without writing any of it.

    forward      z1, h1, z2, h2, ...      the forward pass (one row per observation of a batch)
    loss         a number                 L at the worked case
    gradients    W1, b1, W2, b2, ...      dL/dparam
    deltas       z1, z2, ...              dL/dz^l, as forward's z (the "deltas" of many texts)
    updated      W1, b1, ...              the parameters after one step (needs a learning rate)
    loss_after   a number                 L after that step
    trained      W1, b1, ...              the parameters after case.iterations steps
    losses       iterations + 1 numbers   the loss before each iteration and after the last

A hand calculation reuses the numbers it has printed: forward values in the next layer and in
the gradients, printed deltas in the gradients and the layers below, gradients in the update,
the updated parameters in the loss after it. A "?" in a printed array (NaN here) is a number
the document did not print: the computed value stands in for it. `by_hand`
redoes it that way, which is how the lecture's 0.5663 (= 1.17 * 0.484, exact 0.56662) comes about.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from grader import notation
from grader.plan.cases import Case
from grader.protocols import EXPLAIN_PARTS
from grader.reference import network as solver
from grader.reference.network import Network
from grader.tasks.base import Section

Values = dict[str, np.ndarray]  # "forward.h1", "gradients.W1", "loss", ...

EXPLAINED = EXPLAIN_PARTS  # every part of explain: what SharedSections' tasks show

_LR = {"learning_rate": "training values need one"}


def _suffixed(suffix: str):
    return lambda name, index: f"{notation.symbol(name, index)} ({suffix})"


def _losses_label(name: str, index: tuple[int, ...]) -> str:
    return f"L (iteration {index[0]})"


def delta_symbol(name: str, index: tuple[int, ...]) -> str:
    """dL/dz_k^l for entry `index` of deltas' "z<l>"."""
    return f"dL/d{notation.symbol(name, index)}"


def sections(network: Network, case: Case) -> dict[str, Section]:
    """The shared sections for this network and worked case."""
    params = network.shapes()
    batch = case.x.shape[:-1] if case.x.ndim == 2 else ()
    forward = {}
    for number, layer in enumerate(network.layers, start=1):
        forward[f"z{number}"] = forward[f"h{number}"] = (*batch, layer.units)
    steps = None if case.iterations is None else (case.iterations + 1,)
    return {
        "forward": Section(forward),
        "gradients": Section(params, label=notation.gradient_symbol),
        "deltas": Section({k: v for k, v in forward.items() if k[0] == "z"}, label=delta_symbol),
        "updated": Section(
            params,
            label=_suffixed("updated"),
            needs={"learning_rate": "expected.updated needs one"},
        ),
        "trained": Section(
            params,
            label=_suffixed("trained"),
            needs={"iterations": "expected.trained needs it", **_LR},
        ),
        "loss": Section(label=lambda name, index: "L"),
        "loss_after": Section(label=lambda name, index: "L (after the step)"),
        "losses": Section(
            shape=steps,
            label=_losses_label,
            needs={"iterations": "expected.losses needs it", **_LR},
            shape_note=": the loss before each iteration and after the last",
        ),
    }


def exact(network: Network, case: Case) -> Values:
    """The exact value of every shared section's key that this case can compute."""
    fwd = solver.forward(network, case.params, case.x)
    grads, deltas = solver.backprop(network, case.params, case.x, case.y, fwd)
    values = {f"forward.{k}": v for k, v in fwd.values.items()}
    # In the order a hand calculation writes them (tasks/rounding.py follows it): the deltas,
    # then the gradients made from them.
    values |= {f"deltas.{k}": v for k, v in reversed(deltas.items())}
    values |= {f"gradients.{k}": v for k, v in grads.items()}
    values["loss"] = np.asarray(solver.loss(network, case.params, case.x, case.y))
    if case.learning_rate is not None:
        updated = solver.update(network, case.params, grads, case.learning_rate)
        values |= {f"updated.{k}": v for k, v in updated.items()}
        values["loss_after"] = np.asarray(solver.loss(network, updated, case.x, case.y))
    if case.learning_rate is not None and case.iterations is not None:
        trained, losses = solver.train(
            network, case.params, case.x, case.y, case.learning_rate, case.iterations
        )
        values["losses"] = np.asarray(losses)
        values |= {f"trained.{k}": v for k, v in trained.items()}
    return values


def _pinned(
    printed: Mapping[str, np.ndarray], skip: str = "", prefix: str = "forward.h"
) -> dict[str, np.ndarray]:
    return {k.split(".", 1)[1]: v for k, v in printed.items() if k.startswith(prefix) and k != skip}


def _overlay(computed: np.ndarray, printed: np.ndarray | None) -> np.ndarray:
    return computed if printed is None else np.where(np.isnan(printed), computed, printed)


def by_hand(
    network: Network, case: Case, printed: Mapping[str, np.ndarray], exact: Values
) -> Values:
    """Every shared value recomputed the way a hand calculation does, from printed values."""
    values: Values = {}
    for number in range(1, len(network.layers) + 1):
        # A layer's printed value is recomputed from the previous layers' printed values.
        fwd = solver.forward(network, case.params, case.x, _pinned(printed, f"forward.h{number}"))
        values[f"forward.z{number}"] = fwd.values[f"z{number}"]
        values[f"forward.h{number}"] = fwd.values[f"h{number}"]
    fwd = solver.forward(network, case.params, case.x, _pinned(printed))
    # A printed delta is recomputed from the ones above it; the gradients use every printed one.
    for number in range(1, len(network.layers) + 1):
        key = f"deltas.z{number}"
        above = _pinned(printed, key, "deltas.z")
        _, deltas = solver.backprop(network, case.params, case.x, case.y, fwd, above)
        values[key] = deltas[f"z{number}"]
    every = _pinned(printed, "", "deltas.z")
    grads = solver.backward(network, case.params, case.x, case.y, fwd, every)
    values |= {f"gradients.{k}": v for k, v in grads.items()}
    h, y = np.atleast_2d(fwd.output()), np.atleast_2d(case.y)
    values["loss"] = np.asarray(network.rows_factor(y.shape[0]) * network.loss.value(h, y))
    if case.learning_rate is not None:
        used = {k: _overlay(v, printed.get(f"gradients.{k}")) for k, v in grads.items()}
        updated = solver.update(network, case.params, used, case.learning_rate)
        values |= {f"updated.{k}": v for k, v in updated.items()}
        after = {k: _overlay(v, printed.get(f"updated.{k}")) for k, v in updated.items()}
        values["loss_after"] = np.asarray(solver.loss(network, after, case.x, case.y))
    # No hand calculation repeats many steps: the exact training values are the reference
    # (computed once by the caller, not once per round of repairs).
    values |= {k: v for k, v in exact.items() if k == "losses" or k.startswith("trained.")}
    return values


class SharedSections:
    """Mix into a task to accept the shared sections and explain every part of the lecture."""

    explained: tuple[str, ...] = EXPLAINED

    def sections(self, network: Network, case: Case) -> Mapping[str, Section]:
        return sections(network, case)

    def exact(self, network: Network, case: Case) -> Mapping[str, np.ndarray]:
        return exact(network, case)

    def by_hand(
        self,
        network: Network,
        case: Case,
        printed: Mapping[str, np.ndarray],
        exact: Mapping[str, np.ndarray],
    ) -> Mapping[str, np.ndarray]:
        return by_hand(network, case, printed, dict(exact))
