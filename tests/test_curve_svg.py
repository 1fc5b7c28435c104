"""Tests for grader.report.html.curve_svg: the loss while training, expected and submitted."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from grader.report.html.curve_svg import MAX_MARKED, curve_svg, is_curve
from grader.report.html.markup import SVG_NS


def test_only_a_loss_per_iteration_is_a_curve(entry_check: Callable[..., Any]) -> None:
    assert is_curve(entry_check("losses.losses", (11,)))
    assert is_curve(entry_check("losses", (3,)))
    assert not is_curve(entry_check("loss", (1,)))
    assert not is_curve(entry_check("gradients.b1", (2,)))


def test_both_curves_with_each_iteration_marked(entry_check: Callable[..., Any]) -> None:
    check = entry_check("losses.losses", (11,), {(4,), (5,)})
    root = ET.fromstring(curve_svg(check))
    paths = {p.get("class"): p.get("d") for p in root.iter(f"{{{SVG_NS}}}path")}
    assert paths["expected"].count("L") == 10 and paths["submitted"].count("L") == 10
    marked = [
        (e.get("data-entry"), e.get("data-status")) for e in root.iter() if e.get("data-entry")
    ]
    assert len(marked) == 11 and [m for m in marked if m[1] == "fail"] == [
        ("4", "fail"),
        ("5", "fail"),
    ]


def test_nothing_submitted_leaves_a_gap(entry_check: Callable[..., Any]) -> None:
    check = entry_check("losses.losses", (4,))
    entries = [
        e.model_copy(update={"got": None if n == 1 else e.got}) for n, e in enumerate(check.entries)
    ]
    entries[2] = entries[2].model_copy(update={"got": math.nan})
    root = ET.fromstring(curve_svg(check.model_copy(update={"entries": entries})))
    submitted = next(p for p in root.iter(f"{{{SVG_NS}}}path") if p.get("class") == "submitted")
    assert submitted.get("d").startswith("M") and submitted.get("d").count("M") == 2


def test_a_long_curve_is_lines_only(entry_check: Callable[..., Any]) -> None:
    check = entry_check("losses.losses", (MAX_MARKED + 1,))
    assert "data-entry" not in curve_svg(check)


def test_values_near_the_largest_float_still_draw(entry_check: Callable[..., Any]) -> None:
    # Their span (or its padding) overflowed to inf: every coordinate, the expected curve's
    # too, became "nan" and the plot was empty.
    check = entry_check("losses.losses", (4,))
    got = [-1.7e308, 1.7e308, 0.0, 1.7e308]
    entries = [e.model_copy(update={"got": g}) for e, g in zip(check.entries, got, strict=True)]
    page = curve_svg(check.model_copy(update={"entries": entries}))
    assert "nan" not in page and "inf" not in page
