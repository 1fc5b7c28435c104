"""Tests for grader.plan.references: the exact values a submission is held to, case by case."""

from __future__ import annotations

import numpy as np
import pytest

from grader.exercise import load_exercise
from grader.plan.cases import plan_cases, worked_case
from grader.plan.references import references


@pytest.mark.parametrize(
    "exercise_id", ["house-price-backprop", "house-price-step", "house-price-train"]
)
def test_each_case_gets_the_tasks_own_reference(bundled_exercise, exercise_id: str) -> None:
    exercise = bundled_exercise(exercise_id)
    cases = plan_cases(exercise, 7)
    for case, ref in zip(cases, references(exercise, cases), strict=True):
        own = exercise.task.reference(exercise.network, case)
        assert ref.keys() == own.keys()
        assert all(np.array_equal(ref[k], own[k]) for k in own)


def test_the_shared_worked_case_is_solved_once(monkeypatch) -> None:
    exercise = load_exercise("tanh-chain")  # an object of its own: nothing remembered yet
    solved: list[str] = []
    task = type(exercise.task)
    real = task.reference

    def reference(self, network, case):
        solved.append(case.label)
        return real(self, network, case)

    monkeypatch.setattr(task, "reference", reference)
    for seed in (1, 2):
        references(exercise, plan_cases(exercise, seed))
    assert solved.count("worked case") == 1
    assert solved.count("hidden case 1") == 2


def test_the_shared_reference_cannot_be_changed_but_its_dict_is_the_callers(
    bundled_exercise,
) -> None:
    exercise = bundled_exercise("house-price-backprop")
    first = references(exercise, plan_cases(exercise, 1))[0]
    with pytest.raises(ValueError, match="read-only"):
        first["W1"][0, 0] = 0.0
    first["extra"] = np.zeros(1)  # answers.py adds the deltas to its own dict, say
    assert "extra" not in references(exercise, plan_cases(exercise, 1))[0]


def test_a_fresh_worked_case_is_solved_as_it_is(bundled_exercise) -> None:
    exercise = bundled_exercise("house-price-backprop")
    case = worked_case(exercise)  # not the shared one: nothing remembered, nothing read-only
    (ref,) = references(exercise, [case])
    ref["W1"][0, 0] = 1.0
