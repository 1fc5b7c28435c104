# Bug (sign-flipped): dL/dz^2 = y - h^2 instead of h^2 - y (softmax with cross-entropy).
import numpy as np


def backward(params, x, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h1 = np.tanh(W1 @ x + b1)
    z2 = W2 @ h1 + b2
    e = np.exp(z2 - np.max(z2))
    h2 = e / np.sum(e)

    delta2 = y - h2                       # BUG: dL/dz of -sum y log softmax(z) is h - y
    delta1 = (W2.T @ delta2) * (1 - h1**2)
    return {"W1": np.outer(delta1, x), "b1": delta1, "W2": np.outer(delta2, h1), "b2": delta2}
