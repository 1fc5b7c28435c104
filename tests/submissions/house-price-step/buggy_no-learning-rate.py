# Bug (no-learning-rate): the update is p - dL/dp; the learning rate is never applied.
import numpy as np


def train_step(params, x, y, learning_rate):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h1 = 1.0 / (1.0 + np.exp(-(W1 @ x + b1)))
    h2 = W2 @ h1 + b2

    d2 = -(y - h2)
    d1 = (W2.T @ d2) * h1 * (1 - h1)
    return {                              # BUG: should be p - learning_rate * grad
        "W1": W1 - np.outer(d1, x),
        "b1": b1 - d1,
        "W2": W2 - np.outer(d2, h1),
        "b2": b2 - d2,
    }
