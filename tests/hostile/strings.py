# Returns the right gradients as text: nested lists of str, a numpy str array, a str and bytes.
import numpy as np


def backward(params, x, y):
    h1 = 1.0 / (1.0 + np.exp(-(params["W1"] @ x + params["b1"])))
    delta2 = params["W2"] @ h1 + params["b2"] - y
    delta1 = (params["W2"].T @ delta2) * h1 * (1.0 - h1)
    W1 = np.outer(delta1, x)
    W2 = np.outer(delta2, h1)
    return {
        "W1": [[repr(float(v)) for v in row] for row in W1],
        "b1": np.array([repr(float(v)) for v in delta1]),  # dtype '<U..'
        "W2": [[str(float(v)) for v in row] for row in W2],
        "b2": [repr(float(delta2[0])).encode()],  # bytes
    }
