"""Tests for grader.reference.activations: values, derivatives, stability, purity."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from grader.protocols import Activation
from grader.reference import activations as act

ELEMENTWISE = {
    "linear": (act.linear, lambda z: z),
    "sigmoid": (act.sigmoid, lambda z: 1 / (1 + np.exp(-z))),
    "tanh": (act.tanh, np.tanh),
    "relu": (act.relu, lambda z: np.maximum(z, 0)),
    "leaky_relu": (act.leaky_relu, lambda z: np.where(z > 0, z, 0.01 * z)),
}
ALL = {name: a for name, (a, _) in ELEMENTWISE.items()} | {"softmax": act.softmax}
# Values away from relu's kink at 0, where the finite difference is meaningful.
Z = np.array([[-2.5, -0.7, 0.3], [0.05, 1.2, 3.0]])


@contextmanager
def strict() -> Iterator[None]:
    """Any numpy overflow, division by zero or invalid value, or any warning, is an error.

    Underflow stays allowed: exp(-1000) = 0 is the correct float64 answer, and numpy is silent
    about it by default, so it never reaches a user as a RuntimeWarning.
    """
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
def test_keeps_the_protocol_and_has_formulas(name: str) -> None:
    a = ALL[name]
    assert isinstance(a, Activation)
    assert isinstance(a.formula, str) and a.formula
    assert isinstance(a.derivative_formula, str) and a.derivative_formula


@pytest.mark.parametrize("name", list(ELEMENTWISE), ids=list(ELEMENTWISE))
def test_forward_matches_the_textbook_formula(name: str) -> None:
    a, textbook = ELEMENTWISE[name]
    np.testing.assert_allclose(a.forward(Z), textbook(Z), rtol=1e-15, atol=0)


def test_softmax_rows_are_distributions_and_shift_invariant() -> None:
    h = act.softmax.forward(Z)
    np.testing.assert_allclose(h.sum(axis=-1), 1.0)
    np.testing.assert_allclose(h, np.exp(Z) / np.exp(Z).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(act.softmax.forward(Z + 100.0), h)
    np.testing.assert_allclose(act.softmax.forward(Z[1]), h[1])  # one observation, 1-D


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
def test_backward_matches_central_differences(name: str) -> None:
    # The vector-Jacobian product g . dh/dz against d(sum g * h)/dz by central differences:
    # step 1e-6 gives truncation ~1e-12 and rounding ~1e-16/1e-6 = 1e-10, well inside 1e-7.
    a, step = ALL[name], 1e-6
    g = np.random.default_rng(0).normal(size=Z.shape)
    numeric = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        dz = np.zeros_like(Z)
        dz[idx] = step
        numeric[idx] = np.sum(g * (a.forward(Z + dz) - a.forward(Z - dz))) / (2 * step)
    np.testing.assert_allclose(a.backward(Z, a.forward(Z), g), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    ("name", "h", "expected"),
    [("sigmoid", 0.484, 0.484 * (1 - 0.484)), ("tanh", 0.63, 1 - 0.63**2)],
    ids=["sigmoid-h(1-h)", "tanh-1-h^2"],
)
def test_derivative_uses_the_given_h(name: str, h: float, expected: float) -> None:
    # A printed, rounded h must drive the derivative, as in a hand calculation (z is ignored).
    a = ALL[name]
    assert a.backward(np.array([[5.0]]), np.array([[h]]), np.array([[1.0]]))[0, 0] == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("relu", [0.0, 0.0, 1.0]), ("leaky_relu", [0.01, 0.01, 1.0]), ("linear", [1.0, 1.0, 1.0])],
    ids=["relu", "leaky_relu", "linear"],
)
def test_piecewise_derivatives_including_the_kink(name: str, expected: list[float]) -> None:
    z = np.array([-3.0, 0.0, 2.0])
    a = ALL[name]
    np.testing.assert_array_equal(a.backward(z, a.forward(z), np.ones(3)), expected)


LARGE = [1000.0, 1e300, 1e308]


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
@pytest.mark.parametrize("size", LARGE, ids=["1e3", "1e300", "1e308"])
def test_large_z_is_finite_and_silent(name: str, size: float) -> None:
    a = ALL[name]
    z = np.array([[size, -size], [-size, size], [0.0, -size]])
    with strict():
        h = a.forward(z)
        dz = a.backward(z, h, np.ones_like(z))
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(dz))


def test_saturated_limits_are_exact() -> None:
    with strict():
        np.testing.assert_array_equal(act.sigmoid.forward(np.array([1e308, -1e308])), [1.0, 0.0])
        np.testing.assert_array_equal(act.tanh.forward(np.array([1e300, -1e300])), [1.0, -1.0])
        np.testing.assert_array_equal(act.softmax.forward(np.array([1e300, -1e300])), [1.0, 0.0])
        np.testing.assert_array_equal(act.softmax.forward(np.array([1e308, -1e308])), [1.0, 0.0])


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
def test_fresh_arrays_and_no_mutation(name: str) -> None:
    a = ALL[name]
    z, g = Z.copy(), np.ones_like(Z)
    h = a.forward(z)
    dz = a.backward(z, h, g)
    assert not np.shares_memory(h, z) and not np.shares_memory(dz, g)
    np.testing.assert_array_equal(z, Z)
    np.testing.assert_array_equal(g, np.ones_like(Z))
    assert h.dtype == dz.dtype == np.float64


def test_integer_input_gives_float64() -> None:
    assert act.relu.forward(np.array([[-1, 2]])).dtype == np.float64


# --- logs of probabilities, exact from z (what the cross-entropies use) -----------------------

PROBABILITIES = {"sigmoid": act.sigmoid, "softmax": act.softmax}


@pytest.mark.parametrize("name", list(PROBABILITIES), ids=list(PROBABILITIES))
def test_log_output_is_the_log_of_forward(name: str) -> None:
    a = PROBABILITIES[name]
    logh, log1mh = a.log_output(Z)
    np.testing.assert_allclose(logh, np.log(a.forward(Z)), rtol=1e-14)
    np.testing.assert_allclose(log1mh, np.log1p(-a.forward(Z)), rtol=1e-14)


def test_log_sigmoid_is_exact_where_h_rounds_to_0_or_1() -> None:
    z = np.array([-1000.0, -40.0, 40.0, 1000.0])
    logh, log1mh = act.sigmoid.log_output(z)
    # log sigmoid(z) = z - log1p(e^z) below 0 and -log1p(e^-z) above; log(1 - h) the mirror.
    np.testing.assert_allclose(logh, [-1000.0, -40.0, -np.exp(-40.0), 0.0], rtol=1e-15)
    np.testing.assert_allclose(log1mh, [0.0, -np.exp(-40.0), -40.0, -1000.0], rtol=1e-15)


def test_log_softmax_is_exact_where_h_rounds_to_0_or_1() -> None:
    logh, log1mh = act.softmax.log_output(np.array([[40.0, 0.0], [1000.0, -1000.0]]))
    tiny = np.exp(-40.0)  # h = [1 - tiny, tiny] to first order; 1 - tiny is 1.0 in float64
    np.testing.assert_allclose(logh[0], [-tiny, -40.0 - tiny], rtol=1e-15)
    np.testing.assert_allclose(log1mh[0], [-40.0 - tiny, -tiny], rtol=1e-15)
    np.testing.assert_array_equal(logh[1], [0.0, -2000.0])
    np.testing.assert_array_equal(log1mh[1], [-2000.0, 0.0])


@pytest.mark.parametrize("name", list(PROBABILITIES), ids=list(PROBABILITIES))
@pytest.mark.parametrize("size", LARGE, ids=["1e3", "1e300", "1e308"])
def test_logs_are_silent_for_any_finite_z(name: str, size: float) -> None:
    a = PROBABILITIES[name]
    z = np.array([[size, -size], [-size, size], [0.0, -size]])
    ones = np.ones_like(z)
    with strict():
        logh, log1mh = a.log_output(z)
        a.log_loss_delta(z, ones, ones)
    assert not np.any(np.isnan(logh)) and not np.any(np.isnan(log1mh))
    assert np.all(logh <= 0) and np.all(log1mh <= 0)


@pytest.mark.parametrize("name", list(PROBABILITIES), ids=list(PROBABILITIES))
def test_log_loss_delta_is_the_chain_rule_away_from_saturation(name: str) -> None:
    # l = -sum [a log h + b log(1 - h)]: dl/dh = -a/h + b/(1 - h), then back through dh/dz.
    a, rng = PROBABILITIES[name], np.random.default_rng(5)
    ca, cb = rng.uniform(0, 2, Z.shape), rng.uniform(0, 1, Z.shape)
    h = a.forward(Z)
    chain = a.backward(Z, h, -ca / h + cb / (1 - h))
    np.testing.assert_allclose(a.log_loss_delta(Z, ca, cb), chain, rtol=1e-13)


def test_non_probabilities_declare_their_range() -> None:
    assert [ALL[n].probabilities for n in ALL] == [False, True, False, False, False, True]
    assert [ALL[n].output_range for n in ("tanh", "relu")] == ["(-1, 1)", "[0, inf)"]
    assert act.linear.log_output is None and act.linear.log_loss_delta is None


# --- derivatives from z, for an h that is act(z) itself ---------------------------------------


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
def test_exact_backward_is_backward_away_from_saturation(name: str) -> None:
    a, g = ALL[name], np.random.default_rng(2).normal(size=Z.shape)
    np.testing.assert_allclose(a.exact_backward(Z, g), a.backward(Z, a.forward(Z), g), rtol=1e-14)


def test_exact_backward_keeps_the_slope_where_h_rounds_to_1() -> None:
    # At z = 40, h = 1 - e^-40 is 1.0 in float64, so h(1 - h) and 1 - h^2 are 0; the slopes are
    # e^-40 / (1 + e^-40)^2 and 4 e^-80 / (1 + e^-80)^2.
    z, ones = np.array([40.0, -40.0]), np.ones(2)
    tiny = np.exp(-40.0)
    np.testing.assert_allclose(act.sigmoid.exact_backward(z, ones), tiny / (1 + tiny) ** 2)
    np.testing.assert_allclose(act.tanh.exact_backward(z, ones), 4 * tiny**2 / (1 + tiny**2) ** 2)
    assert act.sigmoid.backward(z, act.sigmoid.forward(z), ones)[0] == 0.0  # what h gives
    # softmax([40, 0]) with g = [1, 0]: dL/dz = h_0 h_1 [1, -1], with h_1 = e^-40 / (1 + e^-40).
    dz = act.softmax.exact_backward(np.array([40.0, 0.0]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(dz, tiny / (1 + tiny) ** 2 * np.array([1.0, -1.0]), rtol=1e-15)


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
def test_exact_backward_is_silent_for_any_finite_z(name: str) -> None:
    z = np.array([[1e308, -1e308], [0.0, 1000.0]])
    with strict():
        dz = ALL[name].exact_backward(z, np.ones_like(z))
    assert np.all(np.isfinite(dz))


def test_leaky_relus_slope_is_its_one_parameter() -> None:
    assert act.leaky_relu.parameters == {"slope": 0.01}
    assert act.leaky_relu.derivative_formula == "1 if z > 0 else 0.01"
    steeper = act.leaky_relu.with_parameters(slope=0.2)
    z = np.array([[-2.0, 3.0]])
    np.testing.assert_allclose(steeper.forward(z), [[-0.4, 3.0]])
    np.testing.assert_allclose(steeper.backward(z, steeper.forward(z), np.ones_like(z)), [[0.2, 1]])
    assert steeper.parameters == {"slope": 0.2} and steeper.formula == "z if z > 0 else 0.2 z"
    assert act.leaky_relu.parameters == {"slope": 0.01}  # unchanged
    with pytest.raises(ValueError, match=r"unknown parameter alpha \(known: slope\)"):
        act.leaky_relu.with_parameters(alpha=0.1)
    with pytest.raises(ValueError, match=r"known: none"):
        act.sigmoid.with_parameters(slope=0.1)


@pytest.mark.parametrize("name", ["linear", "sigmoid", "tanh", "relu", "leaky_relu"])
def test_each_elementwise_activation_says_so_and_carries_its_texts(name: str) -> None:
    activation = getattr(act, name)
    assert activation.elementwise and activation.formula and activation.derivative_formula
