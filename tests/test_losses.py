"""Tests for grader.reference.losses: definitions, gradients, no clipping, targets."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from grader.protocols import Loss
from grader.reference import losses

ALL = {
    "half_squared_error": losses.half_squared_error,
    "mean_squared_error": losses.mean_squared_error,
    "binary_cross_entropy": losses.binary_cross_entropy,
    "categorical_cross_entropy": losses.categorical_cross_entropy,
}
IDS = list(ALL)
H = np.array([[0.2, 0.7], [0.6, 0.1], [0.9, 0.4]])
Y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])


def by_hand(name: str, h: np.ndarray, y: np.ndarray) -> float:
    """The module docstring's definitions, written out with plain loops."""
    total = 0.0
    for hr, yr in zip(h, y, strict=True):
        terms = {
            "half_squared_error": [0.5 * (b - a) ** 2 for a, b in zip(hr, yr, strict=True)],
            "mean_squared_error": [(b - a) ** 2 / len(hr) for a, b in zip(hr, yr, strict=True)],
            "binary_cross_entropy": [
                -(b * np.log(a) + (1 - b) * np.log(1 - a)) for a, b in zip(hr, yr, strict=True)
            ],
            "categorical_cross_entropy": [-b * np.log(a) for a, b in zip(hr, yr, strict=True)],
        }[name]
        total += sum(terms)
    return total / len(h)


@pytest.mark.parametrize("name", IDS, ids=IDS)
def test_keeps_the_protocol(name: str) -> None:
    assert isinstance(ALL[name], Loss)


@pytest.mark.parametrize(
    ("name", "link"),
    [
        ("half_squared_error", None),
        ("mean_squared_error", None),
        ("binary_cross_entropy", "sigmoid"),
        ("categorical_cross_entropy", "softmax"),
    ],
    ids=IDS,
)
def test_canonical_link(name: str, link: str | None) -> None:
    assert ALL[name].canonical_link == link


@pytest.mark.parametrize("name", IDS, ids=IDS)
def test_value_is_the_mean_of_the_definition(name: str) -> None:
    assert ALL[name].value(H, Y) == pytest.approx(by_hand(name, H, Y), rel=1e-14)
    assert isinstance(ALL[name].value(H, Y), float)


def test_half_squared_error_is_the_lectures() -> None:
    # 1/2 (y - h)^2 with the lecture's h2 = 0.63, y = -0.54, and dL/dh2 = 1.17.
    h, y = np.array([[0.63]]), np.array([[-0.54]])
    assert losses.half_squared_error.value(h, y) == pytest.approx(0.5 * 1.17**2)
    assert losses.half_squared_error.gradient(h, y)[0, 0] == pytest.approx(1.17)


@pytest.mark.parametrize("name", IDS, ids=IDS)
@pytest.mark.parametrize("rows", [1, 3], ids=["m1", "m3"])
def test_gradient_matches_central_differences(name: str, rows: int) -> None:
    # Step 1e-6: truncation O(step^2) ~ 1e-12, rounding ~ 1e-16 / 1e-6 = 1e-10, so atol 1e-7.
    loss, step = ALL[name], 1e-6
    h, y = H[:rows], Y[:rows]
    numeric = np.zeros_like(h)
    for idx in np.ndindex(h.shape):
        dh = np.zeros_like(h)
        dh[idx] = step
        numeric[idx] = (loss.value(h + dh, y) - loss.value(h - dh, y)) / (2 * step)
    np.testing.assert_allclose(loss.gradient(h, y), numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", IDS, ids=IDS)
def test_one_observation_may_be_1d(name: str) -> None:
    loss = ALL[name]
    assert loss.value(H[0], Y[0]) == loss.value(H[:1], Y[:1])
    np.testing.assert_array_equal(loss.gradient(H[0], Y[0]), loss.gradient(H[:1], Y[:1])[0])


@pytest.mark.parametrize("name", ["binary_cross_entropy", "categorical_cross_entropy"])
@pytest.mark.parametrize("right", [False, True], ids=["confidently-wrong", "confidently-right"])
def test_saturated_outputs_are_the_exact_definition_and_silent(name: str, right: bool) -> None:
    # Rewritten by design (issue 9): h used to be clipped to [1e-15, 1 - 1e-15], which made a
    # confident wrong answer cost log(1e-15) ~ 34.5. Nothing is clipped now: from h alone the
    # loss is its definition, +inf where a log meets an h of exactly 0, and still no warning.
    # (The solver never evaluates a cross-entropy from a saturated sigmoid/softmax h: it works
    # from z, see test_network.py and test_oracle.py.)
    loss = ALL[name]
    h = Y[:2] if right else 1.0 - Y[:2]  # every h exactly 0 or 1
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        value, grad = loss.value(h, Y[:2]), loss.gradient(h, Y[:2])
    assert not np.any(np.isnan(grad))
    if right:
        assert value == 0.0
        # -y/h = -1/2 at the true class (h = 1, m = 2); absent terms (y = 0) contribute 0.
        np.testing.assert_array_equal(np.where(Y[:2] == 1, grad, 0.0), -Y[:2] / 2)
    else:
        assert value == np.inf and np.all(np.isinf(grad[Y[:2] == 1]))


def test_no_clipping_inside_the_range() -> None:
    # log(1e-20) is taken as it is: the old clip would have given -log(1e-15).
    h, y = np.array([[1e-20, 1.0 - 1e-20]]), np.array([[1.0, 0.0]])
    assert losses.categorical_cross_entropy.value(h, y) == pytest.approx(20 * np.log(10))
    assert losses.categorical_cross_entropy.gradient(h, y)[0, 0] == pytest.approx(-1e20)


@pytest.mark.parametrize(
    ("name", "y", "a", "b"),
    [
        ("binary_cross_entropy", [[0.25, 1.0]], [[0.25, 1.0]], [[0.75, 0.0]]),
        ("categorical_cross_entropy", [[1.0, 1.0]], [[1.0, 1.0]], [[0.0, 0.0]]),
    ],
    ids=["bce", "cce"],
)
def test_log_coefficients_restate_the_definition(name: str, y: list, a: list, b: list) -> None:
    # l = -sum_k [a_k log h_k + b_k log(1 - h_k)] is the loss itself, whatever h.
    loss, y2 = ALL[name], np.array(y)
    got_a, got_b = loss.log_coefficients(y2)
    np.testing.assert_array_equal(got_a, a)
    np.testing.assert_array_equal(got_b, b)
    h = np.array([[0.3, 0.6]])
    by_logs = -np.sum(got_a * np.log(h) + got_b * np.log(1 - h))
    assert loss.value(h, y2) == pytest.approx(by_logs, rel=1e-15)


def test_categorical_link_delta_is_general() -> None:
    # h sum(y) - y: h - y for a one-hot row, and still dl/dz for a row that sums to 2.
    h = np.array([[0.25, 0.75]])
    np.testing.assert_array_equal(
        losses.categorical_cross_entropy.link_delta(h, np.array([[0.0, 1.0]])), [[0.25, -0.25]]
    )
    np.testing.assert_array_equal(
        losses.categorical_cross_entropy.link_delta(h, np.array([[1.0, 1.0]])), [[-0.5, 0.5]]
    )


@pytest.mark.parametrize("name", IDS, ids=IDS)
def test_pure(name: str) -> None:
    h, y = H.copy(), Y.copy()
    g = ALL[name].gradient(h, y)
    ALL[name].value(h, y)
    np.testing.assert_array_equal(h, H)
    np.testing.assert_array_equal(y, Y)
    assert not np.shares_memory(g, h)


@pytest.mark.parametrize("name", IDS, ids=IDS)
def test_shape_mismatch_is_a_value_error(name: str) -> None:
    with pytest.raises(ValueError, match="shape"):
        ALL[name].value(H, Y[:, :1])
    with pytest.raises(ValueError, match="shape"):
        ALL[name].gradient(H[None], Y[None])


@pytest.mark.parametrize("shape", [(4, 3), (3,)], ids=["batch", "single"])
def test_sample_targets(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(1)
    for name in ("half_squared_error", "mean_squared_error"):
        t = ALL[name].sample_targets(rng, shape)
        assert t.shape == shape and np.all((t >= -1) & (t <= 1))
    t = losses.binary_cross_entropy.sample_targets(rng, shape)
    assert t.shape == shape and t.dtype == np.float64 and set(np.unique(t)) <= {0.0, 1.0}
    t = losses.categorical_cross_entropy.sample_targets(rng, shape)
    assert t.shape == shape and set(np.unique(t)) <= {0.0, 1.0}
    np.testing.assert_array_equal(t.sum(axis=-1), np.ones(shape[:-1]))


@pytest.mark.parametrize("shape", [(), (2, 0), (2, 2, 2)], ids=["scalar", "empty", "3d"])
def test_sample_targets_rejects_bad_shapes(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="target shape"):
        losses.categorical_cross_entropy.sample_targets(np.random.default_rng(0), shape)


BUILTIN = {
    "half-squared-error": losses.half_squared_error,
    "mean-squared-error": losses.mean_squared_error,
    "binary-cross-entropy": losses.binary_cross_entropy,
    "categorical-cross-entropy": losses.categorical_cross_entropy,
}


@pytest.mark.parametrize("name", list(BUILTIN), ids=list(BUILTIN))
def test_each_loss_carries_its_own_texts(name: str) -> None:
    # explain and the diagnoses' sentences read these; no table elsewhere names a loss.
    loss = BUILTIN[name]
    assert loss.formula and loss.term and loss.derivative_formula
    assert "S" in loss.outer
    assert bool(loss.link_formula) == (loss.canonical_link is not None)


def test_only_the_squared_errors_explain_a_factor() -> None:
    assert [f for f, _ in losses.half_squared_error.scale_mistakes] == [2.0]
    assert "1/2" in losses.half_squared_error.scale_mistakes[0][1]
    assert losses.binary_cross_entropy.scale_mistakes == ()
    assert losses.categorical_cross_entropy.scale_mistakes == ()
