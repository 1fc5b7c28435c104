# Bug (scaled): the batch mean is missing; the gradients are sums over the m observations,
# m times the gradients of L = 1/m sum_i 1/2 (y_i - h_i)^2.
import numpy as np


def backward(params, x, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h1 = 1.0 / (1.0 + np.exp(-(x @ W1.T + b1)))
    h2 = h1 @ W2.T + b2

    delta2 = h2 - y                       # BUG: (h2 - y) / m, the loss is a mean
    delta1 = (delta2 @ W2) * h1 * (1 - h1)
    return {"W1": delta1.T @ x, "b1": delta1.sum(axis=0), "W2": delta2.T @ h1, "b2": delta2.sum(axis=0)}
