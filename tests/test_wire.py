"""Tests for grader.run.wire: what the untrusted child sends is parsed strictly, numbers only."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from grader.run.wire import decode, parse_events

RESULT = {
    "event": "result",
    "case": 0,
    "type": "dict",
    "values": {"W1": {"shape": [2], "data": [1.0, 2.0]}},
}
DONE = {"event": "done"}


def line(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode() + b"\n"


def with_(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(event)), **changes}


def test_every_known_event_is_parsed_in_order() -> None:
    raw = (
        line(RESULT)
        + line({"event": "call-error", "case": 1, "error": "ZeroDivisionError (line 3)"})
        + line({"event": "import-error", "error": "SyntaxError (line 2)"})
        + line({"event": "missing-function", "error": "no function 'backward' defined"})
        + line(DONE)
    )
    events = parse_events(raw)
    assert [e["event"] for e in events] == [
        "result",
        "call-error",
        "import-error",
        "missing-function",
        "done",
    ]
    assert events[0]["values"]["W1"] == {"shape": [2], "data": [1.0, 2.0], "error": None}
    assert events[1] == {"event": "call-error", "case": 1, "error": "ZeroDivisionError (line 3)"}


@pytest.mark.parametrize(
    "garbage",
    [
        b"hello from print()\n",
        b"\xff\xfe not utf-8\n",
        b'{"event": "result", "case": 0\n',  # cut off
        b"[1, 2, 3]\n",
        b"42\n",
        b"\n\n",
        b'{"event": "hello", "case": 0}\n',
        b'{"no_event": true}\n',
    ],
    ids=["text", "bytes", "truncated", "list", "number", "blank", "unknown-event", "no-event"],
)
def test_garbage_and_unknown_events_are_ignored(garbage: bytes) -> None:
    assert parse_events(garbage + line(DONE) + garbage) == [DONE]


@pytest.mark.parametrize(
    "event",
    [
        with_(RESULT, values={"W1": {"shape": [2], "data": ["1.0", "2.0"]}}),
        with_(RESULT, values={"W1": {"shape": [1], "data": [True]}}),
        with_(RESULT, values={"W1": {"shape": [1], "data": [None]}}),
        with_(RESULT, values={"W1": {"shape": [1.0], "data": [1.0]}}),
        with_(RESULT, values={"W1": {"shape": [-1], "data": [1.0]}}),
        with_(RESULT, values={"W1": {"shape": [1], "data": [1.0], "pickle": "..."}}),
        with_(RESULT, values=[[1.0, 2.0]]),
        with_(RESULT, case="0"),
        with_(RESULT, case=0.0),
        with_(RESULT, case=-1),
        with_(RESULT, type=7),
        with_(RESULT, extra="field"),
        {"event": "call-error", "case": 0, "error": "x" * 4001},
        {"event": "import-error", "error": 3},
    ],
    ids=[
        "string-data",
        "bool-data",
        "null-data",
        "float-shape",
        "negative-shape",
        "extra-encoded-key",
        "values-not-dict",
        "string-case",
        "float-case",
        "negative-case",
        "int-type",
        "extra-key",
        "huge-error",
        "error-not-string",
    ],
)
def test_a_wrong_type_anywhere_refuses_the_event(event: dict[str, Any]) -> None:
    assert parse_events(line(event) + line(DONE)) == [DONE]


def test_non_finite_numbers_are_kept_as_floats_for_the_scorer() -> None:
    # json.dumps in the child writes NaN and Infinity as bare constants.
    raw = (
        b'{"event": "result", "case": 0, "type": "dict", "values": {"W1": '
        b'{"shape": [3], "data": [NaN, Infinity, -Infinity]}}}\n'
    )
    (event,) = parse_events(raw)
    data = event["values"]["W1"]["data"]
    assert all(isinstance(v, float) for v in data)
    assert math.isnan(data[0]) and data[1] == math.inf and data[2] == -math.inf


def test_a_deeply_nested_line_is_ignored_not_a_crash() -> None:
    assert parse_events(b"[" * 100_000 + b"\n" + line(DONE)) == [DONE]


# --- decode ------------------------------------------------------------------------------------


def test_decode_returns_the_array_in_the_expected_shape() -> None:
    array, problem = decode({"shape": [2, 2], "data": [1.0, 2.0, 3.0, 4.0]}, (2, 2))
    assert problem == ""
    assert array is not None and array.dtype == np.float64
    np.testing.assert_array_equal(array, [[1.0, 2.0], [3.0, 4.0]])


def test_decode_keeps_non_finite_entries() -> None:
    array, problem = decode({"shape": [2], "data": [math.nan, 1.0]}, (2,))
    assert problem == ""
    assert array is not None and np.isnan(array[0]) and array[1] == 1.0


@pytest.mark.parametrize(
    ("encoded", "shape", "message"),
    [
        (
            {"shape": [2, 1], "data": [1.0, 2.0]},
            (2,),
            "has shape (2, 1), expected (2,) (the shape the exercise expects)",
        ),
        (
            {"shape": [2], "data": [1.0, 2.0]},
            (2, 2),
            "has shape (2,), expected (2, 2) (the shape the exercise expects)",
        ),
        (
            {"shape": [], "data": [1.17]},
            (1,),
            "has shape (), expected (1,) (the shape the exercise expects)",
        ),
        ({"shape": [2, 2], "data": [1.0, 2.0, 3.0]}, (2, 2), "is malformed"),
        (
            {"error": "a str that is not numbers (ValueError: ...)"},
            (2,),
            "is a str that is not numbers (ValueError: ...)",
        ),
    ],
    ids=["column-vector", "flat-matrix", "scalar", "malformed", "error"],
)
def test_decode_explains_why_not(
    encoded: dict[str, Any], shape: tuple[int, ...], message: str
) -> None:
    assert decode(encoded, shape) == (None, message)
