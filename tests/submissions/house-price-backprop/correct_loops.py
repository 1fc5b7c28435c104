# Correct: plain Python, no numpy at all. Loops over lists, math.exp, returns nested lists.
import math


def backward(params, x, y):
    W1 = [[float(v) for v in row] for row in params["W1"]]
    b1 = [float(v) for v in params["b1"]]
    W2 = [[float(v) for v in row] for row in params["W2"]]
    b2 = [float(v) for v in params["b2"]]
    x = [float(v) for v in x]
    y = [float(v) for v in y]

    n_in = len(x)
    n_hid = len(b1)
    n_out = len(b2)

    # forward: hidden layer (sigmoid)
    h1 = []
    for k in range(n_hid):
        z = b1[k]
        for j in range(n_in):
            z += W1[k][j] * x[j]
        h1.append(1.0 / (1.0 + math.exp(-z)))

    # forward: output layer (linear)
    h2 = []
    for k in range(n_out):
        z = b2[k]
        for j in range(n_hid):
            z += W2[k][j] * h1[j]
        h2.append(z)

    # backward: output layer
    delta2 = []
    for k in range(n_out):
        delta2.append(-(y[k] - h2[k]))  # times 1 for the linear activation

    dW2 = []
    for k in range(n_out):
        row = []
        for j in range(n_hid):
            row.append(delta2[k] * h1[j])
        dW2.append(row)
    db2 = list(delta2)

    # backward: hidden layer
    delta1 = []
    for j in range(n_hid):
        s = 0.0
        for k in range(n_out):
            s += W2[k][j] * delta2[k]
        delta1.append(s * h1[j] * (1.0 - h1[j]))

    dW1 = []
    for k in range(n_hid):
        row = []
        for j in range(n_in):
            row.append(delta1[k] * x[j])
        dW1.append(row)
    db1 = list(delta1)

    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
