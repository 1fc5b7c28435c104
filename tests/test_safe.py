"""Submission text made safe to show (grader/report/safe.py)."""

from __future__ import annotations

import pytest

from grader.report.safe import (
    cut,
    cut_list,
    cut_start,
    encodable,
    no_workflow_commands,
    one_line,
    printable,
    spreadsheet_cell,
)


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
        ("next\x85line", "next\\x85line"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("del\x7f", "del\\x7f"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
    ],
    ids=["line-separators", "nel", "c1-csi", "delete", "zero-width"],
)
def test_printable_escapes_separators_and_c1_controls(text: str, expected: str) -> None:
    assert printable(text) == expected


def test_one_line_escapes_newlines_and_tabs_too() -> None:
    assert one_line("a\nb\tc\rd") == "a\\x0ab\\x09c\\x0dd"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("::error file=a.py::x", ": :error file=a.py: :x"),
        ("::::", ": : : :"),
        ("##[error]x", "# #[error]x"),
        ("###[group]", "## #[group]"),
        ("a: b # c [d]", "a: b # c [d]"),
    ],
    ids=["command", "colons-in-a-row", "legacy", "hashes-in-a-row", "harmless"],
)
def test_workflow_commands_are_broken_up_anywhere(text: str, expected: str) -> None:
    assert no_workflow_commands(text) == expected
    assert "::" not in expected and "##[" not in expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\\x0d=1+1"), ("  =1+1", "'  =1+1"), ("a=b", "a=b")],
    ids=["tab", "carriage-return", "leading-blanks", "inside"],
)
def test_spreadsheet_cells_that_lead_with_formula_characters(text: str, expected: str) -> None:
    assert spreadsheet_cell(text) == expected


def test_cuts_are_bounded_marked_and_idempotent() -> None:
    text = "x" * 10_000
    once = cut(text, 100)
    assert len(once) == 100 and once.endswith("[cut: 10000 characters in all]")
    assert cut(once, 100) == once
    tail = cut_start("a" * 5000 + "THE END", 200)
    assert len(tail) == 200 and tail.endswith("THE END") and tail.startswith("[cut: 5007")
    items = cut_list(["y" * 50] * 30, 5, 20)
    assert len(items) == 5 and items[-1] == "[cut: 26 more]" and all(len(i) <= 20 for i in items)
    assert cut_list(items, 5, 20) == items


def test_invalid_unicode_from_a_file_name_becomes_escapes() -> None:
    assert encodable("bad\udcffname") == "bad\\udcffname"
    assert cut("bad\udcff", 100).encode("utf-8") == b"bad\\udcff"
