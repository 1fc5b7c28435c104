"""Model solution for ``mazur-step`` (task: train-step).

Matt Mazur's network: 2 inputs -> 2 sigmoid units -> 2 sigmoid units, one bias per layer
shared by its units (b1, b2 of shape (1,)), E = sum over the outputs of 1/2 (y - h)^2.
One step of gradient descent on the weights; the biases are frozen (the article never updates
them), so they come back unchanged.

Every gradient is computed from the ORIGINAL weights before anything is updated. (The
article's "total error after the first round", 0.291027924, backpropagates to the hidden layer
through the already-updated w5..w8; the exact error after this step is 0.291027774.)
"""

import numpy as np


def sigmoid(z):
    """Logistic function 1 / (1 + e^-z), element-wise."""
    return 1.0 / (1.0 + np.exp(-z))


def train_step(params, x, y, learning_rate):
    """Return the parameters after one gradient-descent step on W1 and W2 (new arrays)."""
    W1, b1 = np.asarray(params["W1"], float), np.asarray(params["b1"], float)
    W2, b2 = np.asarray(params["W2"], float), np.asarray(params["b2"], float)
    x, y, lr = np.asarray(x, float), np.asarray(y, float), float(learning_rate)

    # forward pass: the shared bias is added to every unit of its layer
    h1 = sigmoid(W1 @ x + b1[0])
    h2 = sigmoid(W2 @ h1 + b2[0])

    # backward pass: Mazur's deltas dE/dnet
    delta2 = (h2 - y) * h2 * (1.0 - h2)  # dE/dout_o * dout_o/dnet_o
    delta1 = (W2.T @ delta2) * h1 * (1.0 - h1)  # through the ORIGINAL W2
    dW2 = np.outer(delta2, h1)
    dW1 = np.outer(delta1, x)

    return {"W1": W1 - lr * dW1, "b1": b1.copy(), "W2": W2 - lr * dW2, "b2": b2.copy()}
