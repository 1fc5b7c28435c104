"""Tests for grader.plan.draw: hand-workable draws, and the degenerate ones refused."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from grader.exercise.variants import DrawRange, Variants
from grader.plan.cases import Case
from grader.plan.draw import degeneracy, draw_case
from grader.reference.losses import categorical_cross_entropy, half_squared_error

PARAMS = {"W1": np.zeros((2, 2)), "b1": np.zeros(2)}


def case(**changes: object) -> Case:
    fields: dict = dict(
        label="worked case",
        params={k: v.copy() for k, v in PARAMS.items()},
        x=np.zeros(2),
        y=np.zeros(1),
        learning_rate=0.1,
        iterations=None,
        worked=True,
    )
    return Case(**{**fields, **changes})


def test_a_draw_has_the_worked_cases_shapes_and_the_ranges_decimals() -> None:
    spec = Variants(params=DrawRange(low=Decimal("-0.5"), high=Decimal("0.5"), decimals=1))
    table = draw_case(np.random.default_rng(1), spec, case(), half_squared_error, Decimal("0.2"))
    assert np.shape(table["params"]["W1"]) == (2, 2) and np.shape(table["x"]) == (2,)
    for value in np.ravel(table["params"]["W1"]):
        assert -0.5 <= value <= 0.5 and value.as_tuple().exponent == -1
    assert table["learning_rate"] == Decimal("0.2")  # no set of rates: the worked case's


def test_a_classification_loss_gets_class_labels() -> None:
    worked = case(y=np.zeros(3))
    table = draw_case(np.random.default_rng(2), Variants(), worked, categorical_cross_entropy, None)
    assert sorted(np.ravel(table["y"]).tolist()) == [0, 0, 1]


def test_a_learning_rate_is_picked_from_the_set() -> None:
    spec = Variants(learning_rates=[Decimal("0.1"), Decimal("0.5")])
    rng = np.random.default_rng(3)
    rates = {
        draw_case(rng, spec, case(), half_squared_error, None)["learning_rate"] for _ in range(20)
    }
    assert rates == {Decimal("0.1"), Decimal("0.5")}


GOOD_W1 = np.array([[0.3, 0.2], [0.1, 0.4]])


@pytest.mark.parametrize(
    ("exact", "written", "why"),
    [
        ({}, {"gradients.W1": GOOD_W1}, ""),
        ({"forward.z1": np.array([0.00004, 1.0])}, {}, "forward.z1 rounds to 0"),
        ({}, {"gradients.W1": np.array([[0.3, 0.0], [0.1, 0.4]])}, "gradients.W1 rounds to 0"),
        ({}, {"updated.b1": np.array([0.0, 0.2])}, "too small to change"),
        ({"loss": np.array(np.inf)}, {}, "loss is not finite"),
    ],
    ids=["fine", "relu-at-zero", "gradient-rounds-to-zero", "no-step", "not-finite"],
)
def test_degenerate_draws_are_refused(exact: dict, written: dict, why: str) -> None:
    reason = degeneracy(case(), exact, written, 4)
    assert (why in reason) if why else reason == ""


def test_a_frozen_parameter_may_keep_its_value_and_its_gradient_may_round_to_zero() -> None:
    # A step leaves a frozen parameter alone by definition, and its gradient is not graded:
    # neither makes a draw degenerate (every draw of an exercise with one was refused).
    written = {"gradients.b1": np.array([0.0, 0.0]), "updated.b1": np.array([0.0, 0.0])}
    assert degeneracy(case(), {}, written, 4, frozen=frozenset({"b1"})) == ""
    assert "too small to change" in degeneracy(case(), {}, {"updated.b1": np.zeros(2)}, 4)
