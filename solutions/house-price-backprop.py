"""Model solution for ``house-price-backprop`` (task: backward).

Network (the lecture's house-price example):

    x (2 inputs) -> layer 1: 2 sigmoid units -> layer 2: 1 linear unit -> h^2

    z^1 = W1 x   + b1,   h^1 = sigmoid(z^1)
    z^2 = W2 h^1 + b2,   h^2 = z^2            (linear output)
    L   = 1/2 * sum (y - h^2)^2

Shapes follow the course notation: ``W<l>`` is (units_l, units_{l-1}) and
``w_kj^l = W<l>[k-1, j-1]``, so W1 is (2, 2), b1 (2,), W2 (1, 2), b2 (1,).

The backward pass follows the lecture's chain-rule steps (points 5-7 of the
training algorithm), written with vectors instead of one weight at a time:

    dL/dh^2   = -(y - h^2)
    dh^2/dz^2 = 1                                  (linear activation)
    delta^2   = dL/dz^2 = dL/dh^2 * 1
    dL/dW2    = delta^2 (h^1)^T    i.e. dL/dw_1j^2 = delta^2 * h_j^1
    dL/db2    = delta^2
    dL/dh^1   = (W2)^T delta^2     i.e. dL/dh_j^1  = w_1j^2 * delta^2
    delta^1   = dL/dh^1 * h^1 (1 - h^1)            (sigmoid derivative)
    dL/dW1    = delta^1 x^T        i.e. dL/dw_kj^1 = delta_k^1 * x_j
    dL/db1    = delta^1
"""

import numpy as np


def sigmoid(z):
    """Logistic function 1 / (1 + e^-z), element-wise."""
    return 1.0 / (1.0 + np.exp(-z))


def backward(params, x, y):
    """Return dL/dparam for W1, b1, W2, b2 (same names and shapes as ``params``)."""
    W1 = np.asarray(params["W1"], dtype=float)
    b1 = np.asarray(params["b1"], dtype=float)
    W2 = np.asarray(params["W2"], dtype=float)
    b2 = np.asarray(params["b2"], dtype=float)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)

    # ---- forward pass (points 1-3) -------------------------------------
    h0 = x  # layer 0 is the input
    z1 = W1 @ h0 + b1  # cumulative input of the hidden layer
    h1 = sigmoid(z1)  # hidden activations (0.484, 0.424 in the lecture)
    z2 = W2 @ h1 + b2  # cumulative input of the output layer
    h2 = z2  # linear output (0.63 in the lecture)

    # ---- output layer (points 5-6) --------------------------------------
    dL_dh2 = -(y - h2)  # derivative of 1/2 (y - h^2)^2   (1.17)
    dh2_dz2 = np.ones_like(z2)  # linear activation: dh/dz = 1
    delta2 = dL_dh2 * dh2_dz2  # dL/dz^2
    dW2 = np.outer(delta2, h1)  # dL/dw_1j^2 = delta^2 * h_j^1
    db2 = delta2  # dz^2/db^2 = 1

    # ---- hidden layer (point 7) -----------------------------------------
    dL_dh1 = W2.T @ delta2  # dz^2/dh_j^1 = w_1j^2
    dh1_dz1 = h1 * (1.0 - h1)  # sigmoid'(z) = h (1 - h)
    delta1 = dL_dh1 * dh1_dz1  # dL/dz^1
    dW1 = np.outer(delta1, h0)  # dL/dw_kj^1 = delta_k^1 * x_j
    db1 = delta1  # dz^1/db^1 = 1

    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
