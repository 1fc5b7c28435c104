"""Tests for grader.exercise.numbers: printed precision kept, bad numbers refused, shapes."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from pydantic_core import PydanticCustomError

from grader.exercise.numbers import DecimalArray, to_decimal, to_decimal_array

D = Decimal


# --- printed precision ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "unit"),
    [
        (D("0.30"), 0.01),
        (D("0.3"), 0.1),
        (D("-0.028"), 0.001),
        (D("0.5663"), 0.0001),
        (D("1.17"), 0.01),
        (D("0.0824"), 0.0001),
        (D("3"), 1.0),
        (D("1E+2"), 100.0),  # TOML's 1e2: one significant figure, in the hundreds
        (D("0.0"), 0.1),
    ],
    ids=["0.30", "0.3", "-0.028", "0.5663", "1.17", "0.0824", "int-3", "1e2", "0.0"],
)
def test_unit_is_one_in_the_last_printed_place(printed: Decimal, unit: float) -> None:
    array = to_decimal_array(printed)
    assert array.units() == pytest.approx(unit, rel=1e-15)
    assert array.floats() == float(printed)


def test_0_30_and_0_3_are_different_statements() -> None:
    array = to_decimal_array([D("0.30"), D("0.3")])
    np.testing.assert_array_equal(array.floats(), [0.3, 0.3])
    np.testing.assert_allclose(array.units(), [0.01, 0.1], rtol=1e-15)
    assert [array.text((0,)), array.text((1,))] == ["0.30", "0.3"]


def test_units_are_per_entry_in_a_matrix() -> None:
    array = to_decimal_array([[D("0.2056"), D("0.16")], [D("0.5"), 7]])
    assert array.shape == (2, 2)
    np.testing.assert_allclose(array.units(), [[1e-4, 1e-2], [1e-1, 1.0]], rtol=1e-15)
    np.testing.assert_array_equal(array.floats(), [[0.2056, 0.16], [0.5, 7.0]])
    assert array.floats().dtype == np.float64 and array.units().dtype == np.float64
    assert array.text((0, 1)) == "0.16"


def test_python_floats_keep_their_shortest_repr() -> None:
    # 0.1 is not 0.1000000000000000055511151231257827 as a statement.
    assert to_decimal(0.1) == D("0.1")
    assert to_decimal_array([0.484, 0.424]).text((0,)) == "0.484"


@pytest.mark.parametrize(
    "value", [D("0.25"), 0.25, 3, -0.0], ids=["decimal", "float", "int", "negative-zero"]
)
def test_to_decimal_accepts_numbers(value: object) -> None:
    dec = to_decimal(value)
    assert isinstance(dec, Decimal)
    assert float(dec) == float(value)  # type: ignore[arg-type]


def test_an_array_is_returned_as_is() -> None:
    array = to_decimal_array([D("0.1")])
    assert to_decimal_array(array) is array


# --- shapes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        (D("0.5"), ()),
        ([D("0.5")], (1,)),
        ([1, 2, 3], (3,)),
        ([[1, 2], [3, 4], [5, 6]], (3, 2)),
        ([[0.3, 0.2]], (1, 2)),
        ([[[1], [2]], [[3], [4]]], (2, 2, 1)),
    ],
    ids=["scalar", "one", "vector", "3x2", "row-1x2", "2x2x1"],
)
def test_shapes(value: object, shape: tuple[int, ...]) -> None:
    array = to_decimal_array(value)
    assert isinstance(array, DecimalArray)
    assert array.shape == shape
    assert array.floats().shape == shape
    assert array.units().shape == shape


def test_nested_lists_keep_row_major_order() -> None:
    floats = to_decimal_array([[D("0.2"), D("0.15")], [D("0.5"), D("0.6")]]).floats()
    np.testing.assert_array_equal(floats, [[0.2, 0.15], [0.5, 0.6]])


# --- refused, with a clear message ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # Values are named as TOML names them; a long string is cut short.
        ("0.3", r'^expected a number, got the string "0\.3"$'),
        (True, r"^expected a number, got the boolean true$"),
        (False, r"^expected a number, got the boolean false$"),
        (None, r"^expected a number, got nothing$"),
        ({"a": 1}, r"^expected a number, got a table$"),
        ("x" * 60, r'^expected a number, got the string "x{40}\.\.\."$'),
        (float("inf"), r"^expected a finite number, got Infinity$"),
        (float("-inf"), r"^expected a finite number, got -Infinity$"),
        (D("Infinity"), r"^expected a finite number, got Infinity$"),
        (float("nan"), r"^expected a finite number, got NaN$"),
        (D("NaN"), r"^expected a finite number, got NaN$"),
    ],
    ids=[
        "string",
        "true",
        "false",
        "none",
        "dict",
        "long-string",
        "inf",
        "-inf",
        "decimal-inf",
        "nan",
        "decimal-nan",
    ],
)
def test_to_decimal_refuses(value: object, message: str) -> None:
    with pytest.raises(PydanticCustomError, match=message):
        to_decimal(value)


@pytest.mark.parametrize("value", [D("1E+400"), D("-1e400")], ids=["1e400", "-1e400"])
def test_to_decimal_refuses_what_float64_cannot_hold(value: Decimal) -> None:
    with pytest.raises(PydanticCustomError, match="finite"):
        to_decimal_array([value]).floats()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([[1, 2], [3]], r"^ragged array: rows of different lengths$"),
        ([[1], [2, 3]], r"^ragged array: rows of different lengths$"),
        ([[1, 2], 3], r"^ragged array: rows of different lengths$"),
        ([[[1, 2], [3]]], r"^ragged array\[0\]: rows of different lengths$"),
        ([], r"^empty array$"),
        ([[], []], r"^empty array\[0\]$"),
        ([1, "2"], r'^expected a number, got the string "2"$'),
        ([[0.1, True]], r"^expected a number, got the boolean true$"),
        ([0.1, float("inf")], r"^expected a finite number, got Infinity$"),
        ([D("0.1"), D("NaN")], r"^expected a finite number, got NaN$"),
        ("0.1", r'^expected a number, got the string "0\.1"$'),
    ],
    ids=[
        "ragged-short-row",
        "ragged-long-row",
        "ragged-mixed-depth",
        "ragged-nested",
        "empty",
        "empty-rows",
        "string-entry",
        "bool-entry",
        "inf-entry",
        "nan-entry",
        "string-not-array",
    ],
)
def test_to_decimal_array_refuses(value: object, message: str) -> None:
    with pytest.raises(PydanticCustomError, match=message):
        to_decimal_array(value)


def test_a_printed_array_may_leave_entries_out() -> None:
    from grader.exercise.numbers import to_printed_array

    a = to_printed_array([[Decimal("0.082167041"), "?"], ["?", Decimal("0.5")]])
    assert a.gaps().tolist() == [[False, True], [True, False]]
    floats, units = a.floats(), a.units()
    assert floats[0, 0] == 0.082167041 and np.isnan(floats[0, 1])
    assert units[1, 1] == 0.1 and np.isnan(units[1, 0])
    assert a.text((0, 1)) == "?" and a.text((1, 1)) == "0.5"
    assert np.isnan(to_printed_array("?").floats())  # a whole printed number left out


def test_a_gap_is_only_for_printed_values() -> None:
    with pytest.raises(PydanticCustomError, match="only for printed values"):
        to_decimal_array([0.1, "?"])
