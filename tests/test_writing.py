"""Tests for grader.authoring.writing: numbers at their precision, arrays TOML reads back."""

from __future__ import annotations

import sys
from decimal import Decimal

import numpy as np

from grader.authoring.writing import array, number

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_a_number_keeps_its_decimals_and_never_prints_minus_0() -> None:
    assert number(0.5, 4) == "0.5000"
    assert number(-0.00001, 4) == "0.0000"
    assert number(-1.23456, 2) == "-1.23"


def test_a_long_matrix_is_written_a_row_per_line_and_reads_back() -> None:
    values = np.round(np.random.default_rng(0).uniform(-1, 1, (16, 16)), 4)
    text = array(values, 4)
    assert text.count("\n") == 17
    read = tomllib.loads(f"W = {text}", parse_float=Decimal)["W"]
    assert np.array_equal(np.array(read, dtype=float), values)
    assert all(len(str(entry).split(".")[1]) == 4 for row in read for entry in row if entry)


def test_a_short_matrix_stays_on_one_line() -> None:
    assert array(np.array([[0.1, -0.2], [0.3, 0.4]]), 2) == "[[0.10, -0.20], [0.30, 0.40]]"
