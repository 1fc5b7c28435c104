"""Model solution for ``softmax-classifier`` (task: backward).

A classifier (the lecture's points 3-4): 2 inputs -> 3 tanh units -> 3 softmax outputs, which
are the probabilities of the three classes, with the categorical cross-entropy loss

    z^1 = W1 x + b1,     h^1 = tanh(z^1)
    z^2 = W2 h^1 + b2,   h^2 = softmax(z^2),   h_k^2 = e^{z_k^2} / sum_i e^{z_i^2}
    L = -sum_k y_k log h_k^2                   (y one-hot: L = -log of the true class's h)

The output layer in one step. dL/dh_k = -y_k / h_k and dh_k/dz_j = h_k (delta_kj - h_j), so

    dL/dz_j = sum_k (-y_k / h_k) h_k (delta_kj - h_j)
            = -y_j + h_j sum_k y_k
            = h_j - y_j                        (a one-hot y sums to 1)

so delta^2 = dL/dz^2 = h^2 - y: no softmax Jacobian and no division by a tiny probability.
The hidden layer then follows the lecture's chain rule with tanh' = 1 - h^2.
"""

import numpy as np


def softmax(z):
    """Probabilities e^z_k / sum_i e^z_i; subtracting max(z) changes nothing but avoids overflow."""
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def backward(params, x, y):
    """Return dL/dparam for W1, b1, W2, b2 (same names and shapes as ``params``)."""
    W1 = np.asarray(params["W1"], dtype=float)
    b1 = np.asarray(params["b1"], dtype=float)
    W2 = np.asarray(params["W2"], dtype=float)
    b2 = np.asarray(params["b2"], dtype=float)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)

    # ---- forward pass (points 1-3) ------------------------------------------
    h0 = x
    z1 = W1 @ h0 + b1
    h1 = np.tanh(z1)
    z2 = W2 @ h1 + b2
    h2 = softmax(z2)  # class probabilities

    # ---- output layer (points 5-6): softmax + cross-entropy ------------------
    delta2 = h2 - y  # dL/dz^2, derived above
    dW2 = np.outer(delta2, h1)  # dz_k^2/dw_kj^2 = h_j^1
    db2 = delta2  # dz_k^2/db_k^2 = 1

    # ---- hidden layer (point 7) ----------------------------------------------
    dL_dh1 = W2.T @ delta2  # dL/dh_j^1 = sum_k dL/dz_k^2 w_kj^2: every output depends on h_j^1
    delta1 = dL_dh1 * (1.0 - h1**2)  # tanh'(z) = 1 - h^2
    dW1 = np.outer(delta1, h0)  # dz_k^1/dw_kj^1 = x_j
    db1 = delta1

    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
