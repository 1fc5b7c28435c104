"""Backpropagation with one classic mistake planted: what a confused student would compute.

This is a second, deliberately configurable implementation of backprop, kept apart from the
clean reference solver so that the reference stays simple and trustworthy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from grader.reference import head
from grader.reference import network as solver
from grader.reference.network import Network

# Elementwise derivatives written in terms of the output h, as the lecture writes them.
DERIVATIVE_OF_H: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda h: h * (1 - h),
    "tanh": lambda h: 1 - h**2,
    "linear": np.ones_like,
    "relu": lambda h: (h > 0).astype(np.float64),
    "leaky-relu": lambda h: np.where(h > 0, 1.0, 0.01),
}


@dataclass(frozen=True)
class Mistake:
    sign: float = 1.0  # -1: dL/dh^L taken as (y - h)
    # layer number -> "none" (factor dropped), "at-z" (formula evaluated at z), or the name of
    # the activation whose derivative is used instead
    # (kept as sorted pairs so that a Mistake can key a cache)
    derivatives: tuple[tuple[int, str], ...] = ()
    weight_input: str = "h"  # "z": z^{l-1} used where h^{l-1} belongs in dL/dW^l
    factor: float = 1.0  # the learning-rate factor of an update: 1, or -1 for ascent
    no_learning_rate: bool = False
    stale: bool = False  # hidden gradients computed with already-updated weights


def _through(net: Network, i: int, z, h, grad_h, mistake: Mistake) -> np.ndarray:
    """dL/dz^i from dL/dh^i, with layer i's derivative as the mistake has it."""
    layer = net.layers[i - 1]
    how = dict(mistake.derivatives).get(i)
    if how is None or layer.activation_name not in DERIVATIVE_OF_H:
        return layer.activation.backward(z, h, grad_h)
    if how == "none":
        return grad_h
    if how == "at-z":
        return grad_h * DERIVATIVE_OF_H[layer.activation_name](z)
    return grad_h * DERIVATIVE_OF_H[how](h)


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
        delta = mistake.sign * head.output_delta(net, zs[last], hs[last], y2)
    else:
        grad_h = mistake.sign * net.loss.gradient(hs[last], y2)
        delta = _through(net, last, zs[last], hs[last], grad_h, mistake)
    grads: dict[str, np.ndarray] = {}
    for i in range(last, 0, -1):
        below = zs[i - 1] if mistake.weight_input == "z" and i > 1 else hs[i - 1]
        grads[f"W{i}"], grads[f"b{i}"] = delta.T @ below, delta.sum(axis=0)
        if mistake.stale and learning_rate is not None:
            weights[f"W{i}"] = weights[f"W{i}"] - learning_rate * grads[f"W{i}"]
        if i > 1:
            delta = _through(net, i - 1, zs[i - 1], hs[i - 1], delta @ weights[f"W{i}"], mistake)
    return {key: grads[key].reshape(shape) for key, shape in net.shapes().items()}


def mistaken_step(
    net: Network, params: Mapping[str, np.ndarray], x, y, learning_rate: float, mistake: Mistake
) -> dict[str, np.ndarray]:
    grads = mistaken_backward(net, params, x, y, mistake, learning_rate)
    rate = 1.0 if mistake.no_learning_rate else learning_rate * mistake.factor
    return solver.step(params, grads, rate)
