# Stack overflow: lifts the recursion limit, then has C code recurse a million levels deep (a segfault, not a RecursionError).
import sys

sys.setrecursionlimit(10**9)


def backward(params, x, y):
    nested = []
    for _ in range(1_000_000):
        nested = [nested]
    return {"W1": repr(nested)}  # repr of a list recurses in C, one level per nesting
