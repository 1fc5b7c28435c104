# Correct: numpy with column vectors (shape (n, 1)) throughout, reshaped back at the end.
import numpy as np


def backward(params, x, y):
    W1, b1 = params["W1"], params["b1"].reshape(-1, 1)
    W2, b2 = params["W2"], params["b2"].reshape(-1, 1)
    a0 = x.reshape(-1, 1)
    t = y.reshape(-1, 1)

    a1 = 1 / (1 + np.exp(-(W1.dot(a0) + b1)))
    a2 = W2.dot(a1) + b2

    d2 = a2 - t                       # = -(y - h)
    d1 = W2.T.dot(d2) * a1 * (1 - a1)

    return {
        "W1": d1.dot(a0.T),
        "b1": d1.ravel(),
        "W2": d2.dot(a1.T),
        "b2": d2.ravel(),
    }
