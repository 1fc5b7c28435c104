"""The lecture's symbols: h_1^2, z_1^2, w_21^1, b_2^1, y_1, and x_j for the input (layer 0)."""

from __future__ import annotations

from grader import notation


def h(layer: int, j: int) -> str:
    return _indexed("x", j) if layer == 0 else notation.symbol(f"h{layer}", (j,))


def z(layer: int, k: int) -> str:
    return notation.symbol(f"z{layer}", (k,))


def w(layer: int, k: int, j: int) -> str:
    return notation.symbol(f"W{layer}", (k, j))


def b(layer: int, k: int) -> str:
    return notation.symbol(f"b{layer}", (k,))


def y(k: int) -> str:
    return _indexed("y", k)


def _indexed(letter: str, i: int) -> str:
    return f"{letter}_{i + 1}" if i < 9 else f"{letter}_{{{i + 1}}}"


def d(top: str, bottom: str) -> str:
    return f"d{top}/d{bottom}"
