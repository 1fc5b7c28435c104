# Changes its inputs in place: takes a gradient step on the caller's params, scribbles on x and y, drops a key, then returns gradients at the changed point.
import numpy as np


def backward(params, x, y):
    params["W1"] -= 0.2 * np.ones_like(params["W1"])
    params["W2"] *= -1.0
    x[:] = 0.0
    y += 1.0
    b2 = params.pop("b2")
    params["extra"] = np.arange(3.0)
    h1 = 1.0 / (1.0 + np.exp(-(params["W1"] @ x + params["b1"])))
    delta2 = params["W2"] @ h1 + b2 - y
    delta1 = (params["W2"].T @ delta2) * h1 * (1.0 - h1)
    return {"W1": np.outer(delta1, x), "b1": delta1, "W2": np.outer(delta2, h1), "b2": delta2}
