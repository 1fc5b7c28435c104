# Correct: a Network class (forward/backward) plus an SGD optimizer class; train_step delegates.
import numpy as np


class Network:
    def __init__(self, params):
        self.params = {k: np.array(v, dtype=float) for k, v in params.items()}

    def forward(self, x):
        p = self.params
        self.x = np.asarray(x, dtype=float)
        self.h1 = 1.0 / (1.0 + np.exp(-(p["W1"] @ self.x + p["b1"])))
        self.h2 = p["W2"] @ self.h1 + p["b2"]
        return self.h2

    def backward(self, y):
        p = self.params
        delta2 = -(np.asarray(y, dtype=float) - self.h2)
        delta1 = (p["W2"].T @ delta2) * self.h1 * (1.0 - self.h1)
        self.grads = {
            "W1": np.outer(delta1, self.x),
            "b1": delta1,
            "W2": np.outer(delta2, self.h1),
            "b2": delta2,
        }
        return self.grads


class SGD:
    def __init__(self, lr):
        self.lr = lr

    def step(self, network):
        # network.grads was computed completely before this is called
        for name, grad in network.grads.items():
            network.params[name] = network.params[name] - self.lr * grad


def train_step(params, x, y, learning_rate):
    net = Network(params)
    net.forward(x)
    net.backward(y)
    SGD(learning_rate).step(net)
    return net.params
