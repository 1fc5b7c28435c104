"""Tests for grader.reference.network: the lecture's numbers, a finite-difference oracle, purity."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from grader.reference import activations as act
from grader.reference import losses
from grader.reference.network import (
    Forward,
    Layer,
    Network,
    backprop,
    backward,
    deltas,
    forward,
    loss,
    step,
    train,
    update,
)

ACTIVATIONS = {
    "linear": act.linear,
    "sigmoid": act.sigmoid,
    "tanh": act.tanh,
    "relu": act.relu,
    "leaky_relu": act.leaky_relu,
    "softmax": act.softmax,
}
LOSSES = {
    "half_squared_error": losses.half_squared_error,
    "mean_squared_error": losses.mean_squared_error,
    "binary_cross_entropy": losses.binary_cross_entropy,
    "categorical_cross_entropy": losses.categorical_cross_entropy,
}


def make_network(inputs: int, layers: list[tuple[int, str]], loss_name: str) -> Network:
    """A network from (units, activation name) pairs, names as in ACTIVATIONS and LOSSES."""
    return Network(
        inputs=inputs,
        layers=tuple(Layer(units, ACTIVATIONS[name], name) for units, name in layers),
        loss=LOSSES[loss_name],
        loss_name=loss_name,
    )


# The lecture's house-price example: 2 inputs -> 2 sigmoid -> 1 linear, half squared error.
LECTURE = make_network(2, [(2, "sigmoid"), (1, "linear")], "half_squared_error")
PARAMS = {
    "W1": np.array([[0.2, 0.15], [0.5, 0.6]]),
    "b1": np.array([0.1, 0.25]),
    "W2": np.array([[0.3, 0.2]]),
    "b2": np.array([0.4]),
}
X, Y, LR = np.array([-0.32, -0.66]), np.array([-0.54]), 0.2
PRINTED_H = {"h1": np.array([0.484, 0.424]), "h2": np.array([0.63])}


def rounds_to(value: np.ndarray, printed: list, decimals: int) -> None:
    np.testing.assert_array_equal(np.round(value, decimals), np.array(printed))


# --- the lecture's numbers -------------------------------------------------------------------


def test_lecture_forward() -> None:
    values = forward(LECTURE, PARAMS, X).values
    # By hand: z1 = W1 x + b1 = [0.2(-0.32) + 0.15(-0.66) + 0.1, 0.5(-0.32) + 0.6(-0.66) + 0.25].
    np.testing.assert_allclose(values["z1"], [-0.063, -0.306], rtol=0, atol=1e-15)
    np.testing.assert_allclose(values["h1"], 1 / (1 + np.exp([0.063, 0.306])))
    rounds_to(values["h1"], [0.484, 0.424], 3)
    rounds_to(values["h2"], [0.63], 2)
    np.testing.assert_allclose(values["h2"], [0.3 * 0.4842552 + 0.2 * 0.4240914 + 0.4], atol=1e-7)
    assert values["z2"].shape == values["h2"].shape == (1,)


def test_lecture_loss_gradient_at_the_output() -> None:
    h2 = forward(LECTURE, PARAMS, X).output()
    rounds_to(LECTURE.loss.gradient(h2[None], Y[None])[0], [1.17], 2)  # -(y - h2)
    assert loss(LECTURE, PARAMS, X, Y) == pytest.approx(0.5 * (Y[0] - h2[0]) ** 2)


def test_lecture_gradients() -> None:
    grads = backward(LECTURE, PARAMS, X, Y)
    assert list(grads) == ["W1", "b1", "W2", "b2"]
    # The lecture's 0.5663 and 0.4961 are 1.17 * 0.484 and 1.17 * 0.424 from the rounded h;
    # the exact values round to 0.5666 and 0.4962 (see test_lecture_hand_calculation_pinned).
    np.testing.assert_allclose(grads["W2"], [[0.5666245, 0.4962272]], atol=1e-7)
    rounds_to(grads["b2"], [1.17], 2)
    rounds_to(grads["W1"], [[-0.028, -0.058], [-0.018, -0.038]], 3)
    rounds_to(grads["b1"], [0.088, 0.057], 3)
    # By hand, from the exact forward values: dL/dz1 = W2^T (h2 - y) * h1 (1 - h1).
    values = forward(LECTURE, PARAMS, X).values
    delta1 = PARAMS["W2"][0] * (values["h2"] - Y) * values["h1"] * (1 - values["h1"])
    np.testing.assert_allclose(grads["W1"], np.outer(delta1, X), rtol=1e-14)
    np.testing.assert_allclose(grads["b1"], delta1, rtol=1e-14)


def test_lecture_hand_calculation_pinned() -> None:
    fwd = forward(LECTURE, PARAMS, X, pinned=PRINTED_H)
    np.testing.assert_array_equal(fwd.values["h1"], PRINTED_H["h1"])
    grads = backward(LECTURE, PARAMS, X, Y, fwd)
    rounds_to(grads["W2"], [[0.5663, 0.4961]], 4)  # 1.17 * 0.484, 1.17 * 0.424
    np.testing.assert_allclose(grads["b2"], [1.17], rtol=1e-14)
    # 1.17 * 0.30 * 0.484 * (1 - 0.484) * (-0.32) and so on, exactly as the lecture writes them.
    hand = np.outer([1.17 * 0.3 * 0.484 * 0.516, 1.17 * 0.2 * 0.424 * 0.576], [-0.32, -0.66])
    np.testing.assert_allclose(grads["W1"], hand, rtol=1e-13)
    rounds_to(grads["W1"], [[-0.028, -0.058], [-0.018, -0.038]], 3)


def test_lecture_update() -> None:
    new = step(PARAMS, backward(LECTURE, PARAMS, X, Y), LR)
    # The lecture prints W1 = [[0.2056, 0.1616], [0.5036, 0.6076]] and b1 = [0.0824, 0.2386]:
    # its 0.5036, 0.6076 and 0.0824 come from updating with gradients already rounded to 3
    # decimals (0.5 - 0.2 * (-0.018)). The exact values 0.503658, 0.607545, 0.082466 round to
    # 0.5037, 0.6075 and 0.0825, which is what we assert.
    rounds_to(new["W1"], [[0.2056, 0.1616], [0.5037, 0.6075]], 4)
    rounds_to(new["b1"], [0.0825, 0.2386], 4)
    rounds_to(new["W2"], [[0.1867, 0.1008]], 4)
    rounds_to(new["b2"], [0.166], 3)
    # The lecture's own arithmetic, from its rounded gradients, does give its printed numbers.
    rounds_to(0.5 - LR * -0.018, 0.5036, 4)
    rounds_to(0.6 - LR * -0.038, 0.6076, 4)
    rounds_to(0.1 - LR * 0.088, 0.0824, 4)


def test_lecture_loss_falls_after_one_step() -> None:
    new = step(PARAMS, backward(LECTURE, PARAMS, X, Y), LR)
    before, after = loss(LECTURE, PARAMS, X, Y), loss(LECTURE, new, X, Y)
    assert before == pytest.approx(0.684561, abs=1e-6)
    assert after == pytest.approx(0.350636, abs=1e-6)


def test_lecture_training_losses_fall() -> None:
    params, history = train(LECTURE, PARAMS, X, Y, LR, 5)
    assert len(history) == 6 and all(a > b for a, b in itertools.pairwise(history))
    assert history[-1] == loss(LECTURE, params, X, Y)
    new = step(PARAMS, backward(LECTURE, PARAMS, X, Y), LR)
    first, _ = train(LECTURE, PARAMS, X, Y, LR, 1)
    for key in PARAMS:
        np.testing.assert_array_equal(first[key], new[key])


def test_train_zero_iterations() -> None:
    params, history = train(LECTURE, PARAMS, X, Y, LR, 0)
    assert history == [loss(LECTURE, PARAMS, X, Y)]
    for key in PARAMS:
        np.testing.assert_array_equal(params[key], PARAMS[key])
        assert not np.shares_memory(params[key], PARAMS[key])


# The lecture's scalar chain: x -> tanh -> tanh, L = 1/2 (y - h2)^2.
CHAIN = make_network(1, [(1, "tanh"), (1, "tanh")], "half_squared_error")


@pytest.mark.parametrize(
    ("w1", "b1", "w2", "b2", "x", "y"),
    [
        (0.5, 0.1, -0.8, 0.2, 1.5, 0.3),
        (1.2, -0.4, 0.7, 0.0, -0.9, -0.6),
        (0.1, 0.0, 2.0, 0.5, 3.0, 1.0),
    ],
    ids=["a", "b", "c"],
)
def test_lecture_scalar_chain(
    w1: float, b1: float, w2: float, b2: float, x: float, y: float
) -> None:
    h1 = np.tanh(w1 * x + b1)
    h2 = np.tanh(w2 * h1 + b2)
    params = {"W1": [[w1]], "b1": [b1], "W2": [[w2]], "b2": [b2]}
    grads = backward(CHAIN, params, np.array([x]), np.array([y]))
    # dL/dw2 = [-(y - h2)] [1 - h2^2] [h1], and one link further for w1.
    assert grads["W2"][0, 0] == pytest.approx(-(y - h2) * (1 - h2**2) * h1, rel=1e-13)
    dz1 = -(y - h2) * (1 - h2**2) * w2 * (1 - h1**2)
    assert grads["W1"][0, 0] == pytest.approx(dz1 * x, rel=1e-13)
    assert grads["b1"][0] == pytest.approx(dz1, rel=1e-13)


# --- the finite-difference oracle ------------------------------------------------------------

ELEMENTWISE = ["linear", "sigmoid", "tanh", "relu", "leaky_relu"]
# Output activations each loss is defined for: cross-entropies need h in (0, 1).
OUTPUTS = [("half_squared_error", a) for a in ELEMENTWISE]
OUTPUTS += [("mean_squared_error", a) for a in ELEMENTWISE]
OUTPUTS += [
    ("binary_cross_entropy", "sigmoid"),
    ("categorical_cross_entropy", "softmax"),
    ("categorical_cross_entropy", "sigmoid"),
]
CASES = [
    (n, loss_name, out, depth, rows, [ELEMENTWISE[(n + i) % 5] for i in range(depth - 1)])
    for n, ((loss_name, out), depth, rows) in enumerate(
        itertools.product(OUTPUTS, [1, 2, 3, 4], [None, 3])
    )
]
CASE_IDS = [
    "-".join([loss_name, out, f"d{depth}", "single" if rows is None else f"m{rows}", *hidden])
    for _, loss_name, out, depth, rows, hidden in CASES
]
KINKED = {"relu", "leaky_relu"}


def numeric_gradient(net: Network, params: dict, x: np.ndarray, y: np.ndarray) -> dict:
    # Central differences in float64 with step 1e-6: the truncation error is O(step^2) ~ 1e-12
    # and the rounding error ~ 1e-16 / 1e-6 = 1e-10 (losses are O(1)), so we compare with
    # atol 1e-7 and rtol 1e-5, far above both and far below any real mistake.
    eps, grads = 1e-6, {}
    for key, value in params.items():
        grads[key] = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus, minus = value.copy(), value.copy()
            plus[idx] += eps
            minus[idx] -= eps
            up = loss(net, {**params, key: plus}, x, y)
            down = loss(net, {**params, key: minus}, x, y)
            grads[key][idx] = (up - down) / (2 * eps)
    return grads


@pytest.mark.parametrize(
    ("seed", "loss_name", "out", "depth", "rows", "hidden"), CASES, ids=CASE_IDS
)
def test_backward_matches_finite_differences(
    seed: int, loss_name: str, out: str, depth: int, rows: int | None, hidden: list[str]
) -> None:
    rng = np.random.default_rng(seed)
    widths = rng.integers(1, 6, size=depth + 1).tolist()
    if out == "softmax":
        widths[-1] = max(widths[-1], 2)  # a one-unit softmax is the constant 1
    net = make_network(widths[0], list(zip(widths[1:], [*hidden, out], strict=True)), loss_name)
    lead = () if rows is None else (rows,)
    for _ in range(100):  # resample until every kinked activation is at least 1e-3 from its kink
        params = {k: rng.uniform(-1, 1, size=s) for k, s in net.shapes().items()}
        x = rng.uniform(-1, 1, size=(*lead, net.inputs))
        values = forward(net, params, x).values
        kinked = [i for i, a in enumerate([*hidden, out], start=1) if a in KINKED]
        if all(np.min(np.abs(values[f"z{i}"])) >= 1e-3 for i in kinked):
            break
    else:
        pytest.skip("no sample kept every relu away from its kink")
    y = net.loss.sample_targets(rng, (*lead, net.outputs))
    grads = backward(net, params, x, y)
    expected = numeric_gradient(net, params, x, y)
    assert list(grads) == list(net.shapes())
    for key in grads:
        assert grads[key].shape == params[key].shape
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-5, atol=1e-7, err_msg=key)


class PlainActivation:
    """The same activation without log_output: what a plugin gives, so the chain rule runs."""

    def __init__(self, inner) -> None:
        self.forward, self.backward = inner.forward, inner.backward


def test_exact_log_path_agrees_with_the_chain() -> None:
    # Away from saturation the exact path from z and the general chain through dL/dh agree.
    rng = np.random.default_rng(7)
    for loss_name, out in [
        ("binary_cross_entropy", "sigmoid"),
        ("binary_cross_entropy", "softmax"),
        ("categorical_cross_entropy", "softmax"),
        ("categorical_cross_entropy", "sigmoid"),
    ]:
        net = make_network(3, [(4, "tanh"), (3, out)], loss_name)
        plain = Layer(3, PlainActivation(ACTIVATIONS[out]), f"my-{out}")
        chain = Network(3, (net.layers[0], plain), net.loss, loss_name)
        params = {k: rng.uniform(-1, 1, size=s) for k, s in net.shapes().items()}
        x, y = rng.uniform(-1, 1, size=(5, 3)), rng.uniform(0, 1, size=(5, 3))
        exact, chained = backward(net, params, x, y), backward(chain, params, x, y)
        for key in exact:
            np.testing.assert_allclose(exact[key], chained[key], rtol=1e-12, atol=1e-15)
        assert loss(net, params, x, y) == pytest.approx(loss(chain, params, x, y), rel=1e-13)


def one_layer(out: str, loss_name: str, b1: list[float]) -> tuple[Network, dict]:
    """A network whose output pre-activation is exactly b1 (its input is 0)."""
    net = make_network(1, [(len(b1), out)], loss_name)
    return net, {"W1": np.zeros((len(b1), 1)), "b1": np.array(b1)}


@pytest.mark.parametrize(
    ("out", "loss_name", "b1", "y", "expected"),
    [
        ("sigmoid", "categorical_cross_entropy", [-40.0], [1.0], [-1.0]),  # was -0.004248
        (
            "softmax",
            "binary_cross_entropy",
            [40.0, 0.0],
            [0.0, 1.0],
            [2.0, -2.0],
        ),  # was [0, -0.0085]
        ("softmax", "categorical_cross_entropy", [0.3, 0.0], [1.0, 1.0], None),  # h sum(y) - y
        ("sigmoid", "binary_cross_entropy", [1000.0], [0.0], [1.0]),
        ("softmax", "categorical_cross_entropy", [1000.0, -1000.0], [0.0, 1.0], [1.0, -1.0]),
    ],
    ids=["cce-sigmoid-z-40", "bce-softmax-z-40", "cce-softmax-row-sum-2", "bce-z1000", "cce-gap"],
)
def test_issue_9_cases_are_exact(out: str, loss_name: str, b1: list, y: list, expected) -> None:
    net, params = one_layer(out, loss_name, b1)
    grads = backward(net, params, np.zeros(1), np.array(y))
    if expected is None:  # 2 softmax(z) - y
        e = np.exp(np.array(b1))
        expected = 2 * e / e.sum() - np.array(y)
    np.testing.assert_allclose(grads["b1"], expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("gap", [100.0, 1000.0], ids=["gap-100", "gap-1000"])
def test_a_confident_wrong_answer_costs_its_logit_gap(gap: float) -> None:
    # -log sigmoid(-gap) = gap + log1p(e^-gap): 100 exactly in float64, where clipping gave 34.54.
    net, params = one_layer("sigmoid", "binary_cross_entropy", [-gap])
    assert loss(net, params, np.zeros(1), np.array([1.0])) == gap
    net, params = one_layer("softmax", "categorical_cross_entropy", [gap, 0.0])
    assert loss(net, params, np.zeros(1), np.array([0.0, 1.0])) == gap


def test_a_confident_right_answer_costs_its_tiny_exact_loss() -> None:
    net, params = one_layer("softmax", "categorical_cross_entropy", [40.0, 0.0])
    assert loss(net, params, np.zeros(1), np.array([1.0, 0.0])) == pytest.approx(
        np.exp(-40.0), rel=1e-15
    )


def test_pinned_output_is_the_hand_calculation_h_minus_y() -> None:
    # A printed softmax output drives dL/dz^L = h - y, as the lecture writes it, not z.
    net, params = one_layer("softmax", "categorical_cross_entropy", [0.3, 0.0, -0.2])
    printed = {"h1": np.array([0.42, 0.31, 0.26])}
    fwd = forward(net, params, np.zeros(1), pinned=printed)
    assert fwd.pinned == {"h1"}
    grads = backward(net, params, np.zeros(1), np.array([0.0, 1.0, 0.0]), fwd)
    np.testing.assert_array_equal(grads["b1"], printed["h1"] - [0.0, 1.0, 0.0])
    assert forward(net, params, np.zeros(1), pinned={"h1": np.full(3, np.nan)}).pinned == set()


# --- batches, shapes, purity -----------------------------------------------------------------


def test_batch_is_the_mean_of_single_observations() -> None:
    rng = np.random.default_rng(3)
    net = make_network(2, [(3, "tanh"), (2, "sigmoid")], "binary_cross_entropy")
    params = {k: rng.uniform(-1, 1, size=s) for k, s in net.shapes().items()}
    x, y = rng.uniform(-1, 1, size=(4, 2)), net.loss.sample_targets(rng, (4, 2))
    singles = [backward(net, params, x[r], y[r]) for r in range(4)]
    batch = backward(net, params, x, y)
    for key in batch:
        np.testing.assert_allclose(batch[key], np.mean([g[key] for g in singles], axis=0))
    assert loss(net, params, x, y) == pytest.approx(
        np.mean([loss(net, params, x[r], y[r]) for r in range(4)])
    )
    values = forward(net, params, x).values
    assert {k: v.shape for k, v in values.items()} == {
        "z1": (4, 3),
        "h1": (4, 3),
        "z2": (4, 2),
        "h2": (4, 2),
    }
    np.testing.assert_allclose(values["h1"][1], forward(net, params, x[1]).values["h1"])


def test_lecture_as_a_batch_of_one_row() -> None:
    single, batch = backward(LECTURE, PARAMS, X, Y), backward(LECTURE, PARAMS, X[None], Y[None])
    for key in single:
        np.testing.assert_array_equal(single[key], batch[key])
    assert forward(LECTURE, PARAMS, X[None]).values["h1"].shape == (1, 2)


def test_backward_twice_is_equal_and_independent() -> None:
    # micrograd issue #53: gradients must not accumulate across calls.
    saved = {k: v.copy() for k, v in PARAMS.items()}
    x, y = X.copy(), Y.copy()
    first = backward(LECTURE, PARAMS, x, y)
    second = backward(LECTURE, PARAMS, x, y)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
        assert not np.shares_memory(first[key], second[key])
    first["W1"][...] = 99.0  # a caller scribbling on one result leaves the next alone
    np.testing.assert_array_equal(backward(LECTURE, PARAMS, x, y)["W1"], second["W1"])
    for key in PARAMS:
        np.testing.assert_array_equal(PARAMS[key], saved[key])
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(y, Y)


def test_forward_and_step_do_not_alias_or_mutate() -> None:
    saved = {k: v.copy() for k, v in PARAMS.items()}
    x = X.copy()
    fwd = forward(LECTURE, PARAMS, x)
    fwd.output()[...] = 5.0
    assert fwd.output()[0] != 5.0
    grads = backward(LECTURE, PARAMS, X, Y)
    new = step(PARAMS, grads, LR)
    for key in PARAMS:
        np.testing.assert_array_equal(PARAMS[key], saved[key])
        assert not np.shares_memory(new[key], PARAMS[key])
    np.testing.assert_array_equal(x, X)


def test_pinned_nan_keeps_the_computed_value() -> None:
    exact = forward(LECTURE, PARAMS, X).values
    fwd = forward(LECTURE, PARAMS, X, pinned={"h1": np.array([0.484, np.nan])})
    np.testing.assert_array_equal(fwd.values["h1"], [0.484, exact["h1"][1]])
    # The pinned h1 feeds the next layer: z2 = W2 h1 + b2 uses 0.484.
    assert fwd.values["z2"][0] == pytest.approx(0.3 * 0.484 + 0.2 * exact["h1"][1] + 0.4)


def test_network_shapes_and_outputs() -> None:
    net = make_network(3, [(4, "relu"), (2, "tanh"), (1, "linear")], "mean_squared_error")
    assert net.shapes() == {
        "W1": (4, 3),
        "b1": (4,),
        "W2": (2, 4),
        "b2": (2,),
        "W3": (1, 2),
        "b3": (1,),
    }
    assert net.outputs == 1
    assert isinstance(forward(LECTURE, PARAMS, X), Forward)


def test_shapes_are_a_fresh_dict_each_time() -> None:
    shapes = LECTURE.shapes()
    shapes.pop("W1")
    assert "W1" in LECTURE.shapes()


@pytest.mark.parametrize("batch", [False, True], ids=["one", "batch"])
def test_backward_makes_the_same_pass_forward_makes(batch: bool) -> None:
    # Without fwd, backprop runs its own pass: bit for bit what forward() gives and backward
    # is handed.
    x, y = (np.stack([X, -X]), np.stack([Y, Y])) if batch else (X, Y)
    own, handed = (
        backprop(LECTURE, PARAMS, x, y),
        backprop(LECTURE, PARAMS, x, y, forward(LECTURE, PARAMS, x)),
    )
    for a, b in zip(own, handed, strict=True):
        assert a.keys() == b.keys()
        assert all(np.array_equal(a[k], b[k]) and a[k].shape == b[k].shape for k in a)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"params": {k: v for k, v in PARAMS.items() if k != "W1"}}, "W1: missing"),
        ({"params": {**PARAMS, "W3": np.zeros((1, 1))}}, "W3: unexpected"),
        ({"params": {**PARAMS, "b2": np.zeros(2)}}, "b2 has shape"),
        ({"params": {**PARAMS, "W1": np.zeros((2, 3))}}, "W1 has shape"),
        ({"x": np.zeros(3)}, "x has shape"),
        ({"x": np.zeros((2, 2, 2))}, "x has shape"),
        ({"x": np.zeros((0, 2)), "y": np.zeros((0, 1))}, "x has shape"),
        ({"y": np.zeros(2)}, "y has shape"),
        ({"y": np.zeros((1, 1))}, "y has shape"),
        ({"x": np.zeros((3, 2)), "y": np.zeros((2, 1))}, "y has shape"),
    ],
    ids=[
        "missing",
        "unexpected",
        "b2-shape",
        "W1-shape",
        "x-width",
        "x-3d",
        "x-empty",
        "y-width",
        "y-2d-for-1d-x",
        "y-rows",
    ],
)
def test_bad_input_is_a_value_error_naming_the_key(change: dict, match: str) -> None:
    args = {"params": PARAMS, "x": X, "y": Y, **change}
    with pytest.raises(ValueError, match=match):
        backward(LECTURE, args["params"], args["x"], args["y"])
    with pytest.raises(ValueError, match=match):
        train(LECTURE, args["params"], args["x"], args["y"], LR, 1)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: forward(LECTURE, PARAMS, X, pinned={"h3": [0.0]}), "pinned h3"),
        (lambda: forward(LECTURE, PARAMS, X, pinned={"h1": [0.5]}), "pinned h1 has shape"),
        (lambda: backward(LECTURE, PARAMS, X, Y, Forward({"z1": np.zeros(2)})), "fwd h1"),
        (
            lambda: backward(LECTURE, PARAMS, X[None], Y[None], forward(LECTURE, PARAMS, X)),
            "fwd z1",
        ),
        (lambda: step(PARAMS, {"W1": np.zeros((2, 2))}, LR), "W2: in params only"),
        (lambda: step(PARAMS, {**PARAMS, "W1": np.zeros(2)}, LR), "gradient W1 has shape"),
        (lambda: train(LECTURE, PARAMS, X, Y, LR, -1), "iterations"),
        (lambda: train(LECTURE, PARAMS, X, Y, LR, 1.5), "iterations"),
        (lambda: Network(2, (), LECTURE.loss, "half_squared_error"), "at least one layer"),
    ],
    ids=[
        "pin-key",
        "pin-shape",
        "fwd-missing",
        "fwd-shape",
        "step-keys",
        "step-shape",
        "iter-neg",
        "iter-frac",
        "no-layers",
    ],
)
def test_other_misuse_is_a_value_error(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("size", [1000.0, 1e300], ids=["1e3", "1e300"])
@pytest.mark.parametrize(
    ("loss_name", "out", "y"),
    [
        ("binary_cross_entropy", "sigmoid", [[1.0, 0.0], [0.0, 1.0]]),
        ("categorical_cross_entropy", "softmax", [[0.0, 1.0], [1.0, 0.0]]),
    ],
    ids=["bce-sigmoid", "cce-softmax"],
)
def test_saturated_canonical_outputs_stay_finite(
    size: float, loss_name: str, out: str, y: list
) -> None:
    # z2 = [+size, -size] for row one and the reverse for row two: confidently right and wrong.
    net = make_network(1, [(2, out)], loss_name)
    params = {"W1": np.array([[size], [-size]]), "b1": np.zeros(2)}
    x, y = np.array([[1.0], [-1.0]]), np.array(y)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        value, grads = loss(net, params, x, y), backward(net, params, x, y)
        _, history = train(net, params, x, y, 0.1, 2)
    assert np.isfinite(value) and all(np.isfinite(history))
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    # h saturates to exactly 0 or 1, so the exact gradient is (h - y) / m with those h.
    h = forward(net, params, x).values["h1"]
    np.testing.assert_allclose(grads["W1"], ((h - y) / 2).T @ x)


# --- the format's options: shared and absent biases, frozen parameters, a summed batch -------

MAZUR_W1 = np.array([[0.15, 0.20], [0.25, 0.30]])
MAZUR_W2 = np.array([[0.40, 0.45], [0.50, 0.55]])


def _mazur(bias: str = "shared", reduction: str = "mean", frozen=frozenset()) -> Network:
    layers = tuple(Layer(2, act.sigmoid, "sigmoid", bias) for _ in range(2))
    hse = losses.half_squared_error
    return Network(2, layers, hse, "half-squared-error", reduction, frozenset(frozen))


def _mazur_params(bias: np.ndarray | None = None) -> dict[str, np.ndarray]:
    b1, b2 = (np.array([0.35]), np.array([0.60])) if bias is None else (bias, bias)
    return {"W1": MAZUR_W1, "b1": b1, "W2": MAZUR_W2, "b2": b2}


def test_a_bias_mode_decides_the_shapes() -> None:
    assert _mazur("per-unit").shapes() == {"W1": (2, 2), "b1": (2,), "W2": (2, 2), "b2": (2,)}
    assert _mazur("shared").shapes() == {"W1": (2, 2), "b1": (1,), "W2": (2, 2), "b2": (1,)}
    assert _mazur("none").shapes() == {"W1": (2, 2), "W2": (2, 2)}


def test_a_shared_bias_is_the_per_unit_one_with_equal_entries_and_summed_gradients() -> None:
    x, y = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    shared = backward(_mazur("shared"), _mazur_params(), x, y)
    per_unit = _mazur_params()
    per_unit["b1"], per_unit["b2"] = np.full(2, 0.35), np.full(2, 0.60)
    each = backward(_mazur("per-unit"), per_unit, x, y)
    assert shared["b1"].shape == (1,) and shared["b1"][0] == pytest.approx(each["b1"].sum())
    assert shared["b2"][0] == pytest.approx(each["b2"].sum())
    np.testing.assert_allclose(shared["W1"], each["W1"])
    # Mazur's printed values: out_o1 and dE/dw5, dE/dw1
    h = forward(_mazur("shared"), _mazur_params(), x).values["h2"]
    assert h[0] == pytest.approx(0.75136507, abs=5e-9)
    assert shared["W2"][0, 0] == pytest.approx(0.082167041, abs=5e-10)
    assert shared["W1"][0, 0] == pytest.approx(0.000438568, abs=5e-10)


def test_a_layer_without_bias_has_no_bias_anywhere() -> None:
    net, x, y = _mazur("none"), np.array([2.0, 3.0]), np.array([1.0, 0.0])
    params = {"W1": MAZUR_W1, "W2": MAZUR_W2}
    assert set(backward(net, params, x, y)) == {"W1", "W2"}
    z1 = forward(net, params, x).values["z1"]
    np.testing.assert_allclose(z1, MAZUR_W1 @ x)  # nothing added
    with pytest.raises(ValueError, match="b1: unexpected parameter"):
        backward(net, {**params, "b1": np.zeros(2)}, x, y)


def test_a_frozen_parameter_keeps_its_value_in_a_step_and_in_training() -> None:
    net = _mazur(frozen={"b1", "b2"})
    x, y, p = np.array([0.05, 0.10]), np.array([0.01, 0.99]), _mazur_params()
    grads = backward(net, p, x, y)
    assert grads["b1"][0] != 0  # still computed, only not applied
    after = update(net, p, grads, 0.5)
    assert after["b1"][0] == 0.35 and after["b2"][0] == 0.60
    assert after["W2"][0, 0] == pytest.approx(0.35891648, abs=5e-9)  # Mazur's w5+
    assert loss(net, after, x, y) == pytest.approx(0.291027774, abs=5e-10)
    trained, _ = train(net, p, x, y, 0.5, 3)
    assert trained["b1"][0] == 0.35 and trained["W1"][0, 0] != 0.15
    moved = step(p, grads, 0.5)  # without the network's frozen set, everything moves
    assert moved["b1"][0] != 0.35


def test_a_summed_batch_is_m_times_the_mean() -> None:
    x = np.array([[0.05, 0.10], [0.3, -0.2], [1.0, 0.5]])
    y = np.array([[0.01, 0.99], [0.5, 0.5], [0.2, 0.1]])
    mean, summed = _mazur(reduction="mean"), _mazur(reduction="sum")
    p = _mazur_params()
    assert loss(summed, p, x, y) == pytest.approx(3 * loss(mean, p, x, y))
    g_mean, g_sum = backward(mean, p, x, y), backward(summed, p, x, y)
    for key in g_mean:
        np.testing.assert_allclose(g_sum[key], 3 * g_mean[key])
    # One observation: the sum and the mean agree.
    assert backward(summed, p, x[0], y[0])["W1"] == pytest.approx(
        backward(mean, p, x[0], y[0])["W1"]
    )


def test_deltas_are_dl_dz_of_every_layer() -> None:
    net, x, y = _mazur(), np.array([0.05, 0.10]), np.array([0.01, 0.99])
    grads, d = backprop(net, _mazur_params(), x, y)
    assert list(d) == ["z1", "z2"] and d["z2"].shape == (2,)
    assert d["z2"][0] == pytest.approx(0.138498562, abs=5e-10)  # Mazur's delta_o1
    h1 = forward(net, _mazur_params(), x).values["h1"]
    np.testing.assert_allclose(grads["W2"], np.outer(d["z2"], h1))
    np.testing.assert_allclose(grads["W1"], np.outer(d["z1"], x))
    assert deltas(net, _mazur_params(), x, y)["z1"] == pytest.approx(d["z1"])


def test_a_pinned_delta_replaces_the_computed_one_below_it() -> None:
    net, x, y = _mazur(), np.array([0.05, 0.10]), np.array([0.01, 0.99])
    pinned = {"z2": np.array([0.1385, np.nan])}  # printed to 4 decimals, the second not at all
    grads, d = backprop(net, _mazur_params(), x, y, pinned_deltas=pinned)
    exact = deltas(net, _mazur_params(), x, y)
    assert d["z2"][0] == 0.1385 and d["z2"][1] == exact["z2"][1]
    h1 = forward(net, _mazur_params(), x).values["h1"]
    assert grads["W2"][0, 0] == pytest.approx(0.1385 * h1[0])
