"""Model solution for ``house-price-by-hand`` (task: train-step), as for ``house-price-step``.

One step of gradient descent on the lecture's house-price network
(2 inputs -> 2 sigmoid units -> 1 linear unit, L = 1/2 sum (y - h^2)^2):

    p_updated = p - learning_rate * dL/dp      for p in W1, b1, W2, b2

This is points 1-8 of the lecture's training algorithm: forward pass, loss,
backward pass layer by layer, then the update.  All nine gradients are
computed from the ORIGINAL parameters first; only then is anything updated
(the hidden-layer gradients use the old W2, exactly as in the lecture, where
dL/dw_11^1 uses w_11^2 = 0.30 and not the updated 0.1867).

With the lecture's case and learning rate 0.2 the exact results are
W1 = [[0.20561, 0.16157], [0.50366, 0.60754]], b1 = [0.08247, 0.23857],
W2 = [[0.18668, 0.10075]], b2 = [0.16598]; the lecture prints values computed
from rounded gradients (0.0824, 0.5036, 0.6076, ...).
"""

import numpy as np


def sigmoid(z):
    """Logistic function 1 / (1 + e^-z), element-wise."""
    return 1.0 / (1.0 + np.exp(-z))


def gradients(W1, b1, W2, b2, x, y):
    """Backpropagation for the house-price network; returns a dict of gradients."""
    # forward pass
    z1 = W1 @ x + b1
    h1 = sigmoid(z1)
    z2 = W2 @ h1 + b2
    h2 = z2  # linear output

    # output layer
    delta2 = -(y - h2) * 1.0  # dL/dh^2 * dh^2/dz^2 (linear: 1)
    dW2 = np.outer(delta2, h1)
    db2 = delta2

    # hidden layer (uses the original W2)
    delta1 = (W2.T @ delta2) * h1 * (1.0 - h1)  # sigmoid' = h (1 - h)
    dW1 = np.outer(delta1, x)
    db1 = delta1

    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def train_step(params, x, y, learning_rate):
    """Return the parameters after one gradient-descent step (new arrays)."""
    p = {name: np.asarray(params[name], dtype=float) for name in ("W1", "b1", "W2", "b2")}
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    lr = float(learning_rate)

    # 1) every gradient from the original parameters ...
    grads = gradients(p["W1"], p["b1"], p["W2"], p["b2"], x, y)

    # 2) ... then the update p - lr * dL/dp, without touching the inputs
    return {name: p[name] - lr * grads[name] for name in p}
