"""Losses, each written next to its derivative.

h (prediction) and y (target) have shape (m, outputs); a 1-D pair is one observation (m = 1).
Per observation, with k running over the outputs:

    half-squared-error         1/2 sum_k (y_k - h_k)^2      (the lecture's 1/2 (y - h)^2)
    mean-squared-error         mean_k (y_k - h_k)^2
    binary-cross-entropy       -sum_k [y_k log h_k + (1 - y_k) log(1 - h_k)]   targets in [0, 1]
    categorical-cross-entropy  -sum_k y_k log h_k                              targets >= 0

The loss is the mean over the m rows, so `gradient` (dL/dh) includes the factor 1/m. Nothing is
clipped: `value` and `gradient` are the definitions, infinite where a log meets an h of exactly
0 or 1 (silently: no warning). The solver does not evaluate a cross-entropy from h at all when
the output is a sigmoid or a softmax: both cross-entropies are "log losses",

    l = -sum_k [a_k log h_k + b_k log(1 - h_k)],   (a, b) = `log_coefficients(y)`,

and the output activation supplies log h, log(1 - h) and dl/dz exactly from z (activations.py),
so that the loss and every gradient stay exact where h rounds to 0 or 1 (|z| up to 1000 and
beyond). Categorical cross-entropy takes any non-negative target rows: a row need not sum to 1
(a soft or weighted label), and dl/dz = h sum(y) - y is exact for every such row; the familiar
h - y is the special case of rows summing to 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
Sampler = Callable[[np.random.Generator, tuple[int, ...]], Array]


def _xlogy(c: Array, h: Array) -> Array:
    """c log h, with 0 where c is 0 (a term that is absent), -inf silently where h is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c == 0, 0.0, c * np.log(h))


def _over(c: Array, h: Array) -> Array:
    """c / h, with 0 where c is 0, +-inf silently where h is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c == 0, 0.0, c / h)


@dataclass(frozen=True)
class PerObservation:
    """A loss given per observation (entrywise terms summed over k), averaged over rows."""

    terms: Callable[[Array, Array], Array]  # loss entries of one row, summed
    derivative: Callable[[Array, Array], Array]  # d(row loss)/dh
    sampler: Sampler
    canonical_link: str | None
    formula: str  # the per-observation loss, in y_k, h_k
    # How explain writes it with numbers (variables y, h and n, the number of outputs): one
    # output's `term`, the `outer` form around their sum S, and dl/dh_k as `derivative_formula`.
    term: str = ""
    outer: str = "S"
    derivative_formula: str = ""
    # dl/dz at the canonical link, as a hand calculation writes it (h - y).
    link_formula: str = ""
    # Factors by which a submission's gradients are classically off, and why (for diagnoses).
    scale_mistakes: tuple[tuple[float, str], ...] = ()
    # What the loader checks (exercise/pairings.py): the closed interval every target lies in,
    # and whether the loss takes logs of h, so that h must be a probability.
    target_range: tuple[float, float] | None = None
    needs_probabilities: bool = False
    # Log losses only: (a, b) of l = -sum_k [a_k log h_k + b_k log(1 - h_k)] for targets y.
    log_coefficients: Callable[[Array], tuple[Array, Array]] | None = None
    # dl/dz from h at the canonical link, the way a hand calculation writes it (h - y).
    link_delta: Callable[[Array, Array], Array] | None = None

    def _rows(self, h: Array, y: Array) -> tuple[Array, Array]:
        h, y = np.asarray(h, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if h.shape != y.shape or h.ndim not in (1, 2):
            raise ValueError(f"h has shape {h.shape} and y {y.shape}: expected equal (m, outputs)")
        return np.atleast_2d(h), np.atleast_2d(y)

    def value(self, h: Array, y: Array) -> float:
        """The mean over rows of the per-observation loss."""
        h2, y2 = self._rows(h, y)
        return float(np.mean(np.sum(self.terms(h2, y2), axis=-1)))

    def gradient(self, h: Array, y: Array) -> Array:
        """dL/dh with the shape of h, including the 1/m of the batch mean."""
        h2, y2 = self._rows(h, y)
        return (self.derivative(h2, y2) / h2.shape[0]).reshape(np.shape(h))

    def sample_targets(self, rng: np.random.Generator, shape: tuple[int, ...]) -> Array:
        """Targets of this shape that the loss is meant for."""
        if len(shape) not in (1, 2) or min(shape, default=0) < 1:
            raise ValueError(f"target shape {shape}: expected (outputs,) or (m, outputs)")
        return self.sampler(rng, tuple(shape))


def _uniform(rng: np.random.Generator, shape: tuple[int, ...]) -> Array:
    return rng.uniform(-1.0, 1.0, size=shape)


def _binary(rng: np.random.Generator, shape: tuple[int, ...]) -> Array:
    return rng.integers(0, 2, size=shape).astype(np.float64)


def _one_hot(rng: np.random.Generator, shape: tuple[int, ...]) -> Array:
    classes = rng.integers(0, shape[-1], size=shape[:-1])
    return np.eye(shape[-1])[classes]


half_squared_error = PerObservation(
    terms=lambda h, y: 0.5 * (y - h) ** 2,
    derivative=lambda h, y: h - y,
    sampler=_uniform,
    canonical_link=None,
    formula="1/2 sum_k (y_k - h_k)^2",
    term="(y - h)^2",
    outer="1/2 S",
    derivative_formula="-(y - h)",
    scale_mistakes=((2.0, "2 comes from differentiating (y - h)^2 without its 1/2"),),
)
mean_squared_error = PerObservation(
    terms=lambda h, y: (y - h) ** 2 / h.shape[-1],
    derivative=lambda h, y: 2.0 * (h - y) / h.shape[-1],
    sampler=_uniform,
    canonical_link=None,
    formula="mean_k (y_k - h_k)^2",
    term="(y - h)^2",
    outer="1/n S",
    derivative_formula="2 (h - y) / n",
    scale_mistakes=((0.5, "d/dh (y - h)^2 = -2 (y - h): the 2 is missing"),),
)
binary_cross_entropy = PerObservation(
    terms=lambda h, y: -(_xlogy(y, h) + _xlogy(1.0 - y, 1.0 - h)),
    derivative=lambda h, y: _over(1.0 - y, 1.0 - h) - _over(y, h),
    sampler=_binary,
    canonical_link="sigmoid",
    formula="-sum_k [y_k log h_k + (1 - y_k) log(1 - h_k)]",
    term="[y log h + (1 - y) log(1 - h)]",
    outer="-S",
    derivative_formula="-(y / h - (1 - y) / (1 - h))",
    link_formula="h - y",
    target_range=(0.0, 1.0),
    needs_probabilities=True,
    log_coefficients=lambda y: (y, 1.0 - y),
    link_delta=lambda h, y: h - y,
)
categorical_cross_entropy = PerObservation(
    terms=lambda h, y: -_xlogy(y, h),
    derivative=lambda h, y: -_over(y, h),
    sampler=_one_hot,
    canonical_link="softmax",
    formula="-sum_k y_k log h_k",
    term="y log h",
    outer="-S",
    derivative_formula="-y / h",
    link_formula="h - y",
    target_range=(0.0, np.inf),
    needs_probabilities=True,
    log_coefficients=lambda y: (y, np.zeros_like(y)),
    # sum_j y_j h_k - y_k; a row summing to 1 gives the familiar h - y, to the last bit.
    link_delta=lambda h, y: h * np.sum(y, axis=-1, keepdims=True) - y,
)
