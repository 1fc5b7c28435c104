"""Tests for grader.plan.variants: every student their own numbers, the same ones every time,
keyed by the course secret; a hand calculation of them earns full marks, another's does not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from grader.errors import ExerciseError, InputError
from grader.exercise import LoadedExercise
from grader.pipeline import check_submission
from grader.plan import cases
from grader.plan.cases import worked_case
from grader.plan.variants import student_id, student_variant, variant_seed
from grader.worksheet.template import answers_template, fill

BY_HAND = "house-price-by-hand"
Load = Callable[[str], LoadedExercise]


pytestmark = pytest.mark.usefixtures("course_secret")


@pytest.fixture
def by_hand(bundled_exercise: Load) -> LoadedExercise:
    return bundled_exercise(BY_HAND)


def numbers(exercise: LoadedExercise) -> list[float]:
    case = worked_case(exercise)
    flat = [*(v.ravel() for v in case.params.values()), case.x.ravel(), case.y.ravel()]
    return [*np.concatenate(flat).tolist(), case.learning_rate]


def test_two_students_get_different_numbers(by_hand: LoadedExercise) -> None:
    alice, bob = student_variant(by_hand, "alice"), student_variant(by_hand, "bob")
    assert numbers(alice) != numbers(bob)
    assert numbers(alice) != numbers(by_hand)  # not the lecture's case either
    assert alice.digest != bob.digest  # results and hidden cases are keyed per student


def test_the_same_student_always_gets_the_same_numbers(by_hand: LoadedExercise) -> None:
    first = student_variant(by_hand, "alice")
    assert numbers(student_variant(by_hand, "alice")) == numbers(first)
    assert numbers(student_variant(by_hand, "  Alice ")) == numbers(first)  # one id, two spellings


def test_drawn_numbers_are_hand_workable(by_hand: LoadedExercise) -> None:
    spec = by_hand.spec.variants
    for student in ["alice", "bob", "carol", "dave"]:
        case = student_variant(by_hand, student).spec.case
        for array in [*case.params.values(), case.x, case.y]:
            for value in array.decimals.ravel():
                assert -1 <= value <= 1 and value.as_tuple().exponent == -spec.params.decimals
        assert case.learning_rate in spec.learning_rates


def test_without_the_secret_a_variant_cannot_be_reproduced(
    by_hand: LoadedExercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_secret = numbers(student_variant(by_hand, "alice"))
    monkeypatch.setenv("GRADER_SECRET", "another secret")
    assert numbers(student_variant(by_hand, "alice")) != with_secret
    monkeypatch.delenv("GRADER_SECRET")
    assert numbers(student_variant(by_hand, "alice")) != with_secret  # from the id alone
    seeds = {variant_seed(BY_HAND, "alice", s) for s in [None, b"a", b"b"]}
    assert len(seeds) == 3


def test_a_secret_file_takes_precedence_over_the_environment(by_hand: LoadedExercise) -> None:
    from_environment = numbers(student_variant(by_hand, "alice"))
    cases.use_secret(b"course secret")
    assert numbers(student_variant(by_hand, "alice")) == from_environment
    cases.use_secret(b"from a file")
    assert numbers(student_variant(by_hand, "alice")) != from_environment


def test_an_exercise_without_variants_is_everyones_worked_case(bundled_exercise: Load) -> None:
    step = bundled_exercise("house-price-step")
    assert student_variant(step, "alice") is step


def test_a_hand_computed_answers_file_earns_full_marks(
    by_hand: LoadedExercise, hand_answers_file: Callable[..., Path]
) -> None:
    alice = student_variant(by_hand, "alice")
    result = check_submission(alice, hand_answers_file(by_hand, "alice"))
    assert result.full_marks, [c.message for c in result.checks]
    assert result.problems == []


def test_the_exact_values_rounded_earn_full_marks_too(
    by_hand: LoadedExercise, tmp_path: Path
) -> None:
    alice = student_variant(by_hand, "alice")
    exact = alice.task.reference(alice.network, worked_case(alice))
    text = fill(
        answers_template(alice, "alice", 4), {f"updated.{k}": v for k, v in exact.items()}, 4
    )
    path = tmp_path / "exact.toml"
    path.write_text(text)
    assert check_submission(alice, path).full_marks


def test_another_students_answers_score_low(
    by_hand: LoadedExercise, hand_answers_file: Callable[..., Path]
) -> None:
    result = check_submission(student_variant(by_hand, "bob"), hand_answers_file(by_hand, "alice"))
    assert result.score <= 0.25 * result.max_score


def test_a_code_submission_is_graded_on_the_students_variant(by_hand: LoadedExercise) -> None:
    alice = student_variant(by_hand, "alice")
    result = check_submission(alice, by_hand.solution_path())
    assert result.full_marks and result.hidden_cases == by_hand.spec.grading.hidden_cases


def test_an_empty_student_id_is_refused() -> None:
    with pytest.raises(InputError, match="cannot be empty"):
        student_id("  ")


def test_ranges_that_allow_no_usable_draw_are_blamed_on_the_variants_table(
    write_exercise: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.exercise.loader import load_exercise
    from grader.plan import variants

    monkeypatch.setattr(variants, "MAX_DRAWS", 7)  # as many as it takes to say so, not 500

    # Weights and inputs of at most 0.02: dL/dW1 is below 0.0003, 0.00 at two decimals.
    tiny = {"low": -0.02, "high": 0.02, "decimals": 2}
    path = write_exercise(variants={"params": tiny, "x": tiny, "decimals": 2})
    with pytest.raises(ExerciseError) as info:
        student_variant(load_exercise(path), "alice")
    assert info.value.problems[0][0] == "variants"
    assert "widen the ranges" in info.value.problems[0][1]


def test_a_student_id_is_the_same_however_its_accents_are_encoded() -> None:
    # A file name from a Mac ("Ümit.toml" decomposed: U + combining diaeresis) against the
    # roster's composed "Ümit": one student, one variant.
    composed, decomposed = "\u00dcmit", "U\u0308mit"
    assert student_id(decomposed) == student_id(composed) == "\u00fcmit"


def test_the_environments_secret_is_trimmed_as_a_secret_files_is(
    by_hand: LoadedExercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A CI secret pasted with its line's newline must key the same variants as the file the
    # worksheets were written with (whose content is trimmed); blank is no secret at all.
    monkeypatch.setenv("GRADER_SECRET", "course secret\n")
    assert cases.course_secret() == b"course secret"
    monkeypatch.setenv("GRADER_SECRET", " \n")
    assert cases.course_secret() is None
