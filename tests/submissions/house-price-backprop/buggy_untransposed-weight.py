# Bug (untransposed-weight): dL/dh^1 = W2 @ delta2 instead of W2.T @ delta2; W2 is 1 x 2, so
# numpy raises a shape error (matmul: ... mismatch in its core dimension) on every case.
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backward(params, x, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h1 = sigmoid(W1 @ x + b1)
    h2 = W2 @ h1 + b2

    delta2 = -(y - h2)
    delta1 = (W2 @ delta2) * h1 * (1 - h1)   # BUG: W2.T @ delta2
    return {"W1": np.outer(delta1, x), "b1": delta1, "W2": np.outer(delta2, h1), "b2": delta2}
