# Bug (zero-gradient): returns zeros of the right shapes whatever the inputs.
import numpy as np


def backward(params, x, y):
    return {name: np.zeros_like(np.asarray(value, dtype=float)) for name, value in params.items()}
