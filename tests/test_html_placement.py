"""Tests for grader.report.html.placement: which quantity the drawing shows where."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.report.html.placement import claims, graded, shapes


def test_each_layer_has_its_weights_biases_and_units(html_result: Callable[..., Any]) -> None:
    sketch = html_result().network
    assert shapes(sketch) == {
        ("W", 1): (2, 2),
        ("b", 1): (2,),
        ("h", 1): (2,),
        ("W", 2): (1, 2),
        ("b", 2): (1,),
        ("h", 2): (1,),
    }


def test_parameters_and_units_of_the_right_shape_are_claimed_first_come(
    html_result: Callable[..., Any], entry_check: Callable[..., Any]
) -> None:
    checks = [
        entry_check("updated.W1", (2, 2)),
        entry_check("gradients.W1", (2, 2)),  # the place is taken
        entry_check("forward.h1", (3, 2)),  # a batch of 3: not one unit each
        entry_check("forward.z1", (2,)),  # no z on the drawing
        entry_check("plugin.b2", (1,)),  # any section, by the array's name
        entry_check("losses", (11,)),
    ]
    placed = claims(checks, html_result().network)
    assert {place: c.quantity for place, c in placed.items()} == {
        ("W", 1): "updated.W1",
        ("b", 2): "plugin.b2",
    }


def test_a_graded_entry_is_marked_for_scripts(entry_check: Callable[..., Any]) -> None:
    check = entry_check("gradients.W1", (2, 2), {(1, 0)})
    assert graded(check, check.entries[2]) == (
        ' data-quantity="gradients.W1" data-entry="1,0" data-status="fail"'
    )
