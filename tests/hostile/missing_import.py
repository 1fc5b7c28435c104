# Missing import: uses np everywhere but never imports numpy.
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backward(params, x, y):
    h1 = sigmoid(params["W1"] @ x + params["b1"])
    h2 = params["W2"] @ h1 + params["b2"]
    delta2 = h2 - y
    delta1 = (params["W2"].T @ delta2) * h1 * (1 - h1)
    return {"W1": np.outer(delta1, x), "b1": delta1, "W2": np.outer(delta2, h1), "b2": delta2}
