# Correct: an object-oriented network with forward/backward methods and cached activations.
import numpy as np


class Sigmoid:
    def __call__(self, z):
        self.out = 1.0 / (1.0 + np.exp(-z))
        return self.out

    def grad(self):
        return self.out * (1.0 - self.out)


class Identity:
    def __call__(self, z):
        self.out = z
        return z

    def grad(self):
        return np.ones_like(self.out)


class Dense:
    def __init__(self, W, b, activation):
        self.W = np.array(W, dtype=float)
        self.b = np.array(b, dtype=float)
        self.activation = activation

    def forward(self, inputs):
        self.inputs = inputs
        return self.activation(self.W @ inputs + self.b)

    def backward(self, grad_out):
        """Takes dL/dh of this layer, stores dL/dW and dL/db, returns dL/dh of the layer below."""
        delta = grad_out * self.activation.grad()
        self.dW = np.outer(delta, self.inputs)
        self.db = delta
        return self.W.T @ delta


class HousePriceNet:
    def __init__(self, params):
        self.layers = [
            Dense(params["W1"], params["b1"], Sigmoid()),
            Dense(params["W2"], params["b2"], Identity()),
        ]

    def forward(self, x):
        out = np.asarray(x, dtype=float)
        for layer in self.layers:
            out = layer.forward(out)
        self.prediction = out
        return out

    def loss(self, y):
        return 0.5 * np.sum((y - self.prediction) ** 2)

    def backward(self, y):
        grad = -(np.asarray(y, dtype=float) - self.prediction)
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        grads = {}
        for i, layer in enumerate(self.layers, start=1):
            grads[f"W{i}"] = layer.dW
            grads[f"b{i}"] = layer.db
        return grads


def backward(params, x, y):
    net = HousePriceNet(params)
    net.forward(x)
    return net.backward(y)
