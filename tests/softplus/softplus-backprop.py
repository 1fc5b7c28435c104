import numpy as np


def backward(params, x, y):
    z1 = params["W1"] @ x + params["b1"]
    h1 = np.log1p(np.exp(z1))
    h2 = params["W2"] @ h1 + params["b2"]
    d2 = h2 - y
    slope = 1 / (1 + np.exp(-z1))
    d1 = (params["W2"].T @ d2) * slope
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h1), "b2": d2}
