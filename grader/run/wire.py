"""Strict parsing of what the child sends: JSON lines of a few known shapes, numbers only."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError


def _one_line(text: str) -> str:
    # A submission's text goes into reports line by line: it must not make lines of its own.
    return text.replace("\r", "\\r").replace("\n", "\\n")


Text = Annotated[str, Field(max_length=4000), AfterValidator(_one_line)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Failure(_Event):
    event: Literal["import-error", "missing-function", "forbidden-import"]
    error: Text


class Encoded(_Event):
    shape: list[Annotated[int, Field(ge=0)]] | None = None
    data: list[float] | None = None
    error: Text | None = None


class Result(_Event):
    event: Literal["result"]
    case: int = Field(ge=0)
    type: Annotated[str, Field(max_length=200), AfterValidator(_one_line)]
    values: dict[Annotated[str, Field(max_length=200)], Encoded] | None = Field(
        default=None, max_length=100
    )
    mutated: list[Annotated[str, Field(max_length=200)]] = Field(default=[], max_length=100)


class CallError(_Event):
    event: Literal["call-error"]
    case: int = Field(ge=0)
    error: Text


class Done(_Event):
    event: Literal["done"]


_EVENT = TypeAdapter(Annotated[Failure | Result | CallError | Done, Field(discriminator="event")])


def _constant(name: str) -> float:
    # NaN and infinities arrive as JSON constants; keep them as floats to report them by entry.
    return float(name)


def parse_events(raw: bytes) -> list[dict[str, Any]]:
    """Every well-formed event, in order; anything else on the channel is ignored."""
    events = []
    for line in raw.splitlines():
        try:
            data = json.loads(line, parse_constant=_constant)
            events.append(_EVENT.validate_python(data).model_dump())
        except (ValueError, ValidationError, RecursionError):  # deep nesting is hostile
            continue
    return events


def decode(encoded: dict[str, Any], shape: tuple[int, ...]) -> tuple[np.ndarray | None, str]:
    """The returned array if it has exactly `shape` (entries may be non-finite), else why not."""
    if encoded.get("error"):
        return None, f"is {encoded['error']}"
    got = tuple(encoded["shape"] or ())
    data = encoded["data"] or []
    if math.prod(got) != len(data):
        return None, "is malformed"
    if got != shape:
        return None, f"has shape {got}, expected {shape} (the shape the exercise expects)"
    return np.array(data, dtype=np.float64).reshape(shape), ""
