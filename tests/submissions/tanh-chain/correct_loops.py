# Correct: plain Python, no numpy. Loops over lists with math.tanh, returns nested lists.
import math


def layer_forward(W, b, inputs):
    out = []
    for k in range(len(b)):
        z = b[k]
        for j in range(len(inputs)):
            z += W[k][j] * inputs[j]
        out.append(math.tanh(z))
    return out


def backward(params, x, y):
    W1 = [[float(v) for v in row] for row in params["W1"]]
    b1 = [float(v) for v in params["b1"]]
    W2 = [[float(v) for v in row] for row in params["W2"]]
    b2 = [float(v) for v in params["b2"]]
    x = [float(v) for v in x]
    y = [float(v) for v in y]

    h1 = layer_forward(W1, b1, x)
    h2 = layer_forward(W2, b2, h1)

    # output unit: [-(y - h2)] [1 - h2^2]
    delta2 = []
    for k in range(len(h2)):
        delta2.append(-(y[k] - h2[k]) * (1.0 - h2[k] * h2[k]))

    # first unit: sum over the units it feeds, times [1 - h1^2]
    delta1 = []
    for j in range(len(h1)):
        s = 0.0
        for k in range(len(delta2)):
            s += delta2[k] * W2[k][j]
        delta1.append(s * (1.0 - h1[j] * h1[j]))

    dW2 = [[delta2[k] * h1[j] for j in range(len(h1))] for k in range(len(delta2))]
    dW1 = [[delta1[k] * x[j] for j in range(len(x))] for k in range(len(delta1))]

    return {"W1": dW1, "b1": delta1[:], "W2": dW2, "b2": delta2[:]}
