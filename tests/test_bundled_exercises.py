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
    assert validation.ok, (validation.problems, discrepancies)
    assert validation.solution is not None and validation.solution.full_marks
