"""Tests for grader.explain.sketch: the network, its forward values, products of wrong entries."""

from __future__ import annotations

import pytest

from grader.explain.sketch import sketch, with_products
from grader.plan.cases import worked_case
from grader.result import Check, Entry


def test_the_lecture_network_with_its_printed_forward_values(bundled_exercise) -> None:
    exercise = bundled_exercise("house-price-backprop")
    drawn = sketch(exercise, worked_case(exercise))
    assert [(la.units, la.activation) for la in drawn.layers] == [(2, "sigmoid"), (1, "linear")]
    assert drawn.x == [-0.32, -0.66]
    assert [round(v, 4) for v in drawn.h[0]] == [0.4843, 0.4241]  # the lecture's h_1^1, h_2^1
    assert round(drawn.h[1][0], 4) == 0.6301


def _check(quantity: str, entries: list[Entry]) -> Check:
    return Check(
        name="dL/dW1",
        quantity=quantity,
        score=0,
        max_score=4,
        status="fail",
        message="wrong",
        cases_passed=0,
        cases=5,
        tolerance="t",
        shape=[2, 2],
        entries=entries,
    )


def _entry(index: list[int], passed: bool) -> Entry:
    return Entry(index=index, label="x", expected=0.0, got=1.0, passed=passed)


def test_a_wrong_gradient_entry_gets_its_chain_rule_product(bundled_exercise) -> None:
    exercise = bundled_exercise("house-price-backprop")
    check = _check("gradients.W1", [_entry([1, 0], False), _entry([0, 0], True)])
    (done,) = with_products(exercise, worked_case(exercise), [check])
    assert done.entries[0].product == (
        "dL/dw_21^1 = dL/dh_1^2 * dh_1^2/dh_2^1 * dh_2^1/dz_2^1 * dz_2^1/dw_21^1 = "
        "1.1701 * 0.2 * 0.24424 * (-0.32) = -0.01829"
    )
    assert done.entries[1].product is None  # a right entry needs no working


@pytest.mark.parametrize("quantity", ["updated.W1", "forward.h1"], ids=["updated", "forward"])
def test_only_gradients_get_products(bundled_exercise, quantity: str) -> None:
    exercise = bundled_exercise("house-price-backprop")
    check = _check(quantity, [_entry([1, 0], False)])
    assert with_products(exercise, worked_case(exercise), [check]) == [check]


def test_the_worked_case_is_drawn_once_per_exercise(bundled_exercise) -> None:
    from grader.plan.cases import shared_worked_case

    exercise = bundled_exercise("house-price-backprop")
    shared = shared_worked_case(exercise)
    assert sketch(exercise, shared) is sketch(exercise, shared)
    assert sketch(exercise, shared) == sketch(exercise, worked_case(exercise))


def test_products_on_the_shared_worked_case_are_those_of_a_fresh_one(bundled_exercise) -> None:
    from grader.plan.cases import shared_worked_case

    exercise = bundled_exercise("house-price-backprop")
    check = _check("gradients.W1", [_entry([i, j], False) for i in range(2) for j in range(2)])
    for _ in range(2):  # written, then remembered
        (shared,) = with_products(exercise, shared_worked_case(exercise), [check])
        (fresh,) = with_products(exercise, worked_case(exercise), [check])
        assert shared == fresh
