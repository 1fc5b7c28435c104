# Returns None: computes the gradients and forgets the return statement.
import numpy as np


def backward(params, x, y):
    h1 = 1.0 / (1.0 + np.exp(-(params["W1"] @ x + params["b1"])))
    delta2 = params["W2"] @ h1 + params["b2"] - y
    delta1 = (params["W2"].T @ delta2) * h1 * (1.0 - h1)
    grads = {"W1": np.outer(delta1, x), "b1": delta1, "W2": np.outer(delta2, h1), "b2": delta2}
    grads  # noqa: B018 (the missing `return`)
