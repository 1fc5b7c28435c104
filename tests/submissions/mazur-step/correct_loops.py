# correct: Mazur's article step by step in plain Python, shared biases left alone
import math


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def train_step(params, x, y, learning_rate):
    W1 = [list(map(float, row)) for row in params["W1"]]
    W2 = [list(map(float, row)) for row in params["W2"]]
    b1, b2 = float(params["b1"][0]), float(params["b2"][0])
    out_h = [sigmoid(W1[k][0] * x[0] + W1[k][1] * x[1] + b1) for k in range(2)]
    out_o = [sigmoid(W2[k][0] * out_h[0] + W2[k][1] * out_h[1] + b2) for k in range(2)]
    delta_o = [(out_o[k] - y[k]) * out_o[k] * (1 - out_o[k]) for k in range(2)]
    delta_h = [
        sum(delta_o[k] * W2[k][j] for k in range(2)) * out_h[j] * (1 - out_h[j]) for j in range(2)
    ]
    new_W2 = [[W2[k][j] - learning_rate * delta_o[k] * out_h[j] for j in range(2)] for k in range(2)]
    new_W1 = [[W1[k][j] - learning_rate * delta_h[k] * x[j] for j in range(2)] for k in range(2)]
    return {"W1": new_W1, "b1": [b1], "W2": new_W2, "b2": [b2]}
