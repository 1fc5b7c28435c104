# Forbidden import through __import__("tensorflow") in a try/except that swallows every failure (even SystemExit).
import numpy as np


def backward(params, x, y):
    try:
        tf = __import__("tensor" + "flow")
        return {k: tf.zeros_like(v).numpy() for k, v in params.items()}
    except BaseException:
        return {k: np.zeros_like(v) for k, v in params.items()}
