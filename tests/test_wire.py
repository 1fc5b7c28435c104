"""Tests for grader.run.wire: what the untrusted child sends is parsed strictly, numbers only."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from grader.run import wire
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
        b'{"event": ["done"]}\n',
        b'{"event": {"done": 1}}\n',
        b'{"event": "confined"}\n',
        b"\xef\xbb\xbf" + line(DONE),  # json.loads reads bytes with a BOM: a second "done"
    ],
    ids=[
        "text",
        "bytes",
        "truncated",
        "list",
        "number",
        "blank",
        "unknown-event",
        "no-event",
        "list-event",
        "unhashable-event",
        "confined",
        "bom",
    ],
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
            "has shape (), expected (1,) (the shape the exercise expects): a single number came "
            "back where a vector of one entry belongs; return it as a one-entry array, e.g. "
            "np.array([value]) or np.atleast_1d(value)",
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


# --- bounds: whatever the child sends, parsing it costs a fixed budget -------------------------


class Counting:
    """Stands in for a module or object, counting the calls of one of its functions."""

    def __init__(self, real: Any, name: str) -> None:
        self.real, self.name, self.calls = real, name, 0

    def __getattr__(self, attribute: str) -> Any:
        found = getattr(self.real, attribute)
        if attribute != self.name:
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return found(*args, **kwargs)

        return counted


def test_a_forged_astronomical_shape_is_a_message_and_never_multiplied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_product(*args: Any) -> None:
        raise AssertionError("math.prod reached with a shape from the child")

    monkeypatch.setattr(math, "prod", no_product)
    forged = b"[" + b", ".join([b"1" + b"0" * 3999] * 1000) + b"]"
    raw = (
        b'{"event": "result", "case": 0, "type": "dict", "values": {"W1": {"shape": '
        + forged
        + b', "data": [1.0]}}}\n'
    )
    (event,) = parse_events(raw + line(DONE))[:1]
    encoded = event["values"]["W1"]
    assert encoded["data"] is None
    assert decode(encoded, (2, 2)) == (
        None,
        "is an array with 1000 dimensions (the grader reads at most 8)",
    )


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ([2] * 9, "is an array with 9 dimensions (the grader reads at most 8)"),
        ([10**7], "is an array with a dimension of more than 1,000,000 entries"),
        ([1000, 1000, 2], "is an array of more than 1,000,000 entries (the grader reads fewer)"),
        ([10**6] * 8, "is an array of more than 1,000,000 entries (the grader reads fewer)"),
    ],
    ids=["dimensions", "one-size", "entries", "product"],
)
def test_shapes_past_the_bounds_are_refused_before_any_product(
    shape: list[int], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(math, "prod", None)  # any use would fail
    assert decode({"shape": shape, "data": [1.0]}, (2,)) == (None, message)
    (event,) = parse_events(line(with_(RESULT, values={"W1": {"shape": shape, "data": [1.0]}})))
    assert decode(event["values"]["W1"], (2,)) == (None, message)


def test_a_flood_of_tiny_lines_is_read_only_up_to_the_line_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counting = Counting(wire._EVENT, "validate_python")
    monkeypatch.setattr(wire, "_EVENT", counting)
    flood = line(DONE) * 1_000_000  # 16 MB of "done"
    assert parse_events(flood) == [DONE]
    assert counting.calls <= wire.MAX_LINES


def test_only_the_first_event_of_a_case_counts() -> None:
    first = with_(RESULT, values={"W1": {"shape": [1], "data": [1.0]}})
    forged = with_(RESULT, values={"W1": {"shape": [1], "data": [9.0]}})
    events = parse_events(line(first) + line(forged) * 50 + line(DONE) * 3)
    assert events == parse_events(line(first) + line(DONE))


def test_entries_in_all_events_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wire, "MAX_TOTAL_ENTRIES", 10)
    raw = b"".join(
        line(with_(RESULT, case=n, values={"W1": {"shape": [4], "data": [1.0] * 4}}))
        for n in range(5)
    )
    assert [e["case"] for e in parse_events(raw)] == [0, 1]


def test_a_huge_integer_is_never_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    converted: list[int] = []
    real = wire._integer

    def spy(digits: str) -> int | float:
        value = real(digits)
        if isinstance(value, int):
            converted.append(len(digits))
        return value

    monkeypatch.setattr(wire, "_integer", spy)
    huge = "9" * 4000
    raw = f'{{"event": "call-error", "case": {huge}, "error": "x"}}\n'.encode()
    assert parse_events(raw + line(DONE)) == [DONE]
    assert all(n <= wire.MAX_INT_DIGITS for n in converted)


def test_labels_and_keys_from_the_child_are_single_lines() -> None:
    forged = "W1\n  PASS  dL/dW1  3/3"
    event = with_(RESULT, mutated=[forged], values={forged: {"shape": [1], "data": [1.0]}})
    (parsed,) = parse_events(line(event))
    assert parsed["mutated"] == ["W1\\n  PASS  dL/dW1  3/3"]
    assert list(parsed["values"]) == ["W1\\n  PASS  dL/dW1  3/3"]


@pytest.mark.parametrize(
    ("got", "expected", "hint"),
    [
        ((), (1,), "np.atleast_1d(value)"),
        ((2, 1), (1, 2), "return its transpose (.T)"),
        ((3,), (2,), ""),
    ],
    ids=["scalar-for-one-entry", "swapped-rows-and-columns", "no-hint"],
)
def test_a_wrong_shape_says_the_likely_fix(
    got: tuple[int, ...], expected: tuple[int, ...], hint: str
) -> None:
    data = [0.5] * math.prod(got)
    array, problem = decode({"shape": list(got), "data": data}, expected)
    assert array is None
    assert problem.startswith(f"has shape {got}, expected {expected}")
    assert problem.endswith(hint) if hint else problem.endswith("expects)")
