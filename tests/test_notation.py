"""Tests for grader.notation: the lecture's symbol for every entry (w_kj^l = W<l>[k-1, j-1])."""

from __future__ import annotations

import pytest

from grader.notation import gradient_symbol, symbol


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        ("W1", (0, 0), "w_11^1"),
        ("W1", (1, 0), "w_21^1"),  # k = 2 (unit in layer 1), j = 1 (input)
        ("W1", (0, 1), "w_12^1"),
        ("W2", (0, 1), "w_12^2"),
        ("b1", (1,), "b_2^1"),
        ("b2", (0,), "b_1^2"),
        ("h2", (0,), "h_1^2"),
        ("h1", (1,), "h_2^1"),
        ("z1", (0,), "z_1^1"),
    ],
    ids=["w_11^1", "w_21^1", "w_12^1", "w_12^2", "b_2^1", "b_1^2", "h_1^2", "h_2^1", "z_1^1"],
)
def test_lecture_symbols(name: str, index: tuple[int, ...], expected: str) -> None:
    assert symbol(name, index) == expected


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        ("W1", (9, 1), "w_{10,2}^1"),
        ("W1", (0, 9), "w_{1,10}^1"),
        ("W1", (8, 8), "w_99^1"),  # both indices still one digit
        ("b1", (9,), "b_{10}^1"),
        ("b3", (11,), "b_{12}^3"),
        ("h1", (8,), "h_9^1"),
        ("W12", (0, 0), "w_11^12"),  # a two-digit layer is a plain superscript
        ("b10", (9,), "b_{10}^10"),
    ],
    ids=["w_10,2", "w_1,10", "w_99", "b_10", "b_12", "h_9", "layer-12", "layer-10-unit-10"],
)
def test_two_digit_indices_are_braced_and_comma_separated(
    name: str, index: tuple[int, ...], expected: str
) -> None:
    assert symbol(name, index) == expected


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        ("h1", (0, 1), "h_2^1 (observation 1)"),
        ("h2", (2, 0), "h_1^2 (observation 3)"),
        ("z1", (11, 0), "z_1^1 (observation 12)"),
        ("h1", (3, 10), "h_{11}^1 (observation 4)"),
    ],
    ids=["h1-obs1", "h2-obs3", "z1-obs12", "h1-two-digit-obs4"],
)
def test_batch_forward_values_name_the_observation(
    name: str, index: tuple[int, ...], expected: str
) -> None:
    assert symbol(name, index) == expected


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        ("W2", (0, 0), "dL/dw_11^2"),
        ("W1", (1, 0), "dL/dw_21^1"),
        ("b1", (1,), "dL/db_2^1"),
        ("b2", (0,), "dL/db_1^2"),
    ],
    ids=["W2", "W1", "b1", "b2"],
)
def test_gradient_symbols(name: str, index: tuple[int, ...], expected: str) -> None:
    assert gradient_symbol(name, index) == expected


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [("loss", (), "loss[]"), ("x", (1,), "x[1]"), ("W", (0, 0), "W[0, 0]")],
    ids=["loss", "x", "W-without-layer"],
)
def test_names_outside_the_notation_fall_back_to_indexing(
    name: str, index: tuple[int, ...], expected: str
) -> None:
    assert symbol(name, index) == expected
