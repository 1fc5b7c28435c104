"""A worked case a person can calculate by hand: two-decimal numbers, no degenerate draw.

Parameters and inputs are drawn as whole hundredths, 0.05 to 0.99 either side of 0 (a 0.00
weight or input only makes a row of zeros). A unit of a kinked activation (relu, leaky-relu) is
redrawn until its pre-activation is clear of the kink on every row and it is on for some row (a
relu unit off everywhere has only zero gradients, a leaky-relu one gradients a hundred times
smaller). The hand calculation
(grader/tasks/rounding.py) is then done and the whole draw refused when a printed value is not
finite, a printed gradient rounds to 0 (not one that is 0), or a printed probability rounds to
0 or 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np

from grader.errors import InputError
from grader.plan.cases import Case
from grader.reference.network import Network
from grader.tasks import hooks
from grader.tasks.rounding import Values, hand_calculation

T = TypeVar("T")

KINKED = frozenset({"relu", "leaky-relu"})
# Off (relu) or nearly (leaky-relu's slope of 0.01) below the kink: a unit that is there on
# every row passes on gradients too small to print.
OFF_BELOW_KINK = frozenset({"relu", "leaky-relu"})
KINK_MARGIN = 0.05  # |z| at least this: rounding in a hand calculation never crosses a kink
UNIT_DRAWS = 100  # redraws of one unit before the whole draw is left to the checks below
DRAWS = 200  # whole draws before giving up
LEARNING_RATES = (0.1, 0.2, 0.5)
ITERATIONS = 5  # task train: few enough to print every loss


def hundredths(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values in +-[0.05, 0.99], two decimals each."""
    sign = rng.choice((-1.0, 1.0), size=shape)
    return sign * rng.integers(5, 100, size=shape) / 100


def _unit_ok(name: str, z: np.ndarray) -> bool:
    if name in KINKED and np.any(np.abs(z) < KINK_MARGIN):
        return False
    return name not in OFF_BELOW_KINK or bool(np.any(z > 0))


def _params(rng: np.random.Generator, network: Network, x: np.ndarray) -> dict[str, np.ndarray]:
    """Layer by layer, each unit redrawn (a few times at most) while it is degenerate."""
    params: dict[str, np.ndarray] = {}
    h = np.atleast_2d(x)
    for number, layer in enumerate(network.layers, start=1):
        W = np.empty((layer.units, h.shape[1]))
        # A shared bias is drawn once for the layer; a layer without one adds nothing.
        shared = hundredths(rng, ()) if layer.bias == "shared" else 0.0
        b = np.full(layer.units, shared)
        for k in range(layer.units):
            for _ in range(UNIT_DRAWS):
                W[k] = hundredths(rng, (h.shape[1],))
                if layer.bias == "per-unit":
                    b[k] = hundredths(rng, ())
                if _unit_ok(layer.activation_name, h @ W[k] + b[k]):
                    break
        params[f"W{number}"] = W
        if layer.bias != "none":
            params[f"b{number}"] = b if layer.bias == "per-unit" else b[:1]
        h = layer.activation.forward(h @ W.T + b)
    return params


def _targets(rng: np.random.Generator, network: Network, shape: tuple[int, ...]) -> np.ndarray:
    """The loss's own kind of targets (one-hot rows, 0/1, ...), at two decimals."""
    drawn = np.asarray(network.loss.sample_targets(rng, shape), dtype=np.float64)
    return np.round(drawn, 2) + 0.0  # + 0.0: no -0.00


def draw_case(
    rng: np.random.Generator, network: Network, batch: int | None, needs: tuple[str, ...]
) -> Case:
    rows = () if batch is None else (batch,)
    x = hundredths(rng, (*rows, network.inputs))
    y = _targets(rng, network, (*rows, network.outputs))
    params = _params(rng, network, x)
    rate = float(rng.choice(LEARNING_RATES)) if "learning_rate" in needs else None
    iterations = ITERATIONS if "iterations" in needs else None
    return Case("worked case", params, x, y, rate, iterations, worked=True)


def flaw(network: Network, written: Values, exact: Values, printed: Callable[[str], bool]) -> str:
    """Why the printed values of a draw are no good for a hand calculation, or "".

    A gradient that is exactly 0 is the truth (a sigmoid output whose one-hot target is 0
    under categorical cross-entropy); one that only rounds to 0 hides what it is.
    """
    for key, value in written.items():
        if printed(key) and not np.all(np.isfinite(value)):
            return f"{key} is not finite"
    for key, value in written.items():
        vanished = (value == 0) & (exact[key] != 0)
        if printed(key) and key.startswith("gradients.") and np.any(vanished):
            return f"{key} rounds to 0"
    out = f"forward.h{len(network.layers)}"
    probabilities = getattr(network.layers[-1].activation, "probabilities", False)
    if probabilities and printed(out) and np.any((written[out] <= 0) | (written[out] >= 1)):
        return f"{out} rounds to 0 or 1"
    return ""


def _rounded(values: Values, decimals: int) -> Values:
    return {key: np.round(value, decimals) for key, value in values.items()}


def draw_worked_case(
    rng: np.random.Generator,
    task: object,
    network: Network,
    batch: int | None,
    decimals: int,
    printed: Callable[[str], bool],
    judge: Callable[[Case, Values], T | None],
) -> tuple[Case, Values, T]:
    """The first draw whose hand calculation at `decimals` has no flaw and that `judge` accepts
    (returns what it found, not None), with that finding."""
    needs = tuple(getattr(task, "requires", ()))
    last = ""
    for _ in range(DRAWS):
        case = draw_case(rng, network, batch, needs)
        with np.errstate(all="ignore"):
            exact = hooks.exact(task, network, case)
            # The exact values first: most draws that fail, fail there, at a fraction of the cost.
            last = flaw(network, _rounded(exact, decimals), exact, printed)
            written = {} if last else hand_calculation(task, network, case, decimals)
        last = last or flaw(network, written, exact, printed)
        found = None if last else judge(case, written)
        if found is not None:
            return case, written, found
    raise InputError(
        f"no usable worked case in {DRAWS} draws (the last: {last or 'a rounding tie'}): "
        "print more decimals (--decimals) or use a smaller network"
    )
