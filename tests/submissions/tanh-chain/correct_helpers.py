# Correct: many small helper functions; uses np.outer and @ (all float64).
import numpy as np


def tanh(z):
    return np.tanh(z)


def tanh_prime_from_output(h):
    return 1.0 - h * h


def pre_activation(W, b, h_prev):
    return W @ h_prev + b


def dloss_dh(y, h):
    return -(y - h)


def delta_of(dL_dh, h):
    return dL_dh * tanh_prime_from_output(h)


def grad_W(delta, h_prev):
    return np.outer(delta, h_prev)


def grad_b(delta):
    return np.array(delta, dtype=float)


def send_back(W, delta):
    return W.T @ delta


def forward(params, x):
    h1 = tanh(pre_activation(params["W1"], params["b1"], x))
    h2 = tanh(pre_activation(params["W2"], params["b2"], h1))
    return h1, h2


def backward(params, x, y):
    h1, h2 = forward(params, x)
    delta2 = delta_of(dloss_dh(y, h2), h2)
    delta1 = delta_of(send_back(params["W2"], delta2), h1)
    return {
        "W1": grad_W(delta1, x),
        "b1": grad_b(delta1),
        "W2": grad_W(delta2, h1),
        "b2": grad_b(delta2),
    }
