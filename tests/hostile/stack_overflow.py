# Stack overflow: lifts the recursion limit and recurses until the C stack runs out (a segfault, not a RecursionError).
import sys

sys.setrecursionlimit(10**9)


def deep(n):
    return deep(n + 1) + 1


def backward(params, x, y):
    return {"W1": deep(0)}
