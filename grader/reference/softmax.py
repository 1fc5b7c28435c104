"""Softmax over the last axis, its derivative, and its logs computed exactly from z.

log h and log(1 - h) are what a cross-entropy needs; computed as log(softmax(z)) they are exact
only while h is not within a rounding of 0 or 1. From z instead: with t = max_k z_k and
r = sum_{k != argmax} e^(z_k - t) (the max entry left out, so no 1 + tiny is ever formed),

    log h_j = (z_j - t) - log1p(r)

and log(1 - h_j) = log1p(-h_j) where h_j < 1/2, else the log-sum-exp of log h_k over k != j
(no subtraction from 1 at all). Both are exact to a few ulps for any finite z.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def _rows(z: Array) -> Array:
    return np.atleast_2d(np.asarray(z, dtype=np.float64))


def _others(n: int) -> Array:
    """(n, n) mask: row j selects every k != j."""
    return ~np.eye(n, dtype=bool)


def _log_sum_others(logh: Array) -> Array:
    """log sum_{k != j} h_k for every j, from log h: no term underflows before the sum."""
    n = logh.shape[-1]
    if n == 1:  # 1 - h of a one-unit softmax is exactly 0
        return np.full_like(logh, -np.inf)
    terms = np.where(_others(n), logh[..., None, :], -np.inf)  # (m, j, k)
    top = terms.max(axis=-1, keepdims=True)
    # Every other h_k is 0 only past the float range (a z gap over 1.8e308): log 0 = -inf.
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return top[..., 0] + np.log(np.exp(terms - safe).sum(axis=-1))


def log_softmax(z: Array) -> tuple[Array, Array]:
    """(log h, log(1 - h)) row by row, exact where h rounds to 0 or 1."""
    z = _rows(z)
    top = z.max(axis=-1, keepdims=True)
    # A gap wider than the float range overflows to -inf, whose exp is the correct 0.
    with np.errstate(over="ignore"):
        shifted = z - top
    e = np.exp(shifted)
    e[np.arange(len(e)), shifted.argmax(axis=-1)] = 0.0  # leave one max out: r, not 1 + r
    logh = shifted - np.log1p(e.sum(axis=-1, keepdims=True))
    h = np.exp(logh)
    with np.errstate(divide="ignore"):
        log1mh = np.where(h < 0.5, np.log1p(-np.minimum(h, 0.5)), _log_sum_others(logh))
    return logh, log1mh


def log_loss_delta(z: Array, a: Array, b: Array) -> Array:
    """dl/dz for l = -sum_k [a_k log h_k + b_k log(1 - h_k)], h = softmax(z), row by row.

    With dl/dh_k = -a_k/h_k + b_k/(1 - h_k) and dh_k/dz_j = h_k (delta_jk - h_j):

        dl/dz_j = -a_j (1 - h_j) + b_j h_j + h_j sum_{k != j} a_k
                  - sum_{k != j} b_k h_j h_k / (1 - h_k)

    Every product is formed in log space, so none is 0 * inf or 1 - (1 - tiny). For one-hot a
    and b = 0 (categorical cross-entropy) this is h - y; for rows of any sum, h sum(a) - a.
    """
    a, b = _rows(a), _rows(b)
    logh, log1mh = log_softmax(z)
    others = _others(logh.shape[-1])
    h, one_minus_h = np.exp(logh), np.exp(log1mh)
    a_others = np.where(others, a[..., None, :], 0.0).sum(axis=-1)
    log_odds = logh - log1mh  # log(h_k / (1 - h_k)), +inf only for a 1-unit softmax
    with np.errstate(invalid="ignore", over="ignore"):
        odds = np.where(others, np.exp(logh[..., :, None] + log_odds[..., None, :]), 0.0)
    b_odds = np.where(b[..., None, :] == 0, 0.0, b[..., None, :] * odds).sum(axis=-1)
    return -a * one_minus_h + b * h + h * a_others - b_odds


@dataclass(frozen=True)
class Softmax:
    """Softmax over the last axis (each row of an (m, units) batch is one distribution)."""

    formula: str = "e^z_i / sum_j e^z_j"
    derivative_formula: str = "h_i (delta_ij - h_j)"
    output_range: str = "(0, 1), each row summing to 1"
    probabilities: bool = True

    def forward(self, z: Array) -> Array:
        """Return h = softmax(z) row by row."""
        z = np.asarray(z, dtype=np.float64)
        # Shifting by the row max keeps every exponent <= 0; a gap wider than the float range
        # overflows to -inf, whose exp is the correct 0, so that overflow is deliberately silent.
        with np.errstate(over="ignore"):
            e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def backward(self, z: Array, h: Array, grad_h: Array) -> Array:
        """Return dL/dz = h * (g - sum(g * h)): the Jacobian diag(h) - h h^T applied to g."""
        h, g = np.asarray(h, dtype=np.float64), np.asarray(grad_h, dtype=np.float64)
        return h * (g - np.sum(g * h, axis=-1, keepdims=True))

    def exact_backward(self, z: Array, grad_h: Array) -> Array:
        """dL/dz for h = softmax(z) itself: h_j sum_{k != j} (g_j - g_k) h_k.

        The same product as backward's h (g - sum(g h)) once the h sum to 1, without forming
        g_j - g_j h_j - ..., which loses everything where h_j rounds to 1.
        """
        h = _rows(self.forward(z))
        g = _rows(grad_h)
        apart = (g[..., :, None] - g[..., None, :]) * h[..., None, :]  # (m, j, k)
        return (h * np.where(_others(h.shape[-1]), apart, 0.0).sum(axis=-1)).reshape(np.shape(z))

    def log_output(self, z: Array) -> tuple[Array, Array]:
        """(log h, log(1 - h)) from z; rows as z's."""
        logh, log1mh = log_softmax(z)
        return logh.reshape(np.shape(z)), log1mh.reshape(np.shape(z))

    def log_loss_delta(self, z: Array, a: Array, b: Array) -> Array:
        """dl/dz of l = -sum_k [a_k log h_k + b_k log(1 - h_k)]; see log_loss_delta above."""
        return log_loss_delta(z, a, b).reshape(np.shape(z))
