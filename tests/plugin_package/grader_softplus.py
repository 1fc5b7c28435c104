"""softplus(z) = log(1 + e^z), whose derivative is the logistic sigmoid."""

from __future__ import annotations

import numpy as np


class Softplus:
    formula = "log(1 + e^z)"
    derivative_formula = "1 / (1 + e^-z)"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.logaddexp(0.0, z)  # stable for large |z|

    def backward(self, z: np.ndarray, h: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
        e = np.exp(-np.abs(z))
        sigmoid = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return grad_h * sigmoid


softplus = Softplus()
