# Correct: computes with numpy, but returns plain Python lists via .tolist().
import numpy as np


def backward(params, x, y):
    h1 = np.tanh(np.dot(params["W1"], x) + params["b1"])
    h2 = np.tanh(np.dot(params["W2"], h1) + params["b2"])

    delta2 = -(y - h2) * (1.0 - np.square(h2))
    delta1 = np.dot(params["W2"].T, delta2) * (1.0 - np.square(h1))

    return {
        "W1": np.outer(delta1, x).tolist(),
        "b1": delta1.tolist(),
        "W2": np.outer(delta2, h1).tolist(),
        "b2": delta2.tolist(),
    }
