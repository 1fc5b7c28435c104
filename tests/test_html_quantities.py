"""Tests for grader.report.html.quantities: a section per quantity, its entries and working."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from grader.report.html.quantities import MAX_LISTED, quantity_section


def _rows(section: str) -> list[ET.Element]:
    return list(ET.fromstring(section).iter("tr"))[1:]


def test_entries_not_on_the_drawing_are_marked_in_the_table(
    entry_check: Callable[..., Any], marked_entries: Callable[..., Any]
) -> None:
    section = quantity_section(entry_check("forward.z1", (2,), {(1,)}), drawn=False)
    assert marked_entries(ET.fromstring(section)) == [
        ("forward.z1", "0", "pass"),
        ("forward.z1", "1", "fail"),
    ]
    assert len(_rows(section)) == 2


def test_entries_on_the_drawing_are_listed_but_not_marked_twice(
    entry_check: Callable[..., Any],
) -> None:
    section = quantity_section(entry_check("gradients.W1", (2, 2), {(1, 0)}), drawn=True)
    assert "data-entry" not in section and len(_rows(section)) == 4
    many = entry_check("gradients.W1", (9, 9), {(1, 0)})
    assert MAX_LISTED < 81 and len(_rows(quantity_section(many, drawn=True))) == 1


def test_a_wrong_entry_shows_its_working_and_the_diagnosis(entry_check: Callable[..., Any]) -> None:
    check = entry_check(
        "gradients.W1",
        (2, 2),
        {(1, 0)},
        diagnosis="sign-flipped",
        explanation="dL/dh is -(y - h), not (y - h).",
    )
    working = "dL/dw_21^1 = dL/dh_1^2 * dh_1^2/dh_2^1 * dh_2^1/dz_2^1 * dz_2^1/dw_21^1 = ..."
    entries = list(check.entries)
    entries[2] = entries[2].model_copy(update={"product": working})
    section = quantity_section(check.model_copy(update={"entries": entries}), drawn=True)
    assert working in ET.fromstring(section).find(".//span[@class='product']").text
    assert "Likely cause (<code>sign-flipped</code>): dL/dh is -(y - h)" in section


def test_each_case_and_the_score(entry_check: Callable[..., Any]) -> None:
    check = entry_check("gradients.b1", (2,), {(0,)}, by_case=[False, True, True], score=0.67)
    section = quantity_section(check, drawn=False)
    chips = [s.text for s in ET.fromstring(section).find(".//p[@class='cases']")]
    assert chips == ["\u2717 worked", "\u2713 hidden 1", "\u2713 hidden 2"]
    assert "0.67/1 points" in section


def test_a_quantity_that_could_not_be_read_says_why_openly(entry_check: Callable[..., Any]) -> None:
    check = entry_check(
        "gradients.b1",
        (2,),
        {(0,)},
        entries=[],
        message="every case: raised ValueError: shapes (1,2) and (1,) <b>",
    )
    section = quantity_section(check, drawn=False)
    assert (
        "<details" not in section
        and "raised ValueError: shapes (1,2) and (1,) &lt;b&gt;" in section
    )
