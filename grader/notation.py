"""The lecture's notation: `w_21^1` is W1[1, 0], `b_2^1` is b1[1], `h_1^2` is h2[0]."""

from __future__ import annotations

import re

_NAME = re.compile(r"^([A-Za-z]+)(\d+)$")


def _sub(*indices: int) -> str:
    # w_21^1 reads well; w_{10,2}^1 is needed once an index has two digits.
    if all(i < 10 for i in indices):
        return "".join(str(i) for i in indices)
    return "{" + ",".join(str(i) for i in indices) + "}"


def symbol(name: str, index: tuple[int, ...]) -> str:
    """The lecture's symbol for entry `index` of the array called `name` ("W1", "b2", "h1")."""
    match = _NAME.match(name)
    if not match:
        return f"{name}{list(index)}"
    letter, layer = match.group(1).lower(), match.group(2)
    # A 2-D forward value or bias-like array is a batch: the first index is the observation.
    per_unit = 2 if letter == "w" else 1
    observation = ""
    if len(index) > per_unit:
        observation = f" (observation {index[0] + 1})"
        index = index[1:]
    return f"{letter}_{_sub(*(i + 1 for i in index))}^{layer}{observation}"


def gradient_symbol(name: str, index: tuple[int, ...]) -> str:
    return f"dL/d{symbol(name, index)}"
