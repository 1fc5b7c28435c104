# Right numbers, wrong shapes: W1 flattened, b1 as a column, W2 as a vector, b2 as a scalar.
import numpy as np


def backward(params, x, y):
    h1 = 1.0 / (1.0 + np.exp(-(params["W1"] @ x + params["b1"])))
    delta2 = params["W2"] @ h1 + params["b2"] - y
    delta1 = (params["W2"].T @ delta2) * h1 * (1.0 - h1)
    return {
        "W1": np.outer(delta1, x).ravel(),
        "b1": delta1.reshape(2, 1),
        "W2": np.outer(delta2, h1)[0],
        "b2": float(delta2[0]),
    }
