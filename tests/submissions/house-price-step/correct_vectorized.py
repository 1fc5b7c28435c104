# Correct: numpy; builds the gradient dict from the original parameters, then a dict-comprehension update.
import numpy as np


def train_step(params, x, y, learning_rate):
    h1 = 1.0 / (1.0 + np.exp(-(params["W1"] @ x + params["b1"])))
    h2 = params["W2"] @ h1 + params["b2"]

    d2 = h2 - y
    d1 = (params["W2"].T @ d2) * h1 * (1.0 - h1)
    grads = {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h1), "b2": d2}

    return {name: params[name] - learning_rate * g for name, g in grads.items()}
