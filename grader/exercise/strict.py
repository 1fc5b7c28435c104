"""Strict scalar types for the schema: a TOML value is used as written, never coerced.

`hidden_cases = "5"` or `units = true` is a mistake in the file, not a number: every scalar key
takes exactly its TOML type (an integer key refuses `2.0`, a number key takes an integer or a
float), and every refusal says what the file holds (`expected an integer, got the string "5"`).
"""

from __future__ import annotations

import datetime
import json
import math
from decimal import Decimal
from typing import Any

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

_SHORT = 40  # characters of a string quoted in a message


def describe(value: Any) -> str:
    """A TOML value in words, for messages: `the string "5"`, `the boolean true`, `a table`."""
    if value is None:  # not a TOML value, but a caller may pass it
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, str):
        text = value if len(value) <= _SHORT else value[:_SHORT] + "..."
        return f"the string {json.dumps(text, ensure_ascii=False)}"
    if isinstance(value, int):
        # str() of a huge int is slow, and refused beyond 4300 digits.
        return f"the integer {value}" if value.bit_length() < 128 else "a huge integer"
    if isinstance(value, (float, Decimal)):
        return f"the float {value}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (datetime.date, datetime.time)):
        return "a date or time"
    return f"a {type(value).__name__}"


def allowed(low: float, high: float, low_open: bool = False) -> str:
    """A range in words: `from 1 to 32`, `more than 0 and at most 3600`, `at least 0`."""
    if math.isinf(high):
        return f"{'more than' if low_open else 'at least'} {low:g}"
    return f"more than {low:g} and at most {high:g}" if low_open else f"from {low:g} to {high:g}"


def _shown(value: Any) -> str:
    return describe(value).removeprefix("the integer ").removeprefix("the float ")


def _check_range(value: Any, low: float, high: float, low_open: bool) -> None:
    below = value <= low if low_open else value < low
    if below or value > high:
        raise PydanticCustomError(
            "range", f"must be {allowed(low, high, low_open)}, got {_shown(value)}"
        )


def integer_in(low: int, high: int) -> AfterValidator:
    """The range check of a TOML integer in [low, high], for `Annotated[int, Strict(), ...]`
    (strictness refuses strings, booleans and floats, not even 2.0)."""

    def check(value: int) -> int:
        _check_range(value, low, high, False)
        return value

    return AfterValidator(check)


def real_in(low: float, high: float = math.inf, low_open: bool = False) -> BeforeValidator:
    """A TOML integer or float in [low, high] (or (low, high]), as a float64: the validator of
    `Annotated[float, ...]`."""

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise PydanticCustomError("number", f"expected a number, got {describe(value)}")
        try:
            number = float(value)  # a huge Decimal becomes inf, a huge integer raises
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise PydanticCustomError("number", f"expected a finite number, got {_shown(value)}")
        _check_range(value, low, high, low_open)
        return number

    return BeforeValidator(check)
