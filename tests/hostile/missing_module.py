# Imports a helper module that was never handed in (it lived next to the file on the student's laptop).
import numpy as np
from backprop_helpers import sigmoid, sigmoid_prime


def backward(params, x, y):
    z1 = params["W1"] @ x + params["b1"]
    h1 = sigmoid(z1)
    delta2 = params["W2"] @ h1 + params["b2"] - y
    delta1 = (params["W2"].T @ delta2) * sigmoid_prime(z1)
    return {"W1": np.outer(delta1, x), "b1": delta1, "W2": np.outer(delta2, h1), "b2": delta2}
