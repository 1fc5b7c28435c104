# Huge array: returns a (10**4, 10**4) float64 gradient (800 MB), or a zero-copy view of that size when allocation fails.
import numpy as np


def backward(params, x, y):
    try:
        W1 = np.ones((10**4, 10**4))
    except MemoryError:
        W1 = np.broadcast_to(np.float64(1.0), (10**4, 10**4))  # 8 bytes pretending to be 800 MB
    return {"W1": W1, "b1": np.zeros(2), "W2": np.zeros((1, 2)), "b2": np.zeros(1)}
