# Bug (pre-activation-used): dL/dW2 uses the pre-activation z^1 where the activation h^1 belongs.
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backward(params, x, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1 = W1 @ x + b1
    h1 = sigmoid(z1)
    z2 = W2 @ h1 + b2
    h2 = z2

    delta2 = -(y - h2)
    dW2 = np.outer(delta2, z1)            # BUG: should be np.outer(delta2, h1)
    db2 = delta2
    delta1 = (W2.T @ delta2) * h1 * (1 - h1)
    dW1 = np.outer(delta1, x)
    db1 = delta1

    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
