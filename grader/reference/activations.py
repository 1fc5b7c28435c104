"""Activation functions, each written next to its local derivative (as micrograd does).

Arrays are float64 of shape (m, units) or (units,). Every function returns a fresh array and is
finite, without overflow or invalid-value warnings, for any finite z (underflow to 0 is silent).
Derivatives are written in terms of h = act(z) where the lecture does (sigmoid, tanh), so that
backward() reproduces a hand calculation made from printed, rounded h values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def _float(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


@dataclass(frozen=True)
class Elementwise:
    """An activation applied entry by entry: dL/dz = dL/dh * derivative(z, h)."""

    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]  # dh/dz from z and h = act(z)
    formula: str
    derivative_formula: str

    def forward(self, z: np.ndarray) -> np.ndarray:
        """Return h = act(z) as a fresh array."""
        return _float(self.function(_float(z))).copy()

    def backward(self, z: np.ndarray, h: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
        """Return dL/dz from dL/dh."""
        return _float(grad_h) * self.derivative(_float(z), _float(h))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp(-|z|) lies in (0, 1] for every finite z, so neither branch can overflow.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


linear = Elementwise(
    function=lambda z: z,
    derivative=lambda z, h: np.ones_like(z),
    formula="z",
    derivative_formula="1",
)
sigmoid = Elementwise(
    function=_sigmoid,
    derivative=lambda z, h: h * (1.0 - h),
    formula="1 / (1 + e^-z)",
    derivative_formula="h(1 - h)",
)
tanh = Elementwise(
    function=np.tanh,
    derivative=lambda z, h: 1.0 - h**2,
    formula="tanh(z)",
    derivative_formula="1 - h^2",
)
relu = Elementwise(
    function=lambda z: np.maximum(z, 0.0),
    # The kink at 0 takes the left derivative, as most frameworks do.
    derivative=lambda z, h: (z > 0).astype(np.float64),
    formula="max(z, 0)",
    derivative_formula="1 if z > 0 else 0",
)
leaky_relu = Elementwise(
    function=lambda z: np.where(z > 0, z, 0.01 * z),
    derivative=lambda z, h: np.where(z > 0, 1.0, 0.01),
    formula="z if z > 0 else 0.01 z",
    derivative_formula="1 if z > 0 else 0.01",
)


@dataclass(frozen=True)
class Softmax:
    """Softmax over the last axis (each row of an (m, units) batch is one distribution)."""

    formula: str = "e^z_i / sum_j e^z_j"
    derivative_formula: str = "h_i (delta_ij - h_j)"

    def forward(self, z: np.ndarray) -> np.ndarray:
        """Return h = softmax(z) row by row."""
        z = _float(z)
        # Shifting by the row max keeps every exponent <= 0; a gap wider than the float range
        # overflows to -inf, whose exp is the correct 0, so that overflow is deliberately silent.
        with np.errstate(over="ignore"):
            e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def backward(self, z: np.ndarray, h: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
        """Return dL/dz = h * (g - sum(g * h)): the Jacobian diag(h) - h h^T applied to g."""
        h, g = _float(h), _float(grad_h)
        return h * (g - np.sum(g * h, axis=-1, keepdims=True))


softmax = Softmax()
