# stale-order: the article's own slip, the hidden deltas taken through the already-updated w5..w8
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def train_step(params, x, y, learning_rate):
    W1, b1 = np.asarray(params["W1"], float), np.asarray(params["b1"], float)
    W2, b2 = np.asarray(params["W2"], float), np.asarray(params["b2"], float)
    h1 = sigmoid(W1 @ x + b1[0])
    h2 = sigmoid(W2 @ h1 + b2[0])
    delta2 = (h2 - y) * h2 * (1 - h2)
    W2 = W2 - learning_rate * np.outer(delta2, h1)  # updated before the hidden layer's turn
    delta1 = (W2.T @ delta2) * h1 * (1 - h1)
    return {"W1": W1 - learning_rate * np.outer(delta1, x), "b1": b1, "W2": W2, "b2": b2}
