"""Backpropagation with one classic mistake planted: what a confused student would compute.

This is a second, deliberately configurable implementation of backprop, kept apart from the
clean reference solver so that the reference stays simple and trustworthy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from grader import plugins
from grader.diagnose import slopes
from grader.reference import head
from grader.reference import network as solver
from grader.reference.network import Network


@dataclass(frozen=True)
class Mistake:
    sign: float = 1.0  # -1: dL/dh^L taken as (y - h)
    # layer number -> "none" (factor dropped), "at-z" (formula evaluated at z), or the
    # registered name of the activation whose derivative is used instead
    # (kept as sorted pairs so that a Mistake can key a cache)
    derivatives: tuple[tuple[int, str], ...] = ()
    weight_input: str = "h"  # "z": z^{l-1} used where h^{l-1} belongs in dL/dW^l
    factor: float = 1.0  # the learning-rate factor of an update: 1, or -1 for ascent
    no_learning_rate: bool = False
    stale: bool = False  # hidden gradients computed with already-updated weights
    # layers l whose square W^l goes back untransposed: W^l dL/dz^l, not (W^l)^T dL/dz^l
    untransposed: tuple[int, ...] = ()
    # dL/dh^L (so every gradient) times this: m for a missing batch mean, 2 for a lost 1/2
    scale: float = 1.0


def _through(net: Network, i: int, z, h, grad_h, mistake: Mistake) -> np.ndarray:
    """dL/dz^i from dL/dh^i, with layer i's derivative as the mistake has it."""
    act = net.layers[i - 1].activation
    how = dict(mistake.derivatives).get(i)
    if how is None or not slopes.elementwise(act):
        return act.backward(z, h, grad_h)
    if how == "none":
        return grad_h
    if how == "at-z":  # the formula read at z where it is written in h
        return grad_h * slopes.slope(act, z, z)
    return grad_h * slopes.slope(plugins.get("activations", how), z, h)


def _back(weights: Mapping[str, np.ndarray], i: int, delta: np.ndarray, mistake: Mistake):
    """dL/dh^(i-1) from dL/dz^i, in row form: delta @ W^i (the mistake: delta @ (W^i)^T)."""
    w = weights[f"W{i}"]
    if i in mistake.untransposed:
        if w.shape[0] != w.shape[1]:
            raise ValueError(f"W{i} has shape {w.shape}: untransposed, the shapes do not fit")
        w = w.T
    return delta @ w


def mistaken_backward(
    net: Network,
    params: Mapping[str, np.ndarray],
    x,
    y,
    mistake: Mistake,
    learning_rate: float | None = None,
) -> dict[str, np.ndarray]:
    """Gradients with the mistake; with `stale`, also the update made layer by layer."""
    fwd = solver.forward(net, params, x)
    x2, y2 = np.atleast_2d(x), np.atleast_2d(y)
    last = len(net.layers)
    hs = [x2, *(np.atleast_2d(fwd.values[f"h{i}"]) for i in range(1, last + 1))]
    zs = [x2, *(np.atleast_2d(fwd.values[f"z{i}"]) for i in range(1, last + 1))]
    weights = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    if net.layers[-1].activation_name == net.loss.canonical_link:
        # The reference's own dL/dz^L: exact at saturation and for rows not summing to 1.
        delta = mistake.sign * mistake.scale * head.output_delta(net, zs[last], hs[last], y2)
    else:
        factor = mistake.sign * mistake.scale * net.rows_factor(y2.shape[0])
        grad_h = factor * net.loss.gradient(hs[last], y2)
        delta = _through(net, last, zs[last], hs[last], grad_h, mistake)
    grads: dict[str, np.ndarray] = {}
    for i in range(last, 0, -1):
        below = zs[i - 1] if mistake.weight_input == "z" and i > 1 else hs[i - 1]
        grads[f"W{i}"] = delta.T @ below
        if (bias := solver.bias_gradient(net.layers[i - 1], delta)) is not None:
            grads[f"b{i}"] = bias
        if mistake.stale and learning_rate is not None and f"W{i}" not in net.frozen:
            weights[f"W{i}"] = weights[f"W{i}"] - learning_rate * grads[f"W{i}"]
        if i > 1:
            grad_h = _back(weights, i, delta, mistake)
            delta = _through(net, i - 1, zs[i - 1], hs[i - 1], grad_h, mistake)
    return {key: grads[key].reshape(shape) for key, shape in net.shapes().items()}


def mistaken_step(
    net: Network, params: Mapping[str, np.ndarray], x, y, learning_rate: float, mistake: Mistake
) -> dict[str, np.ndarray]:
    grads = mistaken_backward(net, params, x, y, mistake, learning_rate)
    rate = 1.0 if mistake.no_learning_rate else learning_rate * mistake.factor
    return solver.step(params, grads, rate, net.frozen)
