# Object arrays: dtype=object holding number-like objects, None, dicts and ragged lists.
import numpy as np


class Number:
    """Pretends to be a number: float() works, but it is not one."""

    def __init__(self, value):
        self.value = value

    def __float__(self):
        return float(self.value)


def backward(params, x, y):
    h1 = 1.0 / (1.0 + np.exp(-(params["W1"] @ x + params["b1"])))
    delta2 = params["W2"] @ h1 + params["b2"] - y
    delta1 = (params["W2"].T @ delta2) * h1 * (1.0 - h1)
    W1 = np.empty((2, 2), dtype=object)
    for i in range(2):
        for j in range(2):
            W1[i, j] = Number(delta1[i] * x[j])
    b1 = np.array([None, {"grad": float(delta1[1])}], dtype=object)
    W2 = np.empty(1, dtype=object)
    W2[0] = [float(delta2[0] * h1[0]), [float(delta2[0] * h1[1])]]  # ragged
    b2 = np.array([Number(delta2[0])], dtype=object)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
