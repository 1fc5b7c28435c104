"""Tests for grader.plan.cases: the worked case and the hidden cases of a seed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.plan.cases import plan_cases, shared_worked_case, worked_case


def test_every_plan_starts_with_the_same_worked_case(bundled_exercise) -> None:
    exercise = bundled_exercise("house-price-backprop")
    first, second = plan_cases(exercise, 1), plan_cases(exercise, 2)
    assert first[0] is second[0] is shared_worked_case(exercise)
    assert not np.array_equal(first[1].x, second[1].x)  # the hidden cases are the seed's


def test_the_shared_worked_case_is_the_worked_case(bundled_exercise) -> None:
    exercise = bundled_exercise("house-price-step")
    shared, fresh = shared_worked_case(exercise), worked_case(exercise)
    for field in dataclasses.fields(fresh):
        a, b = getattr(shared, field.name), getattr(fresh, field.name)
        if isinstance(b, dict):
            assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in b)
        elif isinstance(b, np.ndarray):
            assert np.array_equal(a, b)
        else:
            assert a == b


def test_the_shared_worked_case_cannot_be_changed(bundled_exercise) -> None:
    # Every submission's grading reads it: one that wrote into it would change the next ones.
    case = shared_worked_case(bundled_exercise("house-price-backprop"))
    for array in (case.x, case.y, *case.params.values()):
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0.0


def test_a_fresh_worked_case_is_the_callers_own(bundled_exercise) -> None:
    case = worked_case(bundled_exercise("house-price-backprop"))
    case.x[0] = 1.0  # validate and answers may do what they like with theirs
    assert shared_worked_case(bundled_exercise("house-price-backprop")).x[0] == -0.32
