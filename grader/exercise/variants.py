"""The `[variants]` table: how each student's own worked case is drawn (see plan/variants.py).

    [variants]
    params = { low = -1.0, high = 1.0, decimals = 2 }   # every entry of W1, b1, W2, ...
    x = { low = -1.0, high = 1.0, decimals = 2 }
    y = { low = -1.0, high = 1.0, decimals = 2 }        # regression losses; class labels are drawn
    learning_rates = [0.1, 0.2, 0.5]                    # one is picked per student
    decimals = 4                                        # the worksheet's hand-calculation precision

Every key is optional: an empty `[variants]` table draws two-decimal numbers in [-1, 1], keeps
the worked case's learning rate and asks for four decimals. Without the table every student
gets the worked case itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, TypeAlias

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator
from pydantic_core import PydanticCustomError

from grader.exercise import bounds
from grader.exercise.numbers import to_decimal
from grader.exercise.strict import allowed, integer_in

# A drawn number has at most this many decimals: more is not a number a person works with.
MAX_DRAWN_DECIMALS = 4
# The worksheet's precision: below 2 decimals most gradients of the lecture's size round to 0.
MIN_DECIMALS, MAX_DECIMALS = 2, 8
MAX_BOUND = 100
MAX_LEARNING_RATES = 20

Bound: TypeAlias = Annotated[Decimal, BeforeValidator(to_decimal)]
DrawnDecimals: TypeAlias = Annotated[int, Strict(), integer_in(0, MAX_DRAWN_DECIMALS)]
WorksheetDecimals: TypeAlias = Annotated[int, Strict(), integer_in(MIN_DECIMALS, MAX_DECIMALS)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DrawRange(_Strict):
    """Numbers drawn uniformly among the multiples of 10^-decimals in [low, high]."""

    low: Bound = Decimal("-1")
    high: Bound = Decimal("1")
    decimals: DrawnDecimals = 2

    @model_validator(mode="after")
    def _usable(self) -> DrawRange:
        for name, value in (("low", self.low), ("high", self.high)):
            if abs(value) > MAX_BOUND:
                within = allowed(-MAX_BOUND, MAX_BOUND)
                raise PydanticCustomError("range", f"{name} must be {within}, got {value}")
        if len(self.grid()) < 3:
            raise PydanticCustomError(
                "range",
                f"[{self.low}, {self.high}] holds fewer than 3 numbers with {self.decimals} "
                "decimals: widen it or allow more decimals",
            )
        return self

    def grid(self) -> range:
        """The drawable numbers, as integers in units of 10^-decimals."""
        scale = Decimal(10) ** self.decimals
        first = int((self.low * scale).to_integral_value(rounding="ROUND_CEILING"))
        last = int((self.high * scale).to_integral_value(rounding="ROUND_FLOOR"))
        return range(first, last + 1)


LearningRate: TypeAlias = Annotated[Decimal, BeforeValidator(to_decimal)]


class Variants(_Strict):
    """`[variants]`: each student's worked case, drawn; see the module's docstring."""

    params: DrawRange = DrawRange()
    x: DrawRange = DrawRange()
    y: DrawRange = DrawRange()
    learning_rates: list[LearningRate] | None = Field(
        default=None, min_length=1, max_length=MAX_LEARNING_RATES
    )
    decimals: WorksheetDecimals = 4

    @model_validator(mode="after")
    def _positive_rates(self) -> Variants:
        for rate in self.learning_rates or []:
            if not 0 < rate <= bounds.MAX_LEARNING_RATE:
                within = allowed(0, bounds.MAX_LEARNING_RATE, low_open=True)
                raise PydanticCustomError(
                    "range", f"learning_rates: each must be {within}, got {rate}"
                )
        return self
