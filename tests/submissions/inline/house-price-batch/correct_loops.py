# Correct: one observation at a time with the lecture's chain rule, the gradients averaged.
import math


def backward(params, x, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = len(x)
    grads = {"W1": [[0.0, 0.0], [0.0, 0.0]], "b1": [0.0, 0.0], "W2": [[0.0, 0.0]], "b2": [0.0]}
    for xi, yi in zip(x, y):
        h1 = [1 / (1 + math.exp(-(b1[k] + W1[k][0] * xi[0] + W1[k][1] * xi[1]))) for k in range(2)]
        h2 = b2[0] + W2[0][0] * h1[0] + W2[0][1] * h1[1]
        d2 = -(yi[0] - h2)
        grads["b2"][0] += d2 / m
        for j in range(2):
            grads["W2"][0][j] += d2 * h1[j] / m
            d1 = d2 * W2[0][j] * h1[j] * (1 - h1[j])
            grads["b1"][j] += d1 / m
            for i in range(2):
                grads["W1"][j][i] += d1 * xi[i] / m
    return grads
