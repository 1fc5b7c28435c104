# Correct: plain Python loops and math.exp; all gradients first, then the update; returns nested lists.
import math


def train_step(params, x, y, learning_rate):
    W1 = [[float(v) for v in row] for row in params["W1"]]
    b1 = [float(v) for v in params["b1"]]
    W2 = [[float(v) for v in row] for row in params["W2"]]
    b2 = [float(v) for v in params["b2"]]
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    eta = float(learning_rate)

    # forward
    h1 = []
    for k in range(len(b1)):
        z = b1[k]
        for j in range(len(x)):
            z += W1[k][j] * x[j]
        h1.append(1.0 / (1.0 + math.exp(-z)))
    h2 = []
    for k in range(len(b2)):
        z = b2[k]
        for j in range(len(h1)):
            z += W2[k][j] * h1[j]
        h2.append(z)

    # backward, using only the original parameters
    delta2 = [-(y[k] - h2[k]) for k in range(len(h2))]
    delta1 = []
    for j in range(len(h1)):
        s = 0.0
        for k in range(len(delta2)):
            s += W2[k][j] * delta2[k]
        delta1.append(s * h1[j] * (1.0 - h1[j]))

    # update: new lists, p - eta * dL/dp
    new_W2 = [[W2[k][j] - eta * delta2[k] * h1[j] for j in range(len(h1))] for k in range(len(b2))]
    new_b2 = [b2[k] - eta * delta2[k] for k in range(len(b2))]
    new_W1 = [[W1[k][j] - eta * delta1[k] * x[j] for j in range(len(x))] for k in range(len(b1))]
    new_b1 = [b1[k] - eta * delta1[k] for k in range(len(b1))]

    return {"W1": new_W1, "b1": new_b1, "W2": new_W2, "b2": new_b2}
