"""Tests for grader.validate: what `grader validate` holds an exercise to, beyond its schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from grader.errors import InputError
from grader.plan import variants
from grader.validate import validate_each

pytestmark = pytest.mark.usefixtures("course_secret")


def test_a_variants_table_that_no_student_can_be_drawn_from_is_an_error(
    write_exercise: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(variants, "MAX_DRAWS", 7)  # as many as it takes to say so, not 500
    # Numbers this small make every gradient round to 0 at 2 decimals: no worksheet can be
    # written. validate said "valid", and only the first `grader worksheet` found out.
    tiny = {"low": 0, "high": 0.02, "decimals": 2}
    path = write_exercise(variants={"params": tiny, "x": tiny, "decimals": 2})
    [outcome] = validate_each([str(path)])
    assert isinstance(outcome, InputError)
    assert f"{path}: variants: no draw" in str(outcome)
