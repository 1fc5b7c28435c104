"""Losses, each written next to its derivative.

h (prediction) and y (target) have shape (m, outputs); a 1-D pair is one observation (m = 1).
Per observation, with k running over the outputs:

    half-squared-error         1/2 sum_k (y_k - h_k)^2      (the lecture's 1/2 (y - h)^2)
    mean-squared-error         mean_k (y_k - h_k)^2
    binary-cross-entropy       -sum_k [y_k log h_k + (1 - y_k) log(1 - h_k)]
    categorical-cross-entropy  -sum_k y_k log h_k

The loss is the mean over the m rows, so `gradient` (dL/dh) includes the factor 1/m. Inside
logs and denominators h is clipped to [1e-15, 1 - 1e-15]: a saturated output gives a large but
finite loss and gradient, never inf or NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_EPS = 1e-15
Sampler = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


def _clip(h: np.ndarray) -> np.ndarray:
    return np.clip(h, _EPS, 1.0 - _EPS)


@dataclass(frozen=True)
class PerObservation:
    """A loss given per observation (entrywise terms summed over k), averaged over rows."""

    terms: Callable[[np.ndarray, np.ndarray], np.ndarray]  # loss entries of one row, summed
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]  # d(row loss)/dh
    sampler: Sampler
    canonical_link: str | None
    formula: str

    def _rows(self, h: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h, y = np.asarray(h, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if h.shape != y.shape or h.ndim not in (1, 2):
            raise ValueError(f"h has shape {h.shape} and y {y.shape}: expected equal (m, outputs)")
        return np.atleast_2d(h), np.atleast_2d(y)

    def value(self, h: np.ndarray, y: np.ndarray) -> float:
        """The mean over rows of the per-observation loss."""
        h2, y2 = self._rows(h, y)
        return float(np.mean(np.sum(self.terms(h2, y2), axis=-1)))

    def gradient(self, h: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL/dh with the shape of h, including the 1/m of the batch mean."""
        h2, y2 = self._rows(h, y)
        return (self.derivative(h2, y2) / h2.shape[0]).reshape(np.shape(h))

    def sample_targets(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Targets of this shape that the loss is meant for."""
        if len(shape) not in (1, 2) or min(shape, default=0) < 1:
            raise ValueError(f"target shape {shape}: expected (outputs,) or (m, outputs)")
        return self.sampler(rng, tuple(shape))


def _uniform(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, size=shape)


def _binary(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.integers(0, 2, size=shape).astype(np.float64)


def _one_hot(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    classes = rng.integers(0, shape[-1], size=shape[:-1])
    return np.eye(shape[-1])[classes]


half_squared_error = PerObservation(
    terms=lambda h, y: 0.5 * (y - h) ** 2,
    derivative=lambda h, y: h - y,
    sampler=_uniform,
    canonical_link=None,
    formula="1/2 sum_k (y_k - h_k)^2",
)
mean_squared_error = PerObservation(
    terms=lambda h, y: (y - h) ** 2 / h.shape[-1],
    derivative=lambda h, y: 2.0 * (h - y) / h.shape[-1],
    sampler=_uniform,
    canonical_link=None,
    formula="mean_k (y_k - h_k)^2",
)
binary_cross_entropy = PerObservation(
    terms=lambda h, y: -(y * np.log(_clip(h)) + (1.0 - y) * np.log(1.0 - _clip(h))),
    # -y/h + (1 - y)/(1 - h) over one denominator, clipped so that it is never 0.
    derivative=lambda h, y: (h - y) / (_clip(h) * (1.0 - _clip(h))),
    sampler=_binary,
    canonical_link="sigmoid",
    formula="-sum_k [y_k log h_k + (1 - y_k) log(1 - h_k)]",
)
categorical_cross_entropy = PerObservation(
    terms=lambda h, y: -y * np.log(_clip(h)),
    derivative=lambda h, y: -y / _clip(h),
    # The canonical shortcut dL/dz = h - y assumes each target row sums to 1 (one-hot rows do).
    sampler=_one_hot,
    canonical_link="softmax",
    formula="-sum_k y_k log h_k",
)
