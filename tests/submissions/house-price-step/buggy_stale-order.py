# Bug (stale-order): updates W2 first, then backpropagates to the hidden layer through the already-updated W2.
import numpy as np


def train_step(params, x, y, learning_rate):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h1 = 1.0 / (1.0 + np.exp(-(W1 @ x + b1)))
    h2 = W2 @ h1 + b2

    d2 = -(y - h2)
    new_W2 = W2 - learning_rate * np.outer(d2, h1)
    new_b2 = b2 - learning_rate * d2
    d1 = (new_W2.T @ d2) * h1 * (1 - h1)  # BUG: must use the original W2
    new_W1 = W1 - learning_rate * np.outer(d1, x)
    new_b1 = b1 - learning_rate * d1
    return {"W1": new_W1, "b1": new_b1, "W2": new_W2, "b2": new_b2}
