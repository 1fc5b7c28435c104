# Correct: computes with numpy, but hands back plain Python lists via .tolist().
import numpy as np


def backward(params, x, y):
    z1 = np.dot(params["W1"], x) + params["b1"]
    h1 = 1.0 / (1.0 + np.exp(-z1))
    h2 = np.dot(params["W2"], h1) + params["b2"]

    err = -(y - h2)
    g_W2 = err[:, None] * h1[None, :]
    g_b2 = err
    back = np.dot(params["W2"].T, err) * h1 * (1.0 - h1)
    g_W1 = back[:, None] * x[None, :]
    g_b1 = back

    return {
        "W1": g_W1.tolist(),
        "b1": g_b1.tolist(),
        "W2": g_W2.tolist(),
        "b2": g_b2.tolist(),
    }
