"""Model solution for ``house-price-forward`` (task: forward).

The lecture's house-price network, forward pass only (points 1-2 of the training algorithm):

    h^0 = x                                    (point 1: the inputs)
    z^1 = W1 h^0 + b1,   h^1 = sigmoid(z^1)    (point 2: cumulative input, then activation)
    z^2 = W2 h^1 + b2,   h^2 = z^2             (linear output: the predicted price)

``W<l>`` is (units_l, units_{l-1}) and ``w_kj^l = W<l>[k-1, j-1]``, so ``W1 @ x`` gives
z_k^1 = sum_j w_kj^1 x_j. With the lecture's case h^1 = [0.48426, 0.42409] and h^2 = [0.63009],
which the lecture prints as 0.484, 0.424 and 0.63.
"""

import numpy as np


def sigmoid(z):
    """Logistic function 1 / (1 + e^-z), element-wise."""
    return 1.0 / (1.0 + np.exp(-z))


def forward(params, x):
    """Return every layer's output: {"h1": h^1, "h2": h^2}."""
    W1 = np.asarray(params["W1"], dtype=float)
    b1 = np.asarray(params["b1"], dtype=float)
    W2 = np.asarray(params["W2"], dtype=float)
    b2 = np.asarray(params["b2"], dtype=float)
    h0 = np.asarray(x, dtype=float)  # layer 0 is the input

    z1 = W1 @ h0 + b1  # cumulative input of the hidden layer
    h1 = sigmoid(z1)  # hidden activations
    z2 = W2 @ h1 + b2  # cumulative input of the output layer
    h2 = z2  # linear activation: the prediction itself

    return {"h1": h1, "h2": h2}
