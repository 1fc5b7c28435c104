"""Tests for grader.worksheet.template: the answers file a worksheet asks for."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from grader.exercise import LoadedExercise
from grader.pipeline import check_submission
from grader.plan.cases import worked_case
from grader.plan.variants import student_variant
from grader.worksheet.template import answer_keys, answers_template, fill

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BY_HAND = "house-price-by-hand"
Load = Callable[[str], LoadedExercise]


pytestmark = pytest.mark.usefixtures("course_secret")


@pytest.mark.parametrize("exercise_id", [BY_HAND, "house-price-backprop", "tanh-chain"])
def test_the_template_is_toml_with_a_placeholder_for_every_entry(
    bundled_exercise: Load, exercise_id: str
) -> None:
    exercise = bundled_exercise(exercise_id)
    tables = tomllib.loads(answers_template(exercise, "alice", 4))
    assert answer_keys(exercise) == [q.key for q in exercise.quantities]
    for q in exercise.quantities:
        entries = np.ravel(np.asarray(tables[q.section][q.name], dtype=object))
        assert entries.tolist() == ["?"] * math.prod(q.shape), q.key


def test_the_template_filled_with_the_exact_values_earns_full_marks(
    bundled_exercise: Load, tmp_path: Path
) -> None:
    alice = student_variant(bundled_exercise(BY_HAND), "alice")
    exact = alice.task.reference(alice.network, worked_case(alice))
    values = {f"updated.{name}": value for name, value in exact.items()}
    path = tmp_path / "alice.toml"
    path.write_text(fill(answers_template(alice, "alice", 4), values, 4))
    result = check_submission(alice, path)
    assert result.full_marks and result.problems == []


def test_an_unfilled_template_is_graded_as_not_a_number_not_as_zero(
    bundled_exercise: Load, tmp_path: Path
) -> None:
    alice = student_variant(bundled_exercise(BY_HAND), "alice")
    path = tmp_path / "alice.toml"
    path.write_text(answers_template(alice, "alice", 4))
    result = check_submission(alice, path)
    assert result.score == 0
    assert all("not an array of numbers" in c.message for c in result.checks)


def test_the_losses_of_a_training_exercise_have_a_placeholder_per_loss(
    bundled_exercise: Load,
) -> None:
    # Their number (iterations + 1) belongs to the case, not the network: the template had
    # `losses = []`, which no student could fill in.
    exercise = bundled_exercise("house-price-train")
    tables = tomllib.loads(answers_template(exercise, "alice", 4))
    assert tables["losses"]["losses"] == ["?"] * (worked_case(exercise).iterations + 1)
    assert "L after 10 iterations]" in answers_template(exercise, "alice", 4)
