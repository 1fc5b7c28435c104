"""Numbers as a document prints them: decimals that keep their printed precision.

`0.30` and `0.3` are different statements (the first claims two decimals), so exercise files
are read with Decimal floats and every array keeps its Decimals next to the float64 values the
solver uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from pydantic_core import PydanticCustomError


def to_decimal(value: Any) -> Decimal:
    """A TOML number as a Decimal; strings, booleans and the rest are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        got = repr(value) if len(repr(value)) < 40 else type(value).__name__
        raise PydanticCustomError("number", f"expected a number, got {got}")
    dec = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not dec.is_finite() or not math.isfinite(float(dec)):  # 1e400 is inf in float64
        raise PydanticCustomError("number", f"expected a finite number, got {dec}")
    return dec


@dataclass(frozen=True, eq=False)
class DecimalArray:
    """A rectangular array of printed numbers (a scalar has shape ())."""

    decimals: np.ndarray  # object array of Decimal

    @property
    def shape(self) -> tuple[int, ...]:
        return self.decimals.shape

    def floats(self) -> np.ndarray:
        return np.vectorize(float, otypes=[np.float64])(self.decimals).reshape(self.shape)

    def units(self) -> np.ndarray:
        """One unit in the last printed place of every entry (0.30 -> 0.01)."""
        exp = np.vectorize(lambda d: float(Decimal(1).scaleb(d.as_tuple().exponent)))
        return exp(self.decimals).astype(np.float64).reshape(self.shape)

    def text(self, index: tuple[int, ...]) -> str:
        return str(self.decimals[index])


def _shape_of(value: Any, where: str = "") -> tuple[int, ...]:
    if not isinstance(value, list):
        to_decimal(value)
        return ()
    if not value:
        raise PydanticCustomError("array", f"empty array{where}")
    shapes = {_shape_of(item, f"{where}[{i}]") for i, item in enumerate(value)}
    if len(shapes) != 1:
        raise PydanticCustomError("array", f"ragged array{where}: rows of different lengths")
    return (len(value), *shapes.pop())


def to_decimal_array(value: Any) -> DecimalArray:
    """Validate a (nested) list of numbers into a DecimalArray."""
    if isinstance(value, DecimalArray):
        return value
    shape = _shape_of(value)
    flat: list[Decimal] = []

    def walk(v: Any) -> None:
        if isinstance(v, list):
            for item in v:
                walk(item)
        else:
            flat.append(to_decimal(v))

    walk(value)
    arr = np.empty(len(flat), dtype=object)
    arr[:] = flat
    return DecimalArray(arr.reshape(shape))
