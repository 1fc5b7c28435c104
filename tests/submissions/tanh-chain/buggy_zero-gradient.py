# Bug (zero-gradient): returns zeros of the right shapes whatever the inputs.
import numpy as np


def backward(params, x, y):
    return {
        "W1": np.zeros((1, 1)),
        "b1": np.zeros(1),
        "W2": np.zeros((1, 1)),
        "b2": np.zeros(1),
    }
