# Returns NaN, +inf and -inf (and a float that overflows to inf) instead of numbers.
import numpy as np


def backward(params, x, y):
    return {
        "W1": np.array([[np.nan, np.inf], [-np.inf, np.nan]]),
        "b1": np.array([float("nan"), 1e308 * 10]),
        "W2": [[float("inf"), float("-inf")]],
        "b2": np.array([np.nan]),
    }
