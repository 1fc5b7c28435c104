"""The reference solver: forward pass, backpropagation and gradient descent (lecture notation).

Layers count from 1 (layer 0 is the input); W<l> is (units_l, units_{l-1}), z^l = W<l> h^{l-1} +
b<l>, h^l = act_l(z^l). A 1-D x is one observation, with 1-D values; a batch x is (m, inputs), with
(m, units) values and the loss the mean over rows. Functions return fresh arrays and mutate nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from grader.protocols import Activation, Loss
from grader.reference import head

Array = np.ndarray
Params = Mapping[str, Array]


@dataclass(frozen=True)
class Layer:
    """A fully connected layer: its width and its activation (with its registered name)."""

    units: int
    activation: Activation
    activation_name: str


@dataclass(frozen=True)
class Network:
    """A fully connected network and the loss it is trained on."""

    inputs: int
    layers: tuple[Layer, ...]
    loss: Loss
    loss_name: str

    def __post_init__(self) -> None:
        if not self.layers or min(self.inputs, *(layer.units for layer in self.layers)) < 1:
            raise ValueError("a network needs at least one layer and at least one unit everywhere")

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """{"W1": (units_1, inputs), "b1": (units_1,), "W2": ...} in layer order."""
        widths = [self.inputs, *(layer.units for layer in self.layers)]
        shapes: dict[str, tuple[int, ...]] = {}
        for i in range(1, len(widths)):
            shapes[f"W{i}"], shapes[f"b{i}"] = (widths[i], widths[i - 1]), (widths[i],)
        return shapes

    @property
    def outputs(self) -> int:
        return self.layers[-1].units


@dataclass(frozen=True)
class Forward:
    """Every layer's pre-activation and output: "z1", "h1", "z2", "h2", ...

    `pinned` names the outputs replaced (in part) by printed values: backward then reproduces
    the hand calculation from them instead of the exact path from z.
    """

    values: dict[str, Array]
    pinned: frozenset[str] = frozenset()

    def output(self) -> Array:
        """h^L, the network's prediction."""
        return self.values[f"h{len(self.values) // 2}"].copy()


def _array(value: object, key: str, shape: tuple[int, ...]) -> Array:
    a = np.array(value, dtype=np.float64)  # a copy: the caller's arrays are never aliased
    if a.shape != shape or a.size == 0:
        raise ValueError(f"{key} has shape {a.shape}, expected {shape}")
    return a


def _params(net: Network, params: Params) -> dict[str, Array]:
    shapes = net.shapes()
    for key in sorted(set(params) ^ set(shapes)):
        raise ValueError(f"{key}: {'missing' if key in shapes else 'unexpected'} parameter")
    return {key: _array(params[key], key, shape) for key, shape in shapes.items()}


def _batch(net: Network, x: Array, y: Array | None = None) -> tuple:
    """The leading shape (() for one observation, (m,) for a batch), then x and y as batches."""
    lead = np.shape(x)[:1] if np.ndim(x) == 2 else ()
    x2 = np.atleast_2d(_array(x, "x", (*lead, net.inputs)))
    return lead, x2, None if y is None else np.atleast_2d(_array(y, "y", (*lead, net.outputs)))


def forward(net: Network, params: Params, x: Array, pinned: Params | None = None) -> Forward:
    """Run the network; a pinned "h<l>" array replaces that output wherever it is not NaN."""
    p, (lead, h, _) = _params(net, params), _batch(net, x)
    pinned = dict(pinned or {})  # a copy we empty as we go: what is left was misnamed
    values: dict[str, Array] = {}
    used: set[str] = set()
    for i, layer in enumerate(net.layers, start=1):
        values[f"z{i}"] = z = h @ p[f"W{i}"].T + p[f"b{i}"]
        h = layer.activation.forward(z)
        if (pin := pinned.pop(f"h{i}", None)) is not None:
            printed = np.atleast_2d(_array(pin, f"pinned h{i}", (*lead, layer.units)))
            h = np.where(np.isnan(printed), h, printed)
            if not np.all(np.isnan(printed)):
                used.add(f"h{i}")
        values[f"h{i}"] = h
    for key in pinned:
        raise ValueError(f"pinned {key}: no such output (expected one of h1..h{len(net.layers)})")
    shaped = {key: v.reshape(*lead, v.shape[-1]) for key, v in values.items()}
    return Forward(shaped, frozenset(used))


def loss(net: Network, params: Params, x: Array, y: Array) -> float:
    """The loss on x, y: the mean over rows for a batch (exact from z^L where it can be)."""
    y2, fwd = _batch(net, x, y)[2], forward(net, params, x)
    z = np.atleast_2d(fwd.values[f"z{len(net.layers)}"])
    return head.loss_value(net, z, np.atleast_2d(fwd.output()), y2)


def _through(layer: Layer, i: int, v: dict[str, Array], grad_h: Array, pinned: frozenset) -> Array:
    """dL/dz^i from dL/dh^i: from z where h^i is exact (and the activation can), else from h."""
    exact = getattr(layer.activation, "exact_backward", None)
    if exact is None or f"h{i}" in pinned:
        return layer.activation.backward(v[f"z{i}"], v[f"h{i}"], grad_h)
    return exact(v[f"z{i}"], grad_h)


def backward(
    net: Network, params: Params, x: Array, y: Array, fwd: Forward | None = None
) -> dict[str, Array]:
    """dL/dp for every parameter p, in fresh arrays with exactly the parameter shapes.

    Weight gradients use fwd's h values (pinned ones included). A layer's derivative comes from
    z (exact_backward, exact where h saturates) unless its h is pinned, then from the printed h
    as a hand calculation does; likewise dL/dz^L (head.py). Without fwd, the exact forward pass.
    """
    p, (lead, x2, y2) = _params(net, params), _batch(net, x, y)
    fwd = forward(net, p, x) if fwd is None else fwd
    v = {  # fwd's values as 2-D batches, checked against the network and x
        key: np.atleast_2d(_array(fwd.values.get(key), f"fwd {key}", (*lead, layer.units)))
        for i, layer in enumerate(net.layers, start=1)
        for key in (f"z{i}", f"h{i}")
    }
    last = len(net.layers)
    hs = [x2, *(v[f"h{i}"] for i in range(1, last + 1))]
    delta = head.output_delta(net, v[f"z{last}"], hs[last], y2, f"h{last}" in fwd.pinned)
    grads: dict[str, Array] = {}
    for i in range(last, 0, -1):  # delta is dL/dz^i
        grads[f"W{i}"], grads[f"b{i}"] = delta.T @ hs[i - 1], delta.sum(axis=0)
        if i > 1:
            delta = _through(net.layers[i - 2], i - 1, v, delta @ p[f"W{i}"], fwd.pinned)
    return {key: grads[key] for key in net.shapes()}


def step(params: Params, grads: Params, learning_rate: float) -> dict[str, Array]:
    """One step of gradient descent, p - learning_rate * g, in a fresh dict."""
    for key in sorted(set(params) ^ set(grads)):
        raise ValueError(f"{key}: in {'params' if key in params else 'grads'} only")
    new = {key: _array(grads[key], f"gradient {key}", np.shape(p)) for key, p in params.items()}
    return {
        key: np.asarray(params[key], dtype=np.float64) - learning_rate * g for key, g in new.items()
    }


def train(
    net: Network, params: Params, x: Array, y: Array, learning_rate: float, iterations: int
) -> tuple[dict[str, Array], list[float]]:
    """Gradient descent: the params after `iterations` steps, the loss before each and after."""
    if int(iterations) != iterations or iterations < 0:
        raise ValueError(f"iterations must be a whole number >= 0, not {iterations!r}")
    p, losses = _params(net, params), []
    for _ in range(iterations):
        losses.append(loss(net, p, x, y))
        p = step(p, backward(net, p, x, y), learning_rate)
    return p, [*losses, loss(net, p, x, y)]
