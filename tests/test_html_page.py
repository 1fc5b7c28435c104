"""Tests for grader.report.html.page: a valid, self-contained HTML5 document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.report.html.page import FAIL, PASS, document, mark


def test_a_document_is_valid_html5_and_fetches_nothing(parse_page: Callable[[str], Any]) -> None:
    page = document("a <title>", "<p>body</p>")
    root = parse_page(page)
    assert root.find("head/title").text == "a <title>"
    policy = root.find("head/meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert "<link" not in page and "@import" not in page


def test_a_mark_reads_in_black_and_white_by_its_symbol() -> None:
    assert PASS in mark("pass") and "right" in mark("pass")
    assert FAIL in mark("fail") and "wrong" in mark("fail") and 'class="mark fail"' in mark("fail")
