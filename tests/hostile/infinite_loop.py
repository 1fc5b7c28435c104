# Infinite loop: a `while` whose condition never changes (the classic off-by-one in a training loop).
def backward(params, x, y):
    grads = {}
    step = 0
    while step < 100:
        grads = {name: value * 0 for name, value in params.items()}
        step == step + 1  # meant +=
    return grads
