"""Every bundled exercise validates: its printed values agree with exact arithmetic within the
document's rounding, and its model solution in solutions/ earns full marks.

This is `grader validate` with no arguments, as CI runs it; one model solution is graded per
exercise (a child process each).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.exercise import list_exercises, load_exercise
from grader.validate import validate_exercise

BUNDLED = list_exercises()

# Discrepancies an article really has, each held exactly: the exercise prints the number as
# published, and `grader validate` must keep calling it out (exit 1) rather than bend.
# mazur-step: "the total error is now 0.291027924" backpropagates through the updated w5..w8;
# the exact error after the step is 0.291027774.
KNOWN_DISCREPANCIES = {"mazur-step": {"expected.loss_after"}}


def test_the_bundled_exercises_are_found() -> None:
    ids = {path.stem for path in BUNDLED}
    assert {"house-price-backprop", "house-price-forward", "house-price-train"} <= ids
    assert "softmax-classifier" in ids


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_a_bundled_exercise_is_valid(path: Path) -> None:
    exercise = load_exercise(path)
    assert exercise.id == path.stem  # `--exercise ID` finds the file by its name
    validation = validate_exercise(exercise)
    discrepancies = [v for v in validation.verdicts if v.status == "discrepancy"]
    known = KNOWN_DISCREPANCIES.get(exercise.id, set())
    assert not validation.problems, validation.problems
    assert {v.key for v in discrepancies} == known, discrepancies
    assert validation.ok == (not known)
    assert validation.solution is not None and validation.solution.full_marks
