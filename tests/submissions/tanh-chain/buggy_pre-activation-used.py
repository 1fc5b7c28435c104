# Bug (pre-activation-used): dL/dW2 uses the pre-activation z_1 where the activation h_1 belongs.
import numpy as np


def backward(params, x, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1 = W1 @ x + b1
    h1 = np.tanh(z1)
    z2 = W2 @ h1 + b2
    h2 = np.tanh(z2)

    delta2 = -(y - h2) * (1 - h2 ** 2)
    dW2 = np.outer(delta2, z1)            # BUG: dz2/dw2 is h1, not z1
    db2 = delta2
    delta1 = (W2.T @ delta2) * (1 - h1 ** 2)
    dW1 = np.outer(delta1, x)
    db1 = delta1

    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
