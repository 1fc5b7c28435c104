# Bug (ascent): gradient ascent: p + learning_rate * dL/dp instead of p - learning_rate * dL/dp.
import numpy as np


def train_step(params, x, y, learning_rate):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h1 = 1.0 / (1.0 + np.exp(-(W1 @ x + b1)))
    h2 = W2 @ h1 + b2

    d2 = -(y - h2)
    d1 = (W2.T @ d2) * h1 * (1 - h1)
    return {                              # BUG: + instead of -
        "W1": W1 + learning_rate * np.outer(d1, x),
        "b1": b1 + learning_rate * d1,
        "W2": W2 + learning_rate * np.outer(d2, h1),
        "b2": b2 + learning_rate * d2,
    }
