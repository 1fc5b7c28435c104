"""Tests for grader.report.html.reporter: the `html` format, for check and for grade."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader import plugins
from grader.cli import main
from grader.report.html.reporter import PAGES, HtmlReporter, page_name
from grader.report.lifecycle import drive, options

ANSWERS = """
[gradients]
W1 = [[-0.028, -0.058], [0.018, -0.038]]
b1 = [0.088, 0.057]
W2 = [[0.5663, 0.4961]]
b2 = [1.17]
"""


def test_registered_like_every_format() -> None:
    assert plugins.get("reporters", "html") is HtmlReporter
    assert options(HtmlReporter, "html").filename == "report.html"


def test_check_writes_one_page(html_result: Callable[..., Any]) -> None:
    stream = io.StringIO()
    drive(HtmlReporter, stream, [html_result()], batch=False)
    assert (
        stream.getvalue().startswith("<!DOCTYPE html>") and "Class report" not in stream.getvalue()
    )


def test_grade_writes_the_dashboard_and_a_page_per_student_beside_it(
    html_result: Callable[..., Any], tmp_path: Path
) -> None:
    results = [html_result(student="alice"), html_result(student="../../etc/passwd")]
    with (tmp_path / "report.html").open("w", encoding="utf-8") as stream:
        drive(HtmlReporter, stream, results, batch=True)
    pages = sorted(p.name for p in (tmp_path / PAGES).iterdir())
    assert len(pages) == 2 and all(p.endswith(".html") and "/" not in p for p in pages)
    dashboard = (tmp_path / "report.html").read_text(encoding="utf-8")
    for page in pages:
        assert f'href="{PAGES}/{page}"' in dashboard
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([PAGES, "report.html"])


def test_a_dashboard_on_standard_output_links_nothing(html_result: Callable[..., Any]) -> None:
    stream = io.StringIO()
    drive(HtmlReporter, stream, [html_result()], batch=True)
    assert "Class report" in stream.getvalue() and "<a " not in stream.getvalue()


def test_page_names_are_safe_and_distinct(html_result: Callable[..., Any]) -> None:
    names = {page_name(html_result(student=s)) for s in ["a b", "a_b", "a/b", "..", "", "é"]}
    assert len(names) == 6
    assert all(n.endswith(".html") and not n.startswith(".") and "/" not in n for n in names)


def test_the_command_line_writes_the_page(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    marked_entries: Callable[..., Any],
    parse_page: Callable[[str], Any],
) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text(ANSWERS)  # hand-computed answers: graded without running anything
    with pytest.raises(SystemExit) as done:
        main(["check", str(answers), "-e", "house-price-backprop", "--format", "html"])
    assert done.value.code == 1  # graded, not full marks: dL/dw_21^1 has the wrong sign
    marked = marked_entries(parse_page(capsys.readouterr().out))
    assert ("gradients.W1", "1,0", "fail") in marked and len(marked) == 9
