"""Model solution for ``house-price-train`` (task: train).

The lecture's training algorithm (points 1-9) on the house-price network
(2 inputs -> 2 sigmoid units -> 1 linear unit, L = 1/2 sum (y - h^2)^2):

    repeat `iterations` times:
        forward pass                      (points 1-3)
        loss                              (point 4)
        backward pass, output layer first (points 5-7)
        p = p - learning_rate * dL/dp     (point 8), every p from the same gradients

Besides the trained parameters it returns "losses": the loss before each iteration and after
the last, iterations + 1 numbers. With a small enough learning rate they fall (point 9: repeat
until the predictions are acceptable); on the lecture's case with learning rate 0.2 they go
from 0.6846 to 0.0009431 in 10 iterations.
"""

import numpy as np


def sigmoid(z):
    """Logistic function 1 / (1 + e^-z), element-wise."""
    return 1.0 / (1.0 + np.exp(-z))


def forward(p, x):
    """(h^1, h^2) for the parameters p."""
    h1 = sigmoid(p["W1"] @ x + p["b1"])  # z^1 = W1 x + b1
    h2 = p["W2"] @ h1 + p["b2"]  # linear output
    return h1, h2


def loss(h2, y):
    """L = 1/2 sum (y - h^2)^2."""
    return 0.5 * float(np.sum((y - h2) ** 2))


def gradients(p, x, y):
    """dL/dp for every parameter, from one forward pass (the lecture's chain rule)."""
    h1, h2 = forward(p, x)
    delta2 = -(y - h2) * 1.0  # dL/dh^2 * dh^2/dz^2 (linear: 1)
    delta1 = (p["W2"].T @ delta2) * h1 * (1.0 - h1)  # back through W2, sigmoid' = h (1 - h)
    return {
        "W1": np.outer(delta1, x),
        "b1": delta1,
        "W2": np.outer(delta2, h1),
        "b2": delta2,
    }


def train(params, x, y, learning_rate, iterations):
    """Gradient descent: the parameters after `iterations` steps and the losses on the way."""
    p = {name: np.array(params[name], dtype=float) for name in ("W1", "b1", "W2", "b2")}
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)

    losses = []
    for _ in range(int(iterations)):
        losses.append(loss(forward(p, x)[1], y))  # the loss before this step
        grads = gradients(p, x, y)  # every gradient from the current parameters ...
        p = {name: p[name] - learning_rate * grads[name] for name in p}  # ... then the update
    losses.append(loss(forward(p, x)[1], y))  # and after the last step

    return {**p, "losses": losses}
