# Correct: computes every gradient first, then updates the caller's arrays IN PLACE and returns the same dict.
import numpy as np


def train_step(params, x, y, learning_rate):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h1 = 1.0 / (1.0 + np.exp(-(W1 @ x + b1)))
    h2 = W2 @ h1 + b2
    d2 = -(y - h2)
    d1 = (W2.T @ d2) * h1 * (1.0 - h1)
    gW1, gb1, gW2, gb2 = np.outer(d1, x), d1.copy(), np.outer(d2, h1), d2.copy()

    W1 -= learning_rate * gW1
    b1 -= learning_rate * gb1
    W2 -= learning_rate * gW2
    b2 -= learning_rate * gb2
    return params
