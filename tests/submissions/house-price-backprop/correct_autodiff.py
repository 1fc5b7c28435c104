# Correct: a tiny scalar reverse-mode autodiff engine (micrograd style); no hand-derived formulas.
import math


class Value:
    def __init__(self, data, parents=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0
        self._parents = parents
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other if isinstance(other, Value) else -float(other))

    def __rsub__(self, other):
        return Value(other) - self

    def __pow__(self, n):
        return Value(self.data ** n, (self,), (n * self.data ** (n - 1),))

    def sigmoid(self):
        s = 1.0 / (1.0 + math.exp(-self.data))
        return Value(s, (self,), (s * (1.0 - s),))

    def backprop(self):
        order, seen = [], set()

        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for p in v._parents:
                    visit(p)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            for p, g in zip(v._parents, v._local_grads):
                p.grad += g * v.grad


def backward(params, x, y):
    W1 = [[Value(v) for v in row] for row in params["W1"]]
    b1 = [Value(v) for v in params["b1"]]
    W2 = [[Value(v) for v in row] for row in params["W2"]]
    b2 = [Value(v) for v in params["b2"]]

    h1 = [sum((w * float(xi) for w, xi in zip(row, x)), bk).sigmoid() for row, bk in zip(W1, b1)]
    h2 = [sum((w * h for w, h in zip(row, h1)), bk) for row, bk in zip(W2, b2)]
    loss = sum((0.5 * (float(yk) - hk) ** 2 for yk, hk in zip(y, h2)), Value(0.0))
    loss.backprop()

    return {
        "W1": [[w.grad for w in row] for row in W1],
        "b1": [b.grad for b in b1],
        "W2": [[w.grad for w in row] for row in W2],
        "b2": [b.grad for b in b2],
    }
