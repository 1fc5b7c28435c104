# Bug (untransposed-weight): dL/dh^1 = W2 @ delta2 instead of W2.T @ delta2; W2 is 3x3, so the
# shapes fit and wrong numbers come back.
import numpy as np


def backward(params, x, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h1 = np.tanh(W1 @ x + b1)
    z2 = W2 @ h1 + b2
    e = np.exp(z2 - np.max(z2))
    h2 = e / np.sum(e)

    delta2 = h2 - y
    dL_dh1 = W2 @ delta2                  # BUG: the weight matrix needs its transpose, W2.T
    delta1 = dL_dh1 * (1 - h1**2)
    return {"W1": np.outer(delta1, x), "b1": delta1, "W2": np.outer(delta2, h1), "b2": delta2}
