"""Tests for grader.batch.integrity: in a class run, answers that fit a classmate's variant
better than their own are flagged, by name for the instructor, without it for the student."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.batch.run import ClassResults, grade_class
from grader.batch.settings import ClassRun
from grader.exercise import LoadedExercise
from grader.report.lifecycle import drive
from grader.report.text import TextReporter

BY_HAND = "house-price-by-hand"
DIFFERENT = "different set of numbers"


pytestmark = pytest.mark.usefixtures("course_secret")


@pytest.fixture
def graded(
    tmp_path: Path,
    bundled_exercise: Callable[[str], LoadedExercise],
    hand_answers: Callable[[LoadedExercise, str], str],
) -> Iterator[ClassResults]:
    exercise = bundled_exercise(BY_HAND)
    root = tmp_path / "class"
    root.mkdir()
    (root / "alice.toml").write_text(hand_answers(exercise, "alice"))
    (root / "bob.toml").write_text(hand_answers(exercise, "alice"))  # alice's, handed in by bob
    (root / "carol").mkdir()
    (root / "carol" / f"{BY_HAND}.toml").write_text(hand_answers(exercise, "carol"))
    shutil.copyfile(exercise.solution_path(), root / "dave.py")
    settings = ClassRun(
        root,
        (exercise,),
        tmp_path / "out",
        formats=("json", "csv", "junit"),
        progress=io.StringIO(),
    )
    yield grade_class(settings)


def by_student(done: ClassResults) -> dict[str, Any]:
    return {r.student: r for r in done.results}


def test_each_student_is_graded_on_their_own_variant(graded: ClassResults) -> None:
    results = by_student(graded)
    assert {s: r.variant for s, r in results.items()} == {s: s for s in results}
    for student in ["alice", "carol", "dave"]:  # answers files and a code submission alike
        assert results[student].full_marks, results[student].checks
        assert results[student].fits_variant_of == ""


def test_answers_of_another_variant_score_low_and_name_whose_they_fit(
    graded: ClassResults,
) -> None:
    bob = by_student(graded)["bob"]
    assert bob.score <= 0.25 * bob.max_score
    assert bob.fits_variant_of == "alice"


def test_the_instructors_reports_say_whose_variant(graded: ClassResults, junit_schema: Any) -> None:
    out = Path(graded.reports[0]).parent
    results = {r["student"]: r for r in json.loads((out / "results.json").read_text())["results"]}
    assert results["bob"]["fits_variant_of"] == "alice"
    rows = {row["student"]: row for row in csv.DictReader((out / "gradebook.csv").open())}
    assert rows["bob"]["fits_variant_of"] == "alice" and rows["alice"]["fits_variant_of"] == ""
    assert rows["bob"]["variant"] == "bob"
    junit = (out / "junit.xml").read_text()
    assert 'name="house-price-by-hand.fits_variant_of" value="alice"' in junit
    junit_schema.validate(str(out / "junit.xml"))


def test_the_students_own_report_says_only_different_numbers(graded: ClassResults) -> None:
    bob = by_student(graded)["bob"]
    text = io.StringIO()
    drive(TextReporter, text, [bob], batch=False)
    assert DIFFERENT in text.getvalue()
    assert "alice" not in text.getvalue()
    gradescope = io.StringIO()
    from grader import plugins

    drive(plugins.get("reporters", "gradescope"), gradescope, [bob], batch=False)
    assert DIFFERENT in gradescope.getvalue() and "alice" not in gradescope.getvalue()
    honest = by_student(graded)["alice"]
    assert not any(DIFFERENT in note for note in honest.notes)


def test_two_files_of_one_id_are_each_judged_on_their_own_answers(
    tmp_path: Path,
    bundled_exercise: Callable[[str], LoadedExercise],
    hand_answers: Callable[[LoadedExercise, str], str],
) -> None:
    # "Alice" and "alice" are one id, so one variant; each file is still its own submission,
    # and the one holding bob's answers is the one flagged.
    exercise = bundled_exercise(BY_HAND)
    root = tmp_path / "class"
    root.mkdir()
    (root / "Alice.toml").write_text(hand_answers(exercise, "bob"))
    (root / "alice.toml").write_text(hand_answers(exercise, "alice"))
    (root / "bob.toml").write_text(hand_answers(exercise, "bob"))
    settings = ClassRun(root, (exercise,), tmp_path / "out", progress=io.StringIO())
    results = by_student(grade_class(settings))
    assert results["Alice"].fits_variant_of == "bob"
    assert results["alice"].fits_variant_of == "" and results["bob"].fits_variant_of == ""
