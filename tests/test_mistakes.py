"""Tests for grader.diagnose.mistakes: backpropagation with one classic mistake planted.

With no mistake it must be the reference solver (so that a diagnosis never fires on correct
work); with a mistake it must change what that mistake changes, exactly as a student making it
would compute it, and nothing else.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from grader import plugins
from grader.diagnose import slopes
from grader.diagnose.mistakes import Mistake, mistaken_backward, mistaken_step
from grader.reference import network as solver
from grader.reference.network import Layer, Network


def make_network(inputs: int, layers: list[tuple[int, str]], loss: str) -> Network:
    """A network from (units, activation) pairs, named as their plugins are registered."""
    return Network(
        inputs,
        tuple(Layer(units, plugins.get("activations", name), name) for units, name in layers),
        plugins.get("losses", loss),
        loss,
    )


def sample(
    net: Network, seed: int, batch: int | None = None
) -> tuple[dict, np.ndarray, np.ndarray]:
    """Random params, x and y in [-1, 1] (the scale of the hidden cases)."""
    rng = np.random.default_rng(seed)
    params = {name: rng.uniform(-1, 1, shape) for name, shape in net.shapes().items()}
    lead = () if batch is None else (batch,)
    x = rng.uniform(-1, 1, (*lead, net.inputs))
    y = np.asarray(net.loss.sample_targets(rng, (*lead, net.outputs)), dtype=np.float64)
    return params, x, y


def assert_same(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for key in want:
        assert got[key].shape == np.shape(want[key]), key
        np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-15, err_msg=key)


def changed(got: dict, want: dict) -> set[str]:
    return {key for key in want if not np.allclose(got[key], want[key], rtol=1e-9, atol=1e-12)}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# Several depths, activations and losses, including the canonical-link outputs
# (sigmoid + binary cross-entropy, softmax + categorical cross-entropy).
NETWORKS = {
    "house-price": (2, [(2, "sigmoid"), (1, "linear")], "half-squared-error"),
    "one-layer-leaky": (4, [(3, "leaky-relu")], "half-squared-error"),
    "tanh-chain": (1, [(1, "tanh"), (1, "tanh")], "half-squared-error"),
    "three-layer-mse": (3, [(4, "tanh"), (3, "relu"), (2, "sigmoid")], "mean-squared-error"),
    "bce-sigmoid": (3, [(4, "tanh"), (1, "sigmoid")], "binary-cross-entropy"),
    "softmax-cce": (2, [(3, "sigmoid"), (3, "softmax")], "categorical-cross-entropy"),
    "four-layer": (
        2,
        [(3, "sigmoid"), (2, "tanh"), (2, "sigmoid"), (1, "linear")],
        "half-squared-error",
    ),
}

HOUSE = make_network(*NETWORKS["house-price"])
LECTURE = {
    "W1": np.array([[0.2, 0.15], [0.5, 0.6]]),
    "b1": np.array([0.1, 0.25]),
    "W2": np.array([[0.3, 0.2]]),
    "b2": np.array([0.4]),
}
LX, LY, LR = np.array([-0.32, -0.66]), np.array([-0.54]), 0.2


@pytest.mark.parametrize("batch", [None, 5], ids=["one-observation", "batch-of-5"])
@pytest.mark.parametrize("name", list(NETWORKS), ids=list(NETWORKS))
def test_no_mistake_is_the_reference_backward(name: str, batch: int | None) -> None:
    net = make_network(*NETWORKS[name])
    for seed in range(3):
        params, x, y = sample(net, seed, batch)
        assert_same(
            mistaken_backward(net, params, x, y, Mistake()), solver.backward(net, params, x, y)
        )
        # The learning rate only matters to a stale-order mistake.
        assert_same(
            mistaken_backward(net, params, x, y, Mistake(), learning_rate=0.3),
            solver.backward(net, params, x, y),
        )


@pytest.mark.parametrize("name", list(NETWORKS), ids=list(NETWORKS))
def test_no_mistake_is_the_reference_step(name: str) -> None:
    net = make_network(*NETWORKS[name])
    params, x, y = sample(net, 7)
    want = solver.step(params, solver.backward(net, params, x, y), 0.2)
    assert_same(mistaken_step(net, params, x, y, 0.2, Mistake()), want)


def test_no_mistake_reproduces_the_lectures_gradients() -> None:
    got = mistaken_backward(HOUSE, LECTURE, LX, LY, Mistake())
    np.testing.assert_allclose(got["b2"], [1.1700948], atol=1e-6)
    np.testing.assert_allclose(got["W2"], [[0.5666245, 0.4962272]], atol=1e-6)
    np.testing.assert_allclose(got["W1"][0], [-0.0280544, -0.0578623], atol=1e-6)


@pytest.mark.parametrize("name", list(NETWORKS), ids=list(NETWORKS))
def test_sign_flip_negates_every_gradient(name: str) -> None:
    net = make_network(*NETWORKS[name])
    params, x, y = sample(net, 11)
    ref = solver.backward(net, params, x, y)
    assert_same(
        mistaken_backward(net, params, x, y, Mistake(sign=-1.0)), {k: -v for k, v in ref.items()}
    )


def test_missing_derivative_in_layer_1_leaves_the_output_layer_alone() -> None:
    params, x, y = sample(HOUSE, 3)
    ref = solver.backward(HOUSE, params, x, y)
    got = mistaken_backward(HOUSE, params, x, y, Mistake(derivatives=((1, "none"),)))
    assert changed(got, ref) == {"W1", "b1"}
    # dL/dz^1 = dL/dh^1 without the h(1 - h) factor.
    delta2 = ref["b2"]
    np.testing.assert_allclose(got["b1"], delta2 @ params["W2"], rtol=1e-12)
    np.testing.assert_allclose(got["W1"], np.outer(delta2 @ params["W2"], x), rtol=1e-12)


def test_missing_derivative_of_a_linear_output_changes_nothing() -> None:
    params, x, y = sample(HOUSE, 4)
    got = mistaken_backward(HOUSE, params, x, y, Mistake(derivatives=((2, "none"),)))
    assert_same(got, solver.backward(HOUSE, params, x, y))


def test_missing_derivative_of_a_tanh_output_changes_every_gradient() -> None:
    net = make_network(*NETWORKS["tanh-chain"])
    params, x, y = sample(net, 5)
    ref = solver.backward(net, params, x, y)
    got = mistaken_backward(net, params, x, y, Mistake(derivatives=((2, "none"),)))
    assert changed(got, ref) == {"W1", "b1", "W2", "b2"}
    h2 = solver.forward(net, params, x).values["h2"]
    np.testing.assert_allclose(got["b2"], ref["b2"] / (1 - h2**2), rtol=1e-10)


def test_missing_derivative_in_the_middle_layer_of_three() -> None:
    net = make_network(*NETWORKS["three-layer-mse"])
    params, x, y = sample(net, 6)
    ref = solver.backward(net, params, x, y)
    got = mistaken_backward(net, params, x, y, Mistake(derivatives=((2, "none"),)))
    assert changed(got, ref) == {"W1", "b1", "W2", "b2"}


def test_wrong_derivative_uses_the_named_activations_formula_at_h() -> None:
    params, x, y = sample(HOUSE, 8)
    ref = solver.backward(HOUSE, params, x, y)
    got = mistaken_backward(HOUSE, params, x, y, Mistake(derivatives=((1, "tanh"),)))
    assert changed(got, ref) == {"W1", "b1"}
    h1 = solver.forward(HOUSE, params, x).values["h1"]
    np.testing.assert_allclose(got["b1"], ref["b1"] * (1 - h1**2) / (h1 * (1 - h1)), rtol=1e-10)
    np.testing.assert_allclose(got["W1"], np.outer(got["b1"], x), rtol=1e-10)


def test_derivative_at_z_evaluates_the_h_formula_at_z() -> None:
    params, x, y = sample(HOUSE, 9)
    ref = solver.backward(HOUSE, params, x, y)
    got = mistaken_backward(HOUSE, params, x, y, Mistake(derivatives=((1, "at-z"),)))
    assert changed(got, ref) == {"W1", "b1"}
    z1 = params["W1"] @ x + params["b1"]
    np.testing.assert_allclose(got["b1"], (ref["b2"] @ params["W2"]) * z1 * (1 - z1), rtol=1e-10)


def test_pre_activation_in_the_weight_gradient_changes_only_that_gradient() -> None:
    params, x, y = sample(HOUSE, 10)
    ref = solver.backward(HOUSE, params, x, y)
    got = mistaken_backward(HOUSE, params, x, y, Mistake(weight_input="z"))
    assert changed(got, ref) == {"W2"}
    z1 = params["W1"] @ x + params["b1"]
    np.testing.assert_allclose(got["W2"], np.outer(ref["b2"], z1), rtol=1e-12)


def test_pre_activation_never_touches_the_first_layer_whose_input_is_x() -> None:
    net = make_network(*NETWORKS["three-layer-mse"])
    params, x, y = sample(net, 12)
    ref = solver.backward(net, params, x, y)
    got = mistaken_backward(net, params, x, y, Mistake(weight_input="z"))
    assert changed(got, ref) == {"W2", "W3"}


def test_a_derivative_mistake_on_softmax_is_ignored() -> None:
    # softmax has no elementwise derivative in terms of h: nothing to get wrong there.
    net = make_network(*NETWORKS["softmax-cce"])
    params, x, y = sample(net, 13)
    got = mistaken_backward(net, params, x, y, Mistake(derivatives=((2, "none"),)))
    assert_same(got, solver.backward(net, params, x, y))


def test_stale_order_uses_the_updated_output_weights_for_the_hidden_layer() -> None:
    params, x, y = sample(HOUSE, 14)
    ref = solver.backward(HOUSE, params, x, y)
    got = mistaken_backward(HOUSE, params, x, y, Mistake(stale=True), learning_rate=LR)
    assert changed(got, ref) == {"W1", "b1"}
    new_w2 = params["W2"] - LR * ref["W2"]
    h1 = sigmoid(params["W1"] @ x + params["b1"])
    np.testing.assert_allclose(got["b1"], (ref["b2"] @ new_w2) * h1 * (1 - h1), rtol=1e-10)


def test_stale_order_without_a_learning_rate_is_no_mistake() -> None:
    params, x, y = sample(HOUSE, 15)
    got = mistaken_backward(HOUSE, params, x, y, Mistake(stale=True))
    assert_same(got, solver.backward(HOUSE, params, x, y))


def test_stale_order_in_four_layers_changes_all_but_the_last() -> None:
    net = make_network(*NETWORKS["four-layer"])
    params, x, y = sample(net, 16)
    ref = solver.backward(net, params, x, y)
    got = mistaken_backward(net, params, x, y, Mistake(stale=True), learning_rate=0.5)
    assert changed(got, ref) == {"W1", "b1", "W2", "b2", "W3", "b3"}


def test_the_step_mistakes_change_the_update_as_named() -> None:
    params, x, y = sample(HOUSE, 17)
    grads = solver.backward(HOUSE, params, x, y)
    ascent = mistaken_step(HOUSE, params, x, y, LR, Mistake(factor=-1.0))
    no_rate = mistaken_step(HOUSE, params, x, y, LR, Mistake(no_learning_rate=True))
    stale = mistaken_step(HOUSE, params, x, y, LR, Mistake(stale=True))
    right = solver.step(params, grads, LR)
    assert_same(ascent, {k: params[k] + LR * g for k, g in grads.items()})
    assert_same(no_rate, {k: params[k] - g for k, g in grads.items()})
    assert changed(stale, right) == {"W1", "b1"}
    # A sign flip in dL/dh and an ascent give the same numbers after one step.
    assert_same(mistaken_step(HOUSE, params, x, y, LR, Mistake(sign=-1.0)), ascent)


def test_lecture_step_with_stale_order() -> None:
    # By hand: W2 becomes [0.1867, 0.1008], and dL/db_1^1 = 1.17 * 0.1867 * 0.484 * 0.516.
    got = mistaken_step(HOUSE, LECTURE, LX, LY, LR, Mistake(stale=True))
    np.testing.assert_allclose(got["W2"], [[0.18668, 0.10075]], atol=1e-4)
    np.testing.assert_allclose(
        got["b1"][0], 0.1 - LR * 1.1701 * 0.18668 * 0.48425 * 0.51575, atol=1e-4
    )


def test_mistakes_do_not_change_their_inputs() -> None:
    params, x, y = sample(HOUSE, 18)
    before = {k: v.copy() for k, v in params.items()}
    x0, y0 = x.copy(), y.copy()
    mistake = Mistake(sign=-1.0, stale=True, weight_input="z", derivatives=((1, "none"),))
    mistaken_step(HOUSE, params, x, y, LR, mistake)
    for key in before:
        np.testing.assert_array_equal(params[key], before[key])
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


def test_a_mistake_is_a_frozen_cache_key() -> None:
    a = Mistake(derivatives=((1, "none"),))
    assert a == Mistake(derivatives=((1, "none"),))
    assert hash(a) == hash(Mistake(derivatives=((1, "none"),)))
    assert a != Mistake(derivatives=((1, "at-z"),))
    assert Mistake() == Mistake(sign=1.0, factor=1.0, weight_input="h")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.sign = -1.0  # type: ignore[misc]


ELEMENTWISE = ["linear", "sigmoid", "tanh", "relu", "leaky-relu"]


@pytest.mark.parametrize("name", ELEMENTWISE, ids=ELEMENTWISE)
def test_each_activations_own_derivative_matches_its_backward(name: str) -> None:
    # The derivative a mistake plants comes from the activation itself (no table here).
    activation = plugins.get("activations", name)
    z = np.linspace(-3, 3, 13) + 0.05  # never exactly 0, where relu has no derivative
    h = activation.forward(z)
    np.testing.assert_allclose(
        slopes.slope(activation, z, h), activation.backward(z, h, np.ones_like(z)), rtol=1e-12
    )
    assert slopes.elementwise(activation)
    assert slopes.linear(activation) == (name == "linear")


class Softplus:
    """A plugin activation written before `derivative` existed: forward and backward only."""

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.logaddexp(0.0, z)

    def backward(self, z: np.ndarray, h: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
        return grad_h / (1.0 + np.exp(-z))


def test_a_plugin_activation_without_a_derivative_gets_the_generic_one() -> None:
    softplus = Softplus()
    z = np.array([[-2.0, 0.5, 3.0]])
    np.testing.assert_allclose(slopes.slope(softplus, z, softplus.forward(z)), 1 / (1 + np.exp(-z)))
    assert slopes.elementwise(softplus) and not slopes.linear(softplus)
    assert not slopes.elementwise(plugins.get("activations", "softmax"))


def test_a_missing_derivative_is_planted_into_a_plugin_activation() -> None:
    net = Network(
        2,
        (Layer(3, Softplus(), "softplus"), Layer(1, HOUSE.layers[1].activation, "linear")),
        HOUSE.loss,
        HOUSE.loss_name,
    )
    params, x, y = sample(net, 19)
    ref = solver.backward(net, params, x, y)
    got = mistaken_backward(net, params, x, y, Mistake(derivatives=((1, "none"),)))
    assert changed(got, ref) == {"W1", "b1"}
    np.testing.assert_allclose(got["b1"], ref["b2"] @ params["W2"], rtol=1e-12)


def test_a_wrong_derivative_uses_another_activations_own_formula_at_h() -> None:
    # relu's derivative in a sigmoid layer is 1 if z > 0 else 0, read at the layer's own z.
    params, x, y = sample(HOUSE, 20)
    ref = solver.backward(HOUSE, params, x, y)
    got = mistaken_backward(HOUSE, params, x, y, Mistake(derivatives=((1, "relu"),)))
    z1 = params["W1"] @ x + params["b1"]
    np.testing.assert_allclose(got["b1"], (ref["b2"] @ params["W2"]) * (z1 > 0), rtol=1e-12)


def test_leaky_relus_slope_is_its_parameter_and_is_what_gets_planted() -> None:
    leaky = plugins.get("activations", "leaky-relu")
    assert leaky.parameters == {"slope": 0.01}
    steeper = leaky.with_parameters(slope=0.2)
    z = np.array([-1.0, 2.0])
    np.testing.assert_allclose(steeper.forward(z), [-0.2, 2.0])
    np.testing.assert_allclose(slopes.slope(steeper, z, steeper.forward(z)), [0.2, 1.0])
    assert "0.2" in steeper.derivative_formula
    with pytest.raises(ValueError, match="unknown parameter alpha"):
        leaky.with_parameters(alpha=0.1)


SQUARE = (3, [(3, "tanh"), (3, "tanh"), (2, "sigmoid")], "half-squared-error")


@pytest.mark.parametrize("batch", [None, 4], ids=["one-observation", "batch-of-4"])
def test_an_untransposed_square_weight_goes_back_as_w_not_w_transposed(batch) -> None:
    net = make_network(*SQUARE)
    params, x, y = sample(net, 21, batch)
    ref = solver.backward(net, params, x, y)
    got = mistaken_backward(net, params, x, y, Mistake(untransposed=(2,)))
    assert changed(got, ref) == {"W1", "b1"}
    # dL/dh^1 = W^2 dL/dz^2 (column form), i.e. dL/dz^2 @ W2.T in rows.
    h1 = np.atleast_2d(solver.forward(net, params, x).values["h1"])
    delta2 = np.atleast_2d(ref["b2"]) if batch is None else None
    if delta2 is not None:
        np.testing.assert_allclose(
            got["b1"], (delta2 @ params["W2"].T * (1 - h1**2)).ravel(), rtol=1e-10
        )


def test_an_untransposed_non_square_weight_is_not_planted() -> None:
    params, x, y = sample(HOUSE, 22)
    with pytest.raises(ValueError, match="W2 has shape"):
        mistaken_backward(HOUSE, params, x, y, Mistake(untransposed=(2,)))


def test_a_scale_multiplies_every_gradient() -> None:
    # A missing batch mean is a scale of m; a forgotten 1/2 a scale of 2.
    net = make_network(*NETWORKS["softmax-cce"])
    params, x, y = sample(net, 23, batch=4)
    ref = solver.backward(net, params, x, y)
    assert_same(
        mistaken_backward(net, params, x, y, Mistake(scale=4.0)), {k: 4 * v for k, v in ref.items()}
    )


class Sqrt:
    """A plugin activation defined for z >= 0 only: NaN at the probe, and no warning."""

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.sqrt(z)

    def backward(self, z: np.ndarray, h: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
        return grad_h / (2 * h)


def test_an_activation_the_probe_cannot_judge_gets_no_derivative_planted() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not slopes.elementwise(Sqrt())
        assert not slopes.linear(Sqrt())


@pytest.mark.parametrize(
    ("bias", "reduction"),
    [("shared", "mean"), ("none", "mean"), ("per-unit", "sum"), ("shared", "sum")],
    ids=["shared", "none", "summed", "shared-summed"],
)
def test_no_mistake_is_the_reference_for_every_bias_and_reduction(
    bias: str, reduction: str
) -> None:
    from grader.reference import activations, losses
    from grader.reference.network import Layer, Network, backward

    layers = (
        Layer(3, activations.tanh, "tanh", bias),
        Layer(2, activations.sigmoid, "sigmoid", bias),
    )
    net = Network(2, layers, losses.half_squared_error, "half-squared-error", reduction)
    rng = np.random.default_rng(3)
    params = {k: rng.uniform(-1, 1, s) for k, s in net.shapes().items()}
    x, y = rng.uniform(-1, 1, (4, 2)), rng.uniform(-1, 1, (4, 2))
    planted = mistaken_backward(net, params, x, y, Mistake())
    exact = backward(net, params, x, y)
    assert planted.keys() == exact.keys()
    for key in exact:
        np.testing.assert_allclose(planted[key], exact[key], rtol=1e-12, err_msg=key)
