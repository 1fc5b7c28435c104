"""The reference solver: forward pass, backpropagation and gradient descent (lecture notation).

Layers count from 1 (layer 0 is the input); W<l> is (units_l, units_{l-1}), z^l = W<l> h^{l-1} +
b<l>, h^l = act_l(z^l). A 1-D x is one observation, with 1-D values; a batch x is (m, inputs), with
(m, units) values and the loss the mean over rows (or their sum: Network.reduction). Functions
return fresh arrays and mutate nothing.

A layer's bias is one per unit (b<l> of shape (units,)), one shared by the layer's units (shape
(1,), broadcast in the forward pass, so dL/db<l> sums over the units too) or absent (no b<l>).
Frozen parameters are ones a training step leaves alone; their gradients are still computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from grader.protocols import Activation, Loss
from grader.reference import head

Array = np.ndarray
Params = Mapping[str, Array]
Bias = Literal["per-unit", "shared", "none"]
Reduction = Literal["mean", "sum"]


@dataclass(frozen=True)
class Layer:
    """A fully connected layer: its width and its activation (with its registered name)."""

    units: int
    activation: Activation
    activation_name: str
    bias: Bias = "per-unit"

    def bias_shape(self) -> tuple[int, ...] | None:
        """b<l>'s shape: (units,) per unit, (1,) shared, None when the layer has no bias."""
        return {"per-unit": (self.units,), "shared": (1,), "none": None}[self.bias]


@dataclass(frozen=True)
class Network:
    """A fully connected network and the loss it is trained on."""

    inputs: int
    layers: tuple[Layer, ...]
    loss: Loss
    loss_name: str
    reduction: Reduction = "mean"  # how the loss combines the rows of a batch
    frozen: frozenset[str] = field(default_factory=frozenset)  # parameters a step leaves alone

    def __post_init__(self) -> None:
        if not self.layers or min(self.inputs, *(layer.units for layer in self.layers)) < 1:
            raise ValueError("a network needs at least one layer and at least one unit everywhere")

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """{"W1": (units_1, inputs), "b1": (units_1,), "W2": ...} in layer order (a layer
        without a bias has no b<l>; a shared one is (1,)). A fresh dict: the caller's own."""
        return dict(self._shapes)

    @cached_property
    def _shapes(self) -> dict[str, tuple[int, ...]]:
        # Asked several times by every solve and every score: a class run asks thousands.
        widths = [self.inputs, *(layer.units for layer in self.layers)]
        shapes: dict[str, tuple[int, ...]] = {}
        for i, layer in enumerate(self.layers, start=1):
            shapes[f"W{i}"] = (widths[i], widths[i - 1])
            if (bias := layer.bias_shape()) is not None:
                shapes[f"b{i}"] = bias
        return shapes

    def rows_factor(self, m: int) -> float:
        """What turns the mean over m rows into the reduction's value: 1, or m for a sum."""
        return float(m) if self.reduction == "sum" else 1.0

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
    values, used = _layers(net, p, lead, h, pinned)
    shaped = {key: v.reshape(*lead, v.shape[-1]) for key, v in values.items()}
    return Forward(shaped, frozenset(used))


def _layers(
    net: Network, p: dict[str, Array], lead: tuple, h: Array, pinned: Params | None
) -> tuple[dict[str, Array], set[str]]:
    """Every z^l and h^l as a 2-D batch, from checked params and a 2-D x; the pinned used."""
    pinned = dict(pinned or {})  # a copy we empty as we go: what is left was misnamed
    values: dict[str, Array] = {}
    used: set[str] = set()
    for i, layer in enumerate(net.layers, start=1):
        z = h @ p[f"W{i}"].T
        values[f"z{i}"] = z = z + p[f"b{i}"] if f"b{i}" in p else z  # (1,) broadcasts
        h = layer.activation.forward(z)
        if (pin := pinned.pop(f"h{i}", None)) is not None:
            printed = np.atleast_2d(_array(pin, f"pinned h{i}", (*lead, layer.units)))
            h = np.where(np.isnan(printed), h, printed)
            if not np.all(np.isnan(printed)):
                used.add(f"h{i}")
        values[f"h{i}"] = h
    for key in pinned:
        raise ValueError(f"pinned {key}: no such output (expected one of h1..h{len(net.layers)})")
    return values, used


def loss(net: Network, params: Params, x: Array, y: Array) -> float:
    """The loss on x, y: the mean (or sum) over rows of a batch (exact from z^L where it can be)."""
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
    net: Network,
    params: Params,
    x: Array,
    y: Array,
    fwd: Forward | None = None,
    pinned_deltas: Params | None = None,
) -> dict[str, Array]:
    """dL/dp for every parameter p, in fresh arrays with exactly the parameter shapes.

    Weight gradients use fwd's h values (pinned ones included). A layer's derivative comes from
    z (exact_backward, exact where h saturates) unless its h is pinned, then from the printed h
    as a hand calculation does; likewise dL/dz^L (head.py). Without fwd, the exact forward pass.
    A pinned delta ("z<l>": dL/dz^l as printed, NaN where not) replaces the computed one.
    """
    return backprop(net, params, x, y, fwd, pinned_deltas)[0]


def deltas(
    net: Network, params: Params, x: Array, y: Array, fwd: Forward | None = None
) -> dict[str, Array]:
    """dL/dz^l of every layer, keyed "z1", "z2", ..., shaped like z^l."""
    return backprop(net, params, x, y, fwd)[1]


def bias_gradient(layer: Layer, delta: Array) -> Array | None:
    """dL/db of a layer from its dL/dz (m, units); None for a layer without a bias."""
    if layer.bias == "none":
        return None
    # A shared bias feeds every unit: its gradient sums over the units as well as the rows.
    return delta.sum(axis=0) if layer.bias == "per-unit" else np.array([delta.sum()])


def _pin(delta: Array, printed: Array | None, shape: tuple[int, ...], key: str) -> Array:
    if printed is None:
        return delta
    pinned = np.atleast_2d(_array(printed, f"pinned delta {key}", shape))
    return np.where(np.isnan(pinned), delta, pinned)


def backprop(
    net: Network,
    params: Params,
    x: Array,
    y: Array,
    fwd: Forward | None = None,
    pinned_deltas: Params | None = None,
) -> tuple[dict[str, Array], dict[str, Array]]:
    """(gradients, deltas): see backward and deltas."""
    p, (lead, x2, y2) = _params(net, params), _batch(net, x, y)
    pins = dict(pinned_deltas or {})
    if fwd is None:  # the exact pass, made here: 2-D already, nothing to check or copy
        v, pinned = _layers(net, p, lead, x2, None)[0], frozenset[str]()
    else:
        pinned = fwd.pinned
        v = {  # fwd's values as 2-D batches, checked against the network and x
            key: np.atleast_2d(_array(fwd.values.get(key), f"fwd {key}", (*lead, layer.units)))
            for i, layer in enumerate(net.layers, start=1)
            for key in (f"z{i}", f"h{i}")
        }
    last = len(net.layers)
    hs = [x2, *(v[f"h{i}"] for i in range(1, last + 1))]
    delta = head.output_delta(net, v[f"z{last}"], hs[last], y2, f"h{last}" in pinned)
    grads: dict[str, Array] = {}
    deltas: dict[str, Array] = {}
    for i in range(last, 0, -1):  # delta is dL/dz^i
        layer = net.layers[i - 1]
        delta = _pin(delta, pins.get(f"z{i}"), (*lead, layer.units), f"z{i}")
        deltas[f"z{i}"] = delta.reshape(*lead, layer.units)
        grads[f"W{i}"] = delta.T @ hs[i - 1]
        if (bias := bias_gradient(layer, delta)) is not None:
            grads[f"b{i}"] = bias
        if i > 1:
            delta = _through(net.layers[i - 2], i - 1, v, delta @ p[f"W{i}"], pinned)
    ordered = {key: deltas[key] for key in sorted(deltas, key=lambda k: int(k[1:]))}
    return {key: grads[key] for key in net.shapes()}, ordered


def step(
    params: Params, grads: Params, learning_rate: float, frozen: frozenset[str] = frozenset()
) -> dict[str, Array]:
    """One step of gradient descent, p - learning_rate * g, in a fresh dict; a frozen p stays."""
    for key in sorted(set(params) ^ set(grads)):
        raise ValueError(f"{key}: in {'params' if key in params else 'grads'} only")
    new = {key: _array(grads[key], f"gradient {key}", np.shape(p)) for key, p in params.items()}
    old = {key: np.array(p, dtype=np.float64) for key, p in params.items()}
    return {key: p if key in frozen else p - learning_rate * new[key] for key, p in old.items()}


def update(net: Network, params: Params, grads: Params, learning_rate: float) -> dict[str, Array]:
    """The network's gradient-descent step: its frozen parameters are left as they are."""
    return step(params, grads, learning_rate, net.frozen)


def train(
    net: Network, params: Params, x: Array, y: Array, learning_rate: float, iterations: int
) -> tuple[dict[str, Array], list[float]]:
    """Gradient descent: the params after `iterations` steps, the loss before each and after."""
    if int(iterations) != iterations or iterations < 0:
        raise ValueError(f"iterations must be a whole number >= 0, not {iterations!r}")
    p, losses = _params(net, params), []
    for _ in range(iterations):
        losses.append(loss(net, p, x, y))
        p = update(net, p, backward(net, p, x, y), learning_rate)
    return p, [*losses, loss(net, p, x, y)]
