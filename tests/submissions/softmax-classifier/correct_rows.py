# Correct: row vectors throughout (x as a 1 x 2 row), delta @ W on the way back.
import numpy as np


def backward(params, x, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    x, y = np.atleast_2d(x), np.atleast_2d(y)
    h1 = np.tanh(x @ W1.T + b1)
    z2 = h1 @ W2.T + b2
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    h2 = e / e.sum(axis=1, keepdims=True)

    delta2 = h2 - y                       # (1, 3): dL/dz^2 of softmax with cross-entropy
    delta1 = (delta2 @ W2) * (1 - h1**2)  # rows: dL/dh^1 = delta2 @ W2, i.e. (W2)^T delta2
    return {
        "W1": delta1.T @ x,
        "b1": delta1[0],
        "W2": delta2.T @ h1,
        "b2": delta2[0],
    }
