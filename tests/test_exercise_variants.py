"""Tests for grader.exercise.variants: the `[variants]` table, as strict as the rest of the file."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from grader.exercise.loader import load_exercise

Write = Callable[..., Path]
Problems = Callable[[Path], list[tuple[str, str]]]


def test_an_empty_table_takes_every_default(write_exercise: Write) -> None:
    spec = load_exercise(write_exercise(variants={})).spec.variants
    assert spec is not None and spec.decimals == 4 and spec.learning_rates is None
    assert (spec.params.low, spec.params.high, spec.params.decimals) == (-1, 1, 2)


def test_without_the_table_there_are_no_variants(write_exercise: Write) -> None:
    assert load_exercise(write_exercise()).spec.variants is None


def test_a_full_table_is_read_as_decimals(write_exercise: Write) -> None:
    table = {
        "params": {"low": -0.5, "high": 0.5, "decimals": 1},
        "x": {"low": 0, "high": 2},
        "learning_rates": [0.1, 0.25],
        "decimals": 3,
    }
    spec = load_exercise(write_exercise(variants=table)).spec.variants
    assert spec is not None and spec.learning_rates == [Decimal("0.1"), Decimal("0.25")]
    assert list(spec.params.grid()) == [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        ({"paramz": {}}, "variants.paramz", "unknown key (did you mean 'params'?)"),
        ({"x": {"low": 0, "hihg": 1}}, "variants.x.hihg", "unknown key (did you mean 'high'?)"),
        ({"decimals": "4"}, "variants.decimals", 'got the string "4"'),
        ({"decimals": 1}, "variants.decimals", "must be from 2 to 8"),
        ({"y": {"decimals": 9}}, "variants.y.decimals", "must be from 0 to 4"),
        ({"x": {"low": 0.5, "high": 0.51}}, "variants.x", "fewer than 3 numbers"),
        ({"params": {"low": -1000}}, "variants.params", "low must be from -100 to 100"),
        ({"learning_rates": []}, "variants.learning_rates", "at least 1"),
        ({"learning_rates": [0.1, 0]}, "variants", "more than 0"),
        ({"learning_rates": [True]}, "variants.learning_rates[0]", "the boolean true"),
    ],
    ids=[
        "unknown-key",
        "unknown-range-key",
        "string",
        "too-few-decimals",
        "too-many-drawn-decimals",
        "narrow-range",
        "huge-bound",
        "no-rates",
        "zero-rate",
        "boolean-rate",
    ],
)
def test_a_broken_table_names_its_key(
    write_exercise: Write, exercise_problems: Problems, table: dict, key: str, words: str
) -> None:
    problems = exercise_problems(write_exercise(variants=table))
    assert any(k == key and words in m for k, m in problems), problems
