"""Tests for grader.batch.personal: each job of a class run on its student's own variant."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from grader.batch.discover import Job
from grader.batch.personal import class_variants, personal_job, with_variant
from grader.exercise import LoadedExercise
from grader.plan.variants import student_variant
from grader.result import CheckResult

Load = Callable[[str], LoadedExercise]


pytestmark = pytest.mark.usefixtures("course_secret")


def test_each_student_gets_their_variant_once(bundled_exercise: Load) -> None:
    by_hand, step = bundled_exercise("house-price-by-hand"), bundled_exercise("house-price-step")
    jobs = [Job(s, e, Path(f"{s}.toml")) for s in ["Alice", "bob"] for e in (by_hand, step)]
    variants = class_variants(jobs)
    assert sorted(variants) == [("house-price-by-hand", "alice"), ("house-price-by-hand", "bob")]
    mine = personal_job(jobs[0], variants)
    assert mine.exercise.digest == student_variant(by_hand, "alice").digest
    assert personal_job(jobs[1], variants) is jobs[1]  # no [variants]: the worked case


def test_a_result_says_whose_variant_it_was_graded_on(
    bundled_exercise: Load, class_result: Callable[..., CheckResult]
) -> None:
    by_hand = bundled_exercise("house-price-by-hand")
    variants = class_variants([Job("Alice", by_hand, None)])
    result = class_result("full", student="Alice", exercise="house-price-by-hand")
    assert with_variant(result, variants).variant == "alice"
    other = result.with_changes(exercise="house-price-backprop")
    assert with_variant(other, variants).variant == ""
