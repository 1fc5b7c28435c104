"""Tests for grader.worksheet: one student's problem in the lecture's notation, as Markdown and
as one self-contained HTML page, with the answers file to fill in."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from grader.exercise import LoadedExercise
from grader.plan.cases import worked_case
from grader.plan.variants import student_variant
from grader.worksheet import FORMATS, build, render

BY_HAND = "house-price-by-hand"


pytestmark = pytest.mark.usefixtures("course_secret")


@pytest.fixture
def alice(bundled_exercise: Callable[[str], LoadedExercise]) -> LoadedExercise:
    return student_variant(bundled_exercise(BY_HAND), "alice")


@pytest.mark.parametrize("form", list(FORMATS))
def test_a_worksheet_holds_every_key_of_the_answers_template(
    alice: LoadedExercise, form: str
) -> None:
    sheet = build(alice, "alice")
    text = render(sheet, form)
    assert sheet.keys == ["updated.W1", "updated.b1", "updated.W2", "updated.b2"]
    for key in sheet.keys:
        section, name = key.split(".")
        assert f"[{section}]" in text and re.search(rf"^{name} = ", text, re.MULTILINE), key
    assert "alice" in text and "--student alice" in text


@pytest.mark.parametrize("form", list(FORMATS))
def test_a_worksheet_gives_the_students_numbers_in_the_lectures_notation(
    alice: LoadedExercise, form: str
) -> None:
    text = render(build(alice, "alice"), form)
    params = alice.spec.case.params
    w21 = params["W1"].text((1, 0))  # w_21^1 is W1[1, 0]: unit 2 of layer 1, from input 1
    cell = '</td><td class="value">' if form == "html" else " | "
    assert f"w_21^1{cell}{w21}" in text
    assert f"{worked_case(alice).learning_rate:g}" in text
    assert "round every value you write down to 4 decimals" in text.lower()
    for symbol in ["x_1", "x_2", "y_1", "b_2^1", "w_11^2"]:
        assert symbol in text


def test_the_html_page_is_self_contained(alice: LoadedExercise) -> None:
    page = render(build(alice, "<alice>"), "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "http" not in page and "<link" not in page
    assert "&lt;alice&gt;" in page and "<alice>" not in page  # an id is text, never markup


def test_what_to_compute_marks_what_is_handed_in(alice: LoadedExercise) -> None:
    steps = dict(build(alice, "alice").steps)
    handed_in = [step for step, graded in steps.items() if graded]
    assert len(handed_in) == 1 and "gradient-descent step" in handed_in[0]
    assert any("forward pass" in step for step in steps)


@pytest.mark.parametrize("form", list(FORMATS))
def test_a_worksheet_without_variants_does_not_promise_personal_numbers(
    bundled_exercise: Callable[[str], LoadedExercise], form: str
) -> None:
    # Without [variants] every student gets the worked case: "yours alone" would be untrue.
    shared = student_variant(bundled_exercise("house-price-backprop"), "bob")
    text = render(build(shared, "bob"), form)
    assert "yours alone" not in text and "same numbers" in text


def test_a_personal_worksheet_says_the_numbers_are_the_students(alice: LoadedExercise) -> None:
    assert "yours alone" in render(build(alice, "alice"), "markdown")
