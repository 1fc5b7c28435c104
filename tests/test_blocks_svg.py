"""Tests for grader.report.html.blocks_svg: a large network as blocks and heat maps."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.report.html.blocks_svg import blocks_svg
from grader.report.html.markup import SVG_NS
from grader.result import Check, Sketch, SketchLayer
from grader.score.entries import heat

MNIST = Sketch(
    inputs=784,
    layers=[
        SketchLayer(units=256, activation="sigmoid"),
        SketchLayer(units=10, activation="softmax"),
    ],
    loss="categorical-cross-entropy",
)


def _heat_check(quantity: str, ok: np.ndarray) -> Check:
    return Check(
        name=quantity,
        quantity=quantity,
        score=0,
        max_score=1,
        status="fail",
        message="m",
        cases_passed=0,
        cases=1,
        tolerance="t",
        shape=list(ok.shape),
        heat=heat(ok),
    )


def test_a_784_256_10_network_is_a_small_drawing_with_its_wrong_block_shown(
    entry_check: Callable[..., Any],
) -> None:
    ok = np.ones((256, 784), dtype=bool)
    ok[:16, :49] = False
    checks = [_heat_check("gradients.W1", ok), entry_check("gradients.b2", (10,), {(3,)})]
    svg, drawn = blocks_svg(MNIST, checks)
    assert len(svg) < 60_000
    root = ET.fromstring(svg)
    assert sum(1 for _ in root.iter()) < 800  # not 200,000 edges
    shares = [float(e.get("data-heat")) for e in root.iter() if e.get("data-heat") is not None]
    assert len(shares) == 16 * 16 and shares[0] == 1.0 and sum(shares) == 1.0
    marked = [
        (e.get("data-entry"), e.get("data-status")) for e in root.iter() if e.get("data-entry")
    ]
    assert len(marked) == 10 and ("3", "fail") in marked
    assert drawn == {"gradients.b2"}  # its entries are marked here; W1 only has a map
    words = " ".join(t.text or "" for t in root.iter(f"{{{SVG_NS}}}text"))
    assert "784 inputs" in words and "256 sigmoid" in words and "dL/db2: 1 of 10 wrong" in words


def test_wrong_cells_are_hatched_as_well_as_red() -> None:
    svg, _ = blocks_svg(MNIST, [])
    assert 'id="wrong"' in svg and "<pattern" in svg
