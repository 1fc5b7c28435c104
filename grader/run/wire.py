"""Strict parsing of what the child sends: JSON lines of a few known shapes, numbers only.

Everything here is bounded before it is computed, because the child is the student's process:
the lines read, the events kept (one per case), the digits of an integer, an array's dimensions
(count and each size, checked before any product), its entries, the entries of all arrays
together, the length of every key and text. Whatever a submission sends, parsing it costs the
grader a fixed budget; an array past a bound becomes a clear message for that quantity.
"""

from __future__ import annotations

import json
import threading
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

MAX_LINES = 1024  # an honest child sends one line per case (at most 101) and a "done"
MAX_CASE = 10_000
MAX_DIMS = 8  # the graded quantities have at most 2
MAX_ENTRIES = 1_000_000  # per array; the largest exercise's largest quantity is ~1,000
MAX_TOTAL_ENTRIES = 4_000_000  # in all the events of one run
MAX_INT_DIGITS = 18  # no integer the protocol needs is longer; int() of a long one is slow


def _one_line(text: str) -> str:
    # A submission's text goes into reports line by line: it must not make lines of its own.
    return text.replace("\r", "\\r").replace("\n", "\\n")


Text = Annotated[str, Field(max_length=4000), AfterValidator(_one_line)]
Label = Annotated[str, Field(max_length=200), AfterValidator(_one_line)]


def shape_problem(shape: list[Any]) -> str:
    """Why a shape is past the bounds ("" if it is not), without multiplying it out."""
    if len(shape) > MAX_DIMS:
        return f"an array with {len(shape)} dimensions (the grader reads at most {MAX_DIMS})"
    entries = 1
    for size in shape:
        if isinstance(size, int) and not isinstance(size, bool):
            if size > MAX_ENTRIES:
                return f"an array with a dimension of more than {MAX_ENTRIES:,} entries"
            entries *= max(size, 0)  # a negative size is refused by the type, below
            if entries > MAX_ENTRIES:
                return f"an array of more than {MAX_ENTRIES:,} entries (the grader reads fewer)"
    return ""


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Failure(_Event):
    event: Literal["import-error", "missing-function", "forbidden-import"]
    error: Text


class Encoded(_Event):
    shape: list[Annotated[int, Field(ge=0, le=MAX_ENTRIES)]] | None = Field(
        default=None, max_length=MAX_DIMS
    )
    data: list[float] | None = Field(default=None, max_length=MAX_ENTRIES)
    error: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, raw: Any) -> Any:
        # Past a bound, the array is that quantity's clear message; its numbers are not read.
        if not isinstance(raw, dict):
            return raw
        shape, data = raw.get("shape"), raw.get("data")
        problem = shape_problem(shape) if isinstance(shape, list) else ""
        if not problem and isinstance(data, list) and len(data) > MAX_ENTRIES:
            problem = f"an array of more than {MAX_ENTRIES:,} entries (the grader reads fewer)"
        return {"error": problem} if problem else raw


class Result(_Event):
    event: Literal["result"]
    case: int = Field(ge=0, le=MAX_CASE)
    type: Label
    values: dict[Label, Encoded] | None = Field(default=None, max_length=100)
    mutated: list[Label] = Field(default=[], max_length=100)


class CallError(_Event):
    event: Literal["call-error"]
    case: int = Field(ge=0, le=MAX_CASE)
    error: Text


class Done(_Event):
    event: Literal["done"]


_EVENT = TypeAdapter(Annotated[Failure | Result | CallError | Done, Field(discriminator="event")])
# The events above by their tag: any other line (the child's "confined", noise) is no event,
# and is told apart without building a validation error.
_TAGS = ("result", "call-error", "done", "import-error", "missing-function", "forbidden-import")


def _constant(name: str) -> float:
    # NaN and infinities arrive as JSON constants; keep them as floats to report them by entry.
    return float(name)


def _integer(digits: str) -> int | float:
    # int() is quadratic in the digits; past the bound the value is a float (huge, or inf),
    # which no integer field accepts and which, as data, is simply a wrong number.
    return int(digits) if len(digits) <= MAX_INT_DIGITS else float(digits)


_local = threading.local()


def _decoder() -> json.JSONDecoder:
    # One per thread (class-run lanes are threads): json.loads would build one per line.
    found: json.JSONDecoder | None = getattr(_local, "decoder", None)
    if found is None:
        found = _local.decoder = json.JSONDecoder(parse_constant=_constant, parse_int=_integer)
    return found


def _entries(event: dict[str, Any]) -> int:
    values = event.get("values") or {}
    return sum(len(v.get("data") or ()) for v in values.values())


def parse_events(raw: bytes) -> list[dict[str, Any]]:
    """Every well-formed event, in order, within the bounds above; anything else is ignored.

    Only the first event of each case (and of each failure kind, and "done") counts.
    """
    events: list[dict[str, Any]] = []
    seen: set[Any] = set()
    entries = 0
    decoder = _decoder()
    for line in raw.split(b"\n", MAX_LINES)[:MAX_LINES]:  # the rest is never even split
        if not line:
            continue  # the end of the last line
        try:
            # What json.loads does with bytes, with a decoder made once per thread.
            data = decoder.decode(line.decode(json.detect_encoding(line), "surrogatepass"))
            if not isinstance(data, dict) or data.get("event") not in _TAGS:
                continue  # a tuple, not a set: an unhashable "event" is simply not one of them
            event = _EVENT.validate_python(data).model_dump()
        except (ValueError, ValidationError, RecursionError):  # deep nesting is hostile
            continue
        slot = event.get("case", event["event"])  # a case, or one failure kind, or "done"
        entries += _entries(event)
        if slot in seen or entries > MAX_TOTAL_ENTRIES:
            continue
        seen.add(slot)
        events.append(event)
    return events


def _shape_hint(got: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """A likely fix for the two shape slips a hand-written backprop makes most often."""
    if got == () and shape == (1,):
        return (
            ": a single number came back where a vector of one entry belongs; return it as a "
            "one-entry array, e.g. np.array([value]) or np.atleast_1d(value)"
        )
    if len(got) == 2 and got[::-1] == shape:
        return ": the rows and columns are swapped; return its transpose (.T)"
    return ""


def decode(encoded: dict[str, Any], shape: tuple[int, ...]) -> tuple[np.ndarray | None, str]:
    """The returned array if it has exactly `shape` (entries may be non-finite), else why not."""
    if encoded.get("error"):
        return None, f"is {encoded['error']}"
    got = tuple(encoded.get("shape") or ())
    data = encoded.get("data") or []
    problem = shape_problem(list(got))
    if problem:  # decode is also given dicts that never went through Encoded
        return None, f"is {problem}"
    entries = 1
    for size in got:  # bounded by shape_problem: at most MAX_DIMS sizes of MAX_ENTRIES
        entries *= size
    if entries != len(data):
        return None, "is malformed"
    if got != shape:
        return None, f"has shape {got}, expected {shape} (the shape the exercise expects)" + (
            _shape_hint(got, shape)
        )
    return np.array(data, dtype=np.float64).reshape(shape), ""
