"""Tests for grader.report.html.network_svg: the lecture's picture, every graded entry marked."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from grader.exercise.course import load_named
from grader.explain.sketch import sketch
from grader.plan.cases import worked_case
from grader.report.html.markup import SVG_NS
from grader.report.html.network_svg import MAX_UNITS, drawable, network_svg
from grader.result import Sketch, SketchLayer

SVG = f"{{{SVG_NS}}}"


def _texts(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


def test_the_lecture_network_labelled_with_its_forward_values(
    html_result: Callable[..., Any], marked_entries: Callable[..., Any]
) -> None:
    result = html_result()
    svg, drawn = network_svg(result.network, result.checks)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert all(e.tag.startswith(SVG) for e in root.iter())  # every element in SVG's namespace
    words = _texts(root)
    for symbol in ["x₁", "x₂", "h₁¹", "h₂¹", "h₁²", "w₁₁¹", "w₂₁¹", "w₁₂²", "b₂¹", "b₁²"]:
        assert symbol in words
    assert "0.4843" in words and "\u22120.32" in words and "0.6301" in words
    assert drawn == {"gradients.W1", "gradients.b1", "gradients.W2", "gradients.b2"}
    marked = marked_entries(root)
    assert len(marked) == len(set(marked)) == 4 + 2 + 2 + 1
    assert {m for m in marked if m[2] == "fail"} == {
        ("gradients.W1", "1,0", "fail"),
        ("gradients.b1", "0", "fail"),
    }


def test_a_wrong_weight_shows_both_values_and_a_symbol(html_result: Callable[..., Any]) -> None:
    result = html_result()
    root = ET.fromstring(network_svg(result.network, result.checks)[0])
    (wrong,) = [g for g in root.iter(f"{SVG}g") if g.get("data-entry") == "1,0"]
    words = _texts(wrong)
    assert "\u2717 got \u22120.3" in words and "exp 0.3" in words  # entry 3 of W1: 0.3
    title = wrong.find(f"{SVG}title").text
    assert title == "dL/dW1 w_21^1: expected 0.3, submitted \u22120.3"


def test_a_crowded_layer_carries_marks_without_values(
    html_result: Callable[..., Any], entry_check: Callable[..., Any]
) -> None:
    sketch = Sketch(
        inputs=3, layers=[SketchLayer(units=3, activation="tanh")], loss="half-squared-error"
    )
    svg, _ = network_svg(sketch, [entry_check("gradients.W1", (3, 3), {(2, 2)})])
    root = ET.fromstring(svg)
    marks = [g for g in root.iter(f"{SVG}g") if g.get("data-entry")]
    assert len(marks) == 9 and "got" not in _texts(root)


def test_an_ungraded_network_is_drawn_without_marks() -> None:
    sketch = Sketch(inputs=1, layers=[SketchLayer(units=1, activation="tanh")], loss="l")
    svg, drawn = network_svg(sketch, [])
    assert "data-entry" not in svg and drawn == set() and "w₁₁¹" in svg


def test_wide_layers_are_not_drawn_unit_by_unit() -> None:
    wide = Sketch(inputs=MAX_UNITS + 1, layers=[SketchLayer(units=1, activation="l")], loss="l")
    narrow = Sketch(inputs=MAX_UNITS, layers=[SketchLayer(units=1, activation="l")], loss="l")
    assert not drawable(wide) and drawable(narrow)


def _bias_boxes(exercise_id: str) -> tuple[int, str]:
    exercise = load_named(exercise_id)
    drawing = sketch(exercise, worked_case(exercise))
    root = ET.fromstring(network_svg(drawing, [])[0])
    boxes = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bias"]
    return len(boxes), _texts(root)


def test_a_shared_bias_is_one_box_per_layer_and_no_bias_is_none() -> None:
    shared, words = _bias_boxes("mazur-step")  # 2-2-2, b1 and b2 shared by their layer
    assert shared == 2 and "b₁¹" in words and "b₂¹" not in words
    assert _bias_boxes("hmkcode-step")[0] == 0  # no biases at all
    assert _bias_boxes("house-price-backprop")[0] == 3  # one per unit
