# Bug (wrong-activation-derivative): uses the sigmoid derivative h(1 - h) for tanh instead of 1 - h^2 (both units).
import numpy as np


def backward(params, x, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1 = W1 @ x + b1
    h1 = np.tanh(z1)
    z2 = W2 @ h1 + b2
    h2 = np.tanh(z2)

    delta2 = -(y - h2) * h2 * (1 - h2)            # BUG: tanh derivative is 1 - h2 ** 2
    dW2 = np.outer(delta2, h1)
    db2 = delta2
    delta1 = (W2.T @ delta2) * h1 * (1 - h1)      # BUG: tanh derivative is 1 - h1 ** 2
    dW1 = np.outer(delta1, x)
    db1 = delta1

    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
