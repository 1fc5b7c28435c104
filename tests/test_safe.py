"""Submission text made safe to show (grader/report/safe.py)."""

from __future__ import annotations

import pytest

from grader.report.safe import printable, spreadsheet_cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("\x1b[2Kerased", "\\x1b[2Kerased"),
        ("over\rwrite", "over\\x0dwrite"),
        ("bell\x07", "bell\\x07"),
        ("right\u202eleft", "right\\u202eleft"),
        ("dL/dw_21^1 ≈ 0.5", "dL/dw_21^1 ≈ 0.5"),
    ],
    ids=["plain", "newline-tab", "escape", "carriage-return", "bell", "bidi", "unicode"],
)
def test_printable(text: str, expected: str) -> None:
    assert printable(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("alice", "alice"), ("=cmd()", "'=cmd()"), ("+1", "'+1"), ("-x", "'-x"), ("@a", "'@a")],
    ids=["name", "formula", "plus", "minus", "at"],
)
def test_spreadsheet_cell(text: str, expected: str) -> None:
    assert spreadsheet_cell(text) == expected
