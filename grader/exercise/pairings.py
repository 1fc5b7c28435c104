"""Whole-file checks of meaning: the loss suits the output activation, the targets suit the loss.

Judged only from what a plugin declares: an activation's `probabilities` (are its outputs in
(0, 1)?) and `output_range`, a loss's `needs_probabilities` and `target_range`. A plugin that
declares nothing is never refused here; the solver computes it by the general chain rule.
Problems are (key path, message) pairs, as check_consistency collects them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.reference.network import Network

Problem = tuple[str, str]
_SHOWN = 3  # bad target entries named in one message; the rest are counted


def _bounds(low: float, high: float) -> str:
    return f"in [{low:g}, {high:g}]" if math.isfinite(high) else f">= {low:g}"


def pairing_problems(net: Network) -> list[Problem]:
    """A one-unit softmax anywhere; a log loss on an output that is not a probability."""
    problems = []
    for i, layer in enumerate(net.layers):
        if layer.activation_name == "softmax" and layer.units == 1:
            problems.append(
                (
                    f"network.layers[{i}].units",
                    "a softmax over 1 unit is the constant 1 (every gradient through it is 0): "
                    "give it 2 or more units, or use sigmoid for one probability",
                )
            )
    out = net.layers[-1]
    judged = getattr(out.activation, "probabilities", None)
    if getattr(net.loss, "needs_probabilities", False) and judged is False:
        shown = getattr(out.activation, "output_range", "")
        problems.append(
            (
                "network.loss",
                f"{net.loss_name} takes the log of the output, so it needs outputs in (0, 1) "
                f"(sigmoid or softmax); the output layer's {out.activation_name} gives "
                + (f"values in {shown}" if shown else "other values"),
            )
        )
    return problems


def target_problems(net: Network, y: Any, key: str = "case.y") -> list[Problem]:
    """Entries of the targets y (a DecimalArray) outside the loss's target range."""
    bounds = getattr(net.loss, "target_range", None)
    if bounds is None:
        return []
    low, high = bounds
    values = y.floats()
    bad = [i for i in np.ndindex(values.shape) if not low <= values[i] <= high]
    if not bad:
        return []
    named = [f"{key}{''.join(f'[{n}]' for n in i)} = {y.text(i)}" for i in bad[:_SHOWN]]
    more = f" and {len(bad) - _SHOWN} more" if len(bad) > _SHOWN else ""
    why = f"{net.loss_name} needs targets {_bounds(low, high)}"
    return [(key, f"{why}: {', '.join(named)}{more}")]
