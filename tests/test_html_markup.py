"""Tests for grader.report.html.markup: text and attributes that cannot become markup."""

from __future__ import annotations

import math

import pytest

from grader.report.html.markup import attrs, num, points, tag, text

ATTACK = "</pre><script>alert('x')</script><img src=x onerror=\"alert(1)\">&amp;\x1b[2J\u202e"


def test_text_shows_markup_as_text_and_controls_as_escapes() -> None:
    shown = text(ATTACK)
    assert "<" not in shown and ">" not in shown and '"' not in shown and "'" not in shown
    assert "&lt;script&gt;" in shown and "&amp;amp;" in shown
    assert "\x1b" not in shown and "\\x1b[2J" in shown and "\\u202e" in shown


def test_an_attribute_value_cannot_close_its_quotes() -> None:
    written = attrs(data_quantity='a" onclick="alert(1)', class_="x")
    assert written == ' data-quantity="a&quot; onclick=&quot;alert(1)" class="x"'
    assert attrs(title=None) == ""


def test_tag_wraps_markup_and_escapes_only_attributes() -> None:
    assert tag("td", "<b>1</b>", class_="n") == '<td class="n"><b>1</b></td>'


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "nothing"),
        (-0.018290015, "\u22120.01829"),
        (-0.0, "0"),
        (math.nan, "nan"),
        (math.inf, "inf"),
        (1234567.0, "1.2346e+06"),
    ],
    ids=["none", "negative", "negative-zero", "nan", "inf", "large"],
)
def test_numbers_to_five_figures_with_a_real_minus_sign(value: float | None, shown: str) -> None:
    assert num(value) == shown


def test_points_are_whole_where_they_can_be() -> None:
    assert (points(4.0), points(1.8)) == ("4", "1.80")
