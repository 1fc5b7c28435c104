"""Tests for grader.report.html.symbols: the lecture's symbols with real sub- and superscripts."""

from __future__ import annotations

import pytest

from grader.report.html.symbols import pretty


@pytest.mark.parametrize(
    ("symbol", "written"),
    [
        ("w_21^1", "w₂₁¹"),
        ("dL/dw_21^1", "∂L/∂w₂₁¹"),
        ("h_1^2", "h₁²"),
        ("x_2", "x₂"),
        ("w_{10,2}^1", "w₁₀,₂¹"),
        ("b_1^1 (updated)", "b₁¹ (updated)"),
        ("L (iteration 3)", "L (iteration 3)"),
        ("losses[3]", "losses[3]"),
    ],
    ids=["weight", "gradient", "unit", "input", "two-digit", "suffix", "loss", "plugin"],
)
def test_pretty(symbol: str, written: str) -> None:
    assert pretty(symbol) == written
