"""Model solution for ``tanh-chain`` (task: backward).

The lecture's condensed scalar network: one input, then two tanh units in a
chain, each "layer" holding a single unit:

    z_1 = w_1 x   + b_1,   h_1 = tanh(z_1)
    z_2 = w_2 h_1 + b_2,   h_2 = tanh(z_2)
    L   = 1/2 (y - h_2)^2

In the course notation the weights are 1x1 matrices and the biases length-1
vectors: W1 (1, 1), b1 (1,), W2 (1, 1), b2 (1,); x and y have shape (1,).

The lecture derives

    dL/dw_2 = dL/dh_2 * dh_2/dz_2 * dz_2/dw_2 = [-(y - h_2)] [1 - h_2^2] [h_1]

and the same chain continued one layer further gives the rest:

    delta_2 = dL/dz_2 = -(y - h_2) (1 - h_2^2)
    dL/dw_2 = delta_2 h_1,           dL/db_2 = delta_2
    delta_1 = dL/dz_1 = delta_2 w_2 (1 - h_1^2)
    dL/dw_1 = delta_1 x,             dL/db_1 = delta_1

The code is written with matrix operations so it reads exactly like the
general layer-by-layer algorithm.
"""

import numpy as np


def backward(params, x, y):
    """Return dL/dparam for W1, b1, W2, b2 (same names and shapes as ``params``)."""
    W1 = np.asarray(params["W1"], dtype=float)
    b1 = np.asarray(params["b1"], dtype=float)
    W2 = np.asarray(params["W2"], dtype=float)
    b2 = np.asarray(params["b2"], dtype=float)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)

    # ---- forward pass ----------------------------------------------------
    h0 = x
    z1 = W1 @ h0 + b1
    h1 = np.tanh(z1)
    z2 = W2 @ h1 + b2
    h2 = np.tanh(z2)

    # ---- output unit: dL/dw_2 = [-(y - h_2)] [1 - h_2^2] [h_1] -------------
    dL_dh2 = -(y - h2)  # derivative of 1/2 (y - h_2)^2
    dh2_dz2 = 1.0 - h2**2  # tanh'(z) = 1 - tanh(z)^2 = 1 - h^2
    delta2 = dL_dh2 * dh2_dz2  # dL/dz_2
    dW2 = np.outer(delta2, h1)  # dz_2/dw_2 = h_1
    db2 = delta2  # dz_2/db_2 = 1

    # ---- first unit: continue the chain through z_2 = w_2 h_1 + b_2 -------
    dL_dh1 = W2.T @ delta2  # dz_2/dh_1 = w_2
    dh1_dz1 = 1.0 - h1**2  # tanh' again
    delta1 = dL_dh1 * dh1_dz1  # dL/dz_1
    dW1 = np.outer(delta1, h0)  # dz_1/dw_1 = x
    db1 = delta1  # dz_1/db_1 = 1

    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
