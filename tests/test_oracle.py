"""The reference solver against an independent oracle: complex-step differentiation.

dL/dp = Im L(p + ih) / h with h = 1e-30 is no finite difference: nothing is subtracted, so it is
exact to machine precision whatever h, and it needs no backpropagation, only a forward pass in
complex arithmetic. That forward pass is written here from the definitions, independently of
grader/reference: the oracle's numbers use nothing from the solver (its forward pass only helps
pick the draws: away from kinks, and how far to scale for saturation). One
complex forward pass per network computes every partial derivative at once: copy q of the
parameters carries +ih on entry q only.

Cross-entropies are evaluated from z^L, as they must be to mean anything at saturation, with
complex-safe log-sigmoid and log-softmax of our own (log1p of a complex number below keeps its
real part exact near 0; log-sum-exp is anchored at the largest entry, so no 1 + tiny is rounded).

Networks: every built-in activation (hidden layers: all six, softmax with 2 units or more),
every built-in loss with every output activation the loader accepts for it, depths 1-4, widths
1-5, one observation or a batch of 2-4 rows (mean reduction), half of them saturated: layer
after layer scaled until max |z^l| is 50 to 1000, so that sigmoid, tanh and softmax outputs
round to 0 or +-1 and cross-entropies see confident right and wrong answers. relu and leaky-relu
have a kink at 0 where neither derivative is the derivative: draws with any |z| < 1e-3 at a
kinked layer are redrawn (the reference takes the left derivative there; see test_activations).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest

from grader.reference import activations as act
from grader.reference import losses
from grader.reference.network import Layer, Network, backward, forward, loss

STEP = 1e-30
RTOL = 1e-9
# The derivative travels as Im = 1e-30 * dL/dp: below about 1e-278 that is a subnormal number,
# and digits are lost long before it reaches 0 (e^-1000 underflows in both codes anyway). An
# entry is compared absolutely below this floor, far under anything that is not an underflow
# (every non-zero gradient here is above 1e-20 unless it comes from an e^-700 or smaller).
ATOL = 1e-250

ELEMENTWISE = ["linear", "sigmoid", "tanh", "relu", "leaky-relu"]
HIDDEN = [*ELEMENTWISE, "softmax"]
KINKED = {"relu", "leaky-relu"}
# Every output activation the loader accepts for each built-in loss (exercise/pairings.py).
PAIRINGS = {
    "half-squared-error": HIDDEN,
    "mean-squared-error": HIDDEN,
    "binary-cross-entropy": ["sigmoid", "softmax"],
    "categorical-cross-entropy": ["softmax", "sigmoid"],
}
SOLVER_ACTIVATIONS = {
    "linear": act.linear,
    "sigmoid": act.sigmoid,
    "tanh": act.tanh,
    "relu": act.relu,
    "leaky-relu": act.leaky_relu,
    "softmax": act.softmax,
}
SOLVER_LOSSES = {
    "half-squared-error": losses.half_squared_error,
    "mean-squared-error": losses.mean_squared_error,
    "binary-cross-entropy": losses.binary_cross_entropy,
    "categorical-cross-entropy": losses.categorical_cross_entropy,
}


# --- complex-safe elementary functions -------------------------------------------------------


def log1p_c(u: np.ndarray) -> np.ndarray:
    """log(1 + u) for complex u with Re u > -1: |1 + u|^2 = 1 + (2c + c^2 + d^2) keeps the real
    part exact for small u, and the argument comes from atan2 (no cancellation either)."""
    c, d = u.real, u.imag
    return 0.5 * np.log1p(c * (2.0 + c) + d * d) + 1j * np.arctan2(d, 1.0 + c)


def softplus_c(w: np.ndarray) -> np.ndarray:
    """log(1 + e^w) = max(w, 0) + log(1 + e^-|w|), taking the branch on Re w."""
    positive = w.real >= 0
    lp = log1p_c(np.exp(np.where(positive, -w, w)))  # the exponent has Re <= 0: no overflow
    return np.where(positive, w + lp, lp)


def sigmoid_c(w: np.ndarray) -> np.ndarray:
    positive = w.real >= 0
    e = np.exp(np.where(positive, -w, w))
    return np.where(positive, 1.0 / (1.0 + e), e / (1.0 + e))


def _top(w: np.ndarray) -> np.ndarray:
    """The entry of each row with the largest real part (complex), kept as a column."""
    return np.take_along_axis(w, w.real.argmax(axis=-1)[..., None], axis=-1)


def logsumexp_c(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log sum_k e^(w_k) = top + log1p(r), r = sum over the other entries of e^(w_k - top).

    Returned as (top, log1p(r)), so that a caller can subtract top first (exactly 0 for the
    top entry itself); entries of -inf (masked out) contribute e^-inf = 0.
    """
    top = _top(w)
    with np.errstate(invalid="ignore"):
        e = np.exp(w - top)
    first = w.real.argmax(axis=-1)[..., None]
    np.put_along_axis(e, first, 0.0, axis=-1)  # the top entry is the 1 in log1p
    return top, log1p_c(e.sum(axis=-1, keepdims=True))


def log_softmax_c(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log h, log(1 - h)) for h = softmax(w) over the last axis."""
    top, lp = logsumexp_c(w)
    logh = (w - top) - lp
    n = w.shape[-1]
    log1mh = np.empty_like(w)
    for j in range(n):
        small = np.exp(logh[..., j]).real < 0.5
        rest = np.delete(w, j, axis=-1)  # log(1 - h_j) = logsumexp(w without j) - logsumexp(w)
        rtop, rlp = logsumexp_c(rest)
        dominant = ((rtop - top) + rlp - lp)[..., 0]
        with np.errstate(divide="ignore", invalid="ignore"):  # the branch not taken
            log1mh[..., j] = np.where(small, log1p_c(-np.exp(logh[..., j])), dominant)
    return logh, log1mh


def activation_c(name: str, w: np.ndarray, slope: float = 0.01) -> np.ndarray:
    if name == "linear":
        return w
    if name == "sigmoid":
        return sigmoid_c(w)
    if name == "tanh":
        return np.tanh(w)  # numpy's complex tanh is accurate and saturates without overflow
    if name == "relu":
        return np.where(w.real > 0, w, 0.0)
    if name == "leaky-relu":
        return np.where(w.real > 0, w, slope * w)
    top = _top(w)  # softmax
    e = np.exp(w - top)
    return e / e.sum(axis=-1, keepdims=True)


def log_output_c(name: str, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if name == "sigmoid":
        return -softplus_c(-w), -softplus_c(w)
    return log_softmax_c(w)


def loss_c(
    loss_name: str, out: str, w: np.ndarray, h: np.ndarray, y: np.ndarray, reduction: str = "mean"
) -> np.ndarray:
    """The mean (or sum) over rows of the per-row loss; w, h are (copies, m, outputs)."""
    if loss_name == "half-squared-error":
        rows = 0.5 * ((y - h) ** 2).sum(axis=-1)
    elif loss_name == "mean-squared-error":
        rows = ((y - h) ** 2).mean(axis=-1)
    else:
        logh, log1mh = log_output_c(out, w)
        rows = -(y * logh).sum(axis=-1)
        if loss_name == "binary-cross-entropy":
            rows = rows - np.where(y == 1.0, 0.0, (1.0 - y) * log1mh).sum(axis=-1)
    return rows.sum(axis=-1) if reduction == "sum" else rows.mean(axis=-1)


# --- the oracle ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    activations: list[str]
    loss_name: str
    params: dict[str, np.ndarray]
    x: np.ndarray  # (inputs,) or (m, inputs)
    y: np.ndarray
    # The format's options (test_format_options_match_the_oracle): a b<l> of shape (1,) is
    # shared by the layer's units, a missing one is no bias; leaky-relu's slope; the reduction.
    slope: float = 0.01
    reduction: str = "mean"


def oracle(draw: Draw) -> tuple[float, dict[str, np.ndarray]]:
    """The loss and dL/dp for every parameter entry, by one vectorized complex-step pass."""
    sizes = {k: v.size for k, v in draw.params.items()}
    copies = sum(sizes.values())
    stacked, offset = {}, 0
    for key, value in draw.params.items():
        c = np.broadcast_to(value, (copies, *value.shape)).astype(np.complex128)
        flat = c.reshape(copies, -1)
        flat[np.arange(offset, offset + value.size), np.arange(value.size)] += 1j * STEP
        stacked[key], offset = c, offset + value.size
    h = np.broadcast_to(np.atleast_2d(draw.x), (copies, *np.atleast_2d(draw.x).shape))
    h = h.astype(np.complex128)
    for i, name in enumerate(draw.activations, start=1):
        w = np.einsum("qmj,qkj->qmk", h, stacked[f"W{i}"])
        if f"b{i}" in stacked:  # (copies, 1, units) or, shared, (copies, 1, 1): broadcast
            w = w + stacked[f"b{i}"][:, None, :]
        h = activation_c(name, w, draw.slope)
    y = np.atleast_2d(draw.y)
    total = loss_c(draw.loss_name, draw.activations[-1], w, h, y, draw.reduction)
    grads, offset = {}, 0
    for key, value in draw.params.items():
        grads[key] = (total.imag[offset : offset + value.size] / STEP).reshape(value.shape)
        offset += value.size
    return float(total.real[0]), grads


def test_the_oracle_knows_a_derivative_by_heart() -> None:
    # L = 1/2 (y - w x)^2 for one linear unit: dL/dw = -(y - w x) x, dL/db = -(y - w x - b).
    draw = Draw(["linear"], "half-squared-error", {"W1": np.array([[0.5]]), "b1": np.zeros(1)},
                np.array([2.0]), np.array([3.0]))  # fmt: skip
    value, grads = oracle(draw)
    assert value == 2.0 and grads["W1"][0, 0] == -4.0 and grads["b1"][0] == -2.0


# --- random networks -------------------------------------------------------------------------


def solver_network(draw: Draw) -> Network:
    depth = len(draw.activations)
    widths = [np.shape(draw.x)[-1], *(draw.params[f"b{i}"].size for i in range(1, depth + 1))]
    layers = tuple(
        Layer(units, SOLVER_ACTIVATIONS[name], name)
        for units, name in zip(widths[1:], draw.activations, strict=True)
    )
    return Network(widths[0], layers, SOLVER_LOSSES[draw.loss_name], draw.loss_name)


def _targets(rng: np.random.Generator, loss_name: str, shape: tuple[int, ...]) -> np.ndarray:
    if loss_name == "binary-cross-entropy":  # hard labels, or soft ones anywhere in [0, 1]
        return rng.integers(0, 2, shape) * 1.0 if rng.random() < 0.5 else rng.uniform(0, 1, shape)
    if loss_name == "categorical-cross-entropy":  # one-hot, or any non-negative row
        one_hot = np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]
        return one_hot if rng.random() < 0.5 else rng.uniform(0, 2, shape)
    return rng.uniform(-1, 1, shape)


def _far_from_kinks(draw: Draw) -> bool:
    values = forward(solver_network(draw), draw.params, draw.x).values
    kinked = [i for i, a in enumerate(draw.activations, start=1) if a in KINKED]
    return all(np.min(np.abs(values[f"z{i}"])) >= 1e-3 for i in kinked)


def _saturate(draw: Draw, rng: np.random.Generator) -> None:
    """Scale layer after layer until each max |z^l| is 50 to 1000: every unit far out."""
    for i in range(1, len(draw.activations) + 1):
        z = forward(solver_network(draw), draw.params, draw.x).values[f"z{i}"]
        scale = rng.uniform(50, 1000) / max(np.max(np.abs(z)), 1e-3)
        draw.params[f"W{i}"] *= scale
        draw.params[f"b{i}"] *= scale


def make_draw(seed: int, loss_name: str, out: str, saturate: bool) -> Draw:
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))
    hidden = [HIDDEN[int(i)] for i in rng.integers(0, len(HIDDEN), depth - 1)]
    names = [*hidden, out]
    widths = [int(rng.integers(1, 6))]
    widths += [int(rng.integers(2 if n == "softmax" else 1, 6)) for n in names]
    lead = () if rng.random() < 0.5 else (int(rng.integers(2, 5)),)
    for _ in range(1000):  # redraw until every kinked layer is 1e-3 from its kink
        params = {}
        for i in range(1, depth + 1):
            params[f"W{i}"] = rng.uniform(-1, 1, (widths[i], widths[i - 1]))
            params[f"b{i}"] = rng.uniform(-1, 1, widths[i])
        x = rng.uniform(-1, 1, (*lead, widths[0]))
        draw = Draw(names, loss_name, params, x, _targets(rng, loss_name, (*lead, widths[-1])))
        if saturate:
            _saturate(draw, rng)
        if _far_from_kinks(draw):
            return draw
    raise AssertionError(f"seed {seed}: no draw kept every kinked layer away from its kink")


def _kinds() -> list[tuple[str, str, bool]]:
    kinds = []
    for loss_name, outs in PAIRINGS.items():
        for out in outs:
            kinds += [(loss_name, out, False), (loss_name, out, True)]
    return kinds


KINDS = _kinds()
PER_KIND = 16
CASES = [(n, *kind) for n, (kind, _) in enumerate(itertools.product(KINDS, range(PER_KIND)))]
IDS = [f"{loss_name}-{out}{'-saturated' if sat else ''}-{n}" for n, loss_name, out, sat in CASES]


def relative_errors(draw: Draw) -> dict[str, float]:
    """max |reference - oracle| / |oracle| per quantity, entries under ATOL compared absolutely."""
    net = solver_network(draw)
    exact_loss, exact = oracle(draw)
    # The solver must not even warn: no overflow, division by zero or invalid value.
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        grads = backward(net, draw.params, draw.x, draw.y)
        value = loss(net, draw.params, draw.x, draw.y)
    errors = {"loss": abs(value - exact_loss) / max(abs(exact_loss), ATOL / RTOL)}
    for key, want in exact.items():
        scale = np.maximum(np.abs(want), ATOL / RTOL)
        errors[key] = float(np.max(np.abs(grads[key] - want) / scale))
    return errors


@pytest.mark.parametrize(("seed", "loss_name", "out", "saturate"), CASES, ids=IDS)
def test_reference_matches_the_complex_step_oracle(
    seed: int, loss_name: str, out: str, saturate: bool
) -> None:
    errors = relative_errors(make_draw(seed, loss_name, out, saturate))
    worst = max(errors, key=errors.__getitem__)
    assert errors[worst] <= RTOL, f"{worst}: relative error {errors[worst]:.3g}"


# --- the format's options: shared and absent biases, leaky-relu's slope, a summed batch ------

BIASES = ["per-unit", "shared", "none"]
OPTION_CASES = list(range(48))


def _option_draw(seed: int) -> tuple[Draw, Network]:
    """A random network with a random bias mode per layer, leaky-relu at a random slope
    somewhere, and a batch whose loss is a sum or a mean (an oracle of their own: nothing from
    the solver but the layer shapes)."""
    rng = np.random.default_rng(10_000 + seed)
    depth = int(rng.integers(1, 4))
    names = [ELEMENTWISE[int(i)] for i in rng.integers(0, len(ELEMENTWISE), depth - 1)]
    names.append(["linear", "sigmoid", "tanh", "leaky-relu"][int(rng.integers(0, 4))])
    if "leaky-relu" not in names:
        names[int(rng.integers(0, depth))] = "leaky-relu"
    slope = float(rng.uniform(0.05, 0.5))
    biases = [BIASES[int(i)] for i in rng.integers(0, 3, depth)]
    reduction = "sum" if seed % 2 else "mean"
    widths = [int(rng.integers(1, 5)) for _ in range(depth + 1)]
    lead = (int(rng.integers(2, 5)),) if seed % 4 < 3 else ()
    leaky = act.leaky_relu.with_parameters(slope=slope)
    layers = tuple(
        Layer(units, leaky if name == "leaky-relu" else SOLVER_ACTIVATIONS[name], name, bias)
        for units, name, bias in zip(widths[1:], names, biases, strict=True)
    )
    net = Network(widths[0], layers, losses.half_squared_error, "half-squared-error", reduction)
    for _ in range(1000):
        params = {k: rng.uniform(-1, 1, shape) for k, shape in net.shapes().items()}
        x = rng.uniform(-1, 1, (*lead, widths[0]))
        y = rng.uniform(-1, 1, (*lead, widths[-1]))
        draw = Draw(names, "half-squared-error", params, x, y, slope, reduction)
        values = forward(net, params, x).values
        kinked = [i for i, a in enumerate(names, start=1) if a in KINKED]
        if all(np.min(np.abs(values[f"z{i}"])) >= 1e-3 for i in kinked):
            return draw, net
    raise AssertionError(f"seed {seed}: no draw away from the kinks")


@pytest.mark.parametrize("seed", OPTION_CASES, ids=[f"options-{n}" for n in OPTION_CASES])
def test_format_options_match_the_oracle(seed: int) -> None:
    draw, net = _option_draw(seed)
    exact_loss, exact = oracle(draw)
    grads = backward(net, draw.params, draw.x, draw.y)
    assert set(grads) == set(exact) == set(net.shapes())
    assert abs(loss(net, draw.params, draw.x, draw.y) - exact_loss) <= RTOL * abs(exact_loss)
    for key, want in exact.items():
        assert grads[key].shape == want.shape
        np.testing.assert_allclose(grads[key], want, rtol=RTOL, atol=ATOL, err_msg=key)


def test_the_options_draws_cover_every_option() -> None:
    nets = [_option_draw(seed)[1] for seed in OPTION_CASES]
    assert {layer.bias for net in nets for layer in net.layers} == set(BIASES)
    assert {net.reduction for net in nets} == {"mean", "sum"}
    slopes = {
        layer.activation.parameters["slope"]  # type: ignore[attr-defined]
        for net in nets
        for layer in net.layers
        if layer.activation_name == "leaky-relu"
    }
    assert len(slopes) > 10 and 0.01 not in slopes
