"""Model solution for ``hmkcode-step`` (task: train-step).

hmkcode's network: 2 inputs -> 2 linear units -> 1 linear unit, no biases,
L = 1/2 (prediction - actual)^2. One gradient-descent step on both weight matrices,
every gradient from the ORIGINAL weights:

    Delta = prediction - actual                       (dL/dz^2: the output is linear)
    w5* = w5 - a * h1 * Delta,  w1* = w1 - a * i1 * Delta * w5, ...
"""

import numpy as np


def train_step(params, x, y, learning_rate):
    """Return W1 and W2 after one gradient-descent step (new arrays)."""
    W1, W2 = np.asarray(params["W1"], float), np.asarray(params["W2"], float)
    x, y, a = np.asarray(x, float), np.asarray(y, float), float(learning_rate)

    h = W1 @ x  # hidden layer, no activation, no bias
    prediction = W2 @ h
    delta2 = prediction - y  # the article's Delta
    delta1 = W2.T @ delta2  # through the original w5, w6

    return {"W1": W1 - a * np.outer(delta1, x), "W2": W2 - a * np.outer(delta2, h)}
