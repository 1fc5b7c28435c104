# No function named backward: a misspelt one, a capitalised one, and a non-callable `backward`.
import numpy as np


def backwards(params, x, y):
    return {name: np.zeros_like(np.asarray(v, dtype=float)) for name, v in params.items()}


def Backward(params, x, y):
    return backwards(params, x, y)


backward = "see backwards() above"
