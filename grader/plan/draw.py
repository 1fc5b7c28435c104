"""One draw of a personal worked case under `[variants]`, and why a draw is refused.

Drawn numbers are decimals (0.37, not 0.3712345): a person writes them down and works with them.
A draw is refused when a hand calculation of it would teach nothing or be ambiguous: a
pre-activation at (or rounding to) 0, where relu has no derivative; a gradient that rounds to 0
at the worksheet's precision; an update too small to change the written parameter.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from grader.exercise.variants import DrawRange, Variants
from grader.plan.cases import Case

Values = dict[str, np.ndarray]


def _decimals(rng: np.random.Generator, spec: DrawRange, shape: tuple[int, ...]) -> np.ndarray:
    """An object array of Decimals drawn uniformly from the range's grid."""
    grid = spec.grid()
    picks = rng.integers(grid.start, grid.stop, size=shape)
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        out[index] = Decimal(int(picks[index])).scaleb(-spec.decimals)
    return out


def _targets(rng: np.random.Generator, spec: Variants, loss: Any, shape: tuple) -> np.ndarray:
    # A classification loss needs its own kind of target (one-hot, 0/1), which is exact anyway.
    if getattr(loss, "needs_probabilities", False):
        drawn = np.asarray(loss.sample_targets(rng, shape), dtype=np.float64)
        out = np.empty(shape, dtype=object)
        for index in np.ndindex(shape):
            out[index] = Decimal(repr(float(drawn[index])))
        return out
    return _decimals(rng, spec.y, shape)


def draw_case(
    rng: np.random.Generator, spec: Variants, worked: Case, loss: Any, rate: Decimal | None
) -> dict[str, Any]:
    """A `[case]` table (Decimals) shaped like the worked case, with fresh numbers."""
    rates = spec.learning_rates
    chosen = rates[int(rng.integers(len(rates)))] if rates else rate
    return {
        "params": {
            name: _decimals(rng, spec.params, value.shape).tolist()
            for name, value in worked.params.items()
        },
        "x": _decimals(rng, spec.x, worked.x.shape).tolist(),
        "y": _targets(rng, spec, loss, worked.y.shape).tolist(),
        "learning_rate": chosen,
        "iterations": worked.iterations,
    }


def degeneracy(
    case: Case, exact: Values, written: Values, decimals: int, frozen: frozenset[str] = frozenset()
) -> str:
    """Why a hand calculation of `case` at `decimals` is no good, or "" when it is.

    A `frozen` parameter is exempt: a step leaves it alone and its gradient is not graded.
    """
    half = 0.5 * 10.0**-decimals
    for key, value in {**exact, **written}.items():
        if not np.all(np.isfinite(value)):
            return f"{key} is not finite"
    for key, value in exact.items():
        if key.startswith("forward.z") and np.any(np.abs(value) < half):
            return f"{key} rounds to 0 (a relu there has no derivative)"
    for key, value in written.items():
        section, _, name = key.partition(".")
        if name in frozen:
            continue
        if section == "gradients" and np.any(value == 0):
            return f"{key} rounds to 0 at {decimals} decimals"
        unchanged = name in case.params and np.any(value == np.round(case.params[name], decimals))
        if section == "updated" and unchanged:
            return f"{key}: the step is too small to change the written parameter"
    return ""
