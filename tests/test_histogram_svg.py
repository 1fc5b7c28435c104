"""Tests for grader.report.html.histogram_svg: the class's scores in ten bins."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.report.html.histogram_svg import bins, histogram_svg


def test_scores_fall_in_tenths_with_full_marks_in_the_last() -> None:
    assert bins([0, 0.5, 4.5, 8.99, 9, 9], 9) == [2, 0, 0, 0, 0, 1, 0, 0, 0, 3]
    assert bins([0, 0], 0) == [2] + [0] * 9  # an exercise worth nothing: no division by zero


def test_each_bar_carries_its_count() -> None:
    root = ET.fromstring(histogram_svg([1, 9, 9], 9))
    counts = [int(g.get("data-count")) for g in root.iter() if g.get("data-count") is not None]
    assert counts == [0, 1, 0, 0, 0, 0, 0, 0, 0, 2]
