"""Numbers as a document prints them: decimals that keep their printed precision.

`0.30` and `0.3` are different statements (the first claims two decimals), so exercise files
are read with Decimal floats and every array keeps its Decimals next to the float64 values the
solver uses.

A printed array may leave entries out: `"?"` stands for a number the document does not print.
It is kept as Decimal NaN (a float NaN): nothing is held against it, and everything that reads
printed values treats NaN as "not printed".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from pydantic_core import PydanticCustomError

from grader.exercise.strict import describe

# The last printed place of a number: 1e-340 reaches below float64's smallest subnormal with
# 17 significant digits, and 1e308 is its largest decade. Bounding it bounds every exact
# decimal computed from a printed number (units in the last place, roundings), whatever the
# magnitude: `0e-999999999` is zero, but asks for a billion decimals.
MIN_EXPONENT, MAX_EXPONENT = -340, 308
MAX_DIMENSIONS = 4  # deeper nesting is a broken file; shapes are checked against the network
GAP = "?"  # a printed array's entry that the document does not print


def to_decimal(value: Any) -> Decimal:
    """A TOML number as a Decimal; strings, booleans and the rest are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise PydanticCustomError("number", f"expected a number, got {describe(value)}")
    if isinstance(value, int) and value.bit_length() > 1024:  # beyond float64, and str()
        raise PydanticCustomError("number", "expected a finite number, got a huge integer")
    dec = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not dec.is_finite() or not math.isfinite(float(dec)):  # 1e400 is inf in float64
        raise PydanticCustomError("number", f"expected a finite number, got {dec}")
    exponent = int(dec.as_tuple().exponent)
    if not MIN_EXPONENT <= exponent <= MAX_EXPONENT:
        raise PydanticCustomError(
            "number",
            f"{dec} is printed to the place 1e{exponent}: the last printed place must be "
            f"from 1e{MIN_EXPONENT} to 1e{MAX_EXPONENT}",
        )
    return dec


@dataclass(frozen=True, eq=False)
class DecimalArray:
    """A rectangular array of printed numbers (a scalar has shape ())."""

    decimals: np.ndarray  # object array of Decimal

    @property
    def shape(self) -> tuple[int, ...]:
        return self.decimals.shape

    def floats(self) -> np.ndarray:
        """float64 values, NaN where the document prints "?" (a fresh array: the caller may
        change it)."""
        return self._cached("_floats", self._to_floats).copy()

    def units(self) -> np.ndarray:
        """One unit in the last printed place of every entry (0.30 -> 0.01); NaN at a gap."""
        return self._cached("_units", self._to_units).copy()

    def _cached(self, name: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        # Converted once: a class run asks for the worked case and the printed values of an
        # exercise once per submission.
        if name not in self.__dict__:
            object.__setattr__(self, name, compute())
        return self.__dict__[name]

    def _to_floats(self) -> np.ndarray:
        return np.vectorize(float, otypes=[np.float64])(self.decimals).reshape(self.shape)

    def _to_units(self) -> np.ndarray:
        exp = np.vectorize(_unit, otypes=[np.float64])
        return exp(self.decimals).astype(np.float64).reshape(self.shape)

    def gaps(self) -> np.ndarray:
        """True where the document prints "?" (no number)."""
        gap = np.vectorize(lambda d: d.is_nan(), otypes=[bool])
        return gap(self.decimals).reshape(self.shape)

    def text(self, index: tuple[int, ...]) -> str:
        d = self.decimals[index]
        return GAP if d.is_nan() else str(d)


def _unit(d: Decimal) -> float:
    return math.nan if d.is_nan() else float(Decimal(1).scaleb(int(d.as_tuple().exponent)))


def _entry(value: Any, gaps: bool) -> Decimal:
    if isinstance(value, str) and value.strip() == GAP:
        if gaps and value == GAP:
            return Decimal("NaN")
        if gaps:  # " ?" where only "?" is meant
            raise PydanticCustomError("number", f'expected a number or "{GAP}", got {value!r}')
        raise PydanticCustomError(
            "number", f'expected a number: "{GAP}" (not printed) is only for printed values'
        )
    return to_decimal(value)


def _shape_of(value: Any, gaps: bool, where: str = "", depth: int = 0) -> tuple[int, ...]:
    if depth > MAX_DIMENSIONS:
        raise PydanticCustomError("array", f"more than {MAX_DIMENSIONS} dimensions{where}")
    if not isinstance(value, list):
        _entry(value, gaps)
        return ()
    if not value:
        raise PydanticCustomError("array", f"empty array{where}")
    shapes = {_shape_of(item, gaps, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)}
    if len(shapes) != 1:
        raise PydanticCustomError("array", f"ragged array{where}: rows of different lengths")
    return (len(value), *shapes.pop())


def to_decimal_array(value: Any) -> DecimalArray:
    """Validate a (nested) list of numbers into a DecimalArray."""
    return _array(value, gaps=False)


def to_printed_array(value: Any) -> DecimalArray:
    """A printed value: numbers, with "?" for an entry the document does not print."""
    return _array(value, gaps=True)


def _array(value: Any, gaps: bool) -> DecimalArray:
    if isinstance(value, DecimalArray):
        return value
    shape = _shape_of(value, gaps)
    flat: list[Decimal] = []

    def walk(v: Any) -> None:
        if isinstance(v, list):
            for item in v:
                walk(item)
        else:
            flat.append(_entry(v, gaps))

    walk(value)
    arr = np.empty(len(flat), dtype=object)
    arr[:] = flat
    return DecimalArray(arr.reshape(shape))
