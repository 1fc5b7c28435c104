# Correct: split into many tiny helper functions; uses np.outer and @ (all float64).
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime_from_output(h):
    return h * (1.0 - h)


def linear(z):
    return z


def linear_prime_from_output(h):
    return np.ones_like(h)


def affine(W, b, h_prev):
    return W @ h_prev + b


def loss_derivative(y, h):
    return -(y - h)


def layer_delta(dL_dh, act_prime):
    return dL_dh * act_prime


def weight_gradient(delta, h_prev):
    return np.outer(delta, h_prev)


def bias_gradient(delta):
    return delta.copy()


def propagate_back(W, delta):
    return W.T @ delta


def forward(params, x):
    h1 = sigmoid(affine(params["W1"], params["b1"], x))
    h2 = linear(affine(params["W2"], params["b2"], h1))
    return h1, h2


def backward(params, x, y):
    h1, h2 = forward(params, x)
    delta2 = layer_delta(loss_derivative(y, h2), linear_prime_from_output(h2))
    delta1 = layer_delta(propagate_back(params["W2"], delta2), sigmoid_prime_from_output(h1))
    return {
        "W1": weight_gradient(delta1, x),
        "b1": bias_gradient(delta1),
        "W2": weight_gradient(delta2, h1),
        "b2": bias_gradient(delta2),
    }
