"""Tests for grader.views: an exact value is shown to as many decimals as the document printed."""

from __future__ import annotations

from click.testing import CliRunner

from grader.cli import cli


def test_solve_shows_the_exact_value_to_the_printed_decimals() -> None:
    out = CliRunner().invoke(cli, ["solve", "mazur-step"]).output
    line = next(line for line in out.splitlines() if line.strip().startswith("loss_after"))
    assert "0.291027774   0.291027924 DISCREPANCY" in line
    # Beside a value printed to 3 decimals, the usual 6.
    house = CliRunner().invoke(cli, ["solve", "house-price-backprop"]).output
    assert "0.484255   0.484      exact" in house


def test_validate_shows_the_exact_value_beside_a_discrepancy() -> None:
    result = CliRunner().invoke(cli, ["validate", "mazur-step"])  # exit 1: test_printed.py
    assert "printed 0.291027924, exact 0.291027774 (+150 in the last place" in result.output
