"""Tests for grader.report.markdown: a submission's text shown as text in Markdown."""

from __future__ import annotations

import pytest

from grader.report.markdown import cell, code_block, escaped


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("alice/ is empty", "alice/ is empty"),
        ("nothere.py: no such file", "nothere.py: no such file"),
        ("**9/9** _yes_", "\\*\\*9/9\\*\\* \\_yes\\_"),
        ("[x](http://e.vil) ![i](y)", "\\[x\\](http://e.vil) \\!\\[i\\](y)"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("# PASS\n- item\n12. item\n  + item", "\\# PASS\n\\- item\n12\\. item\n  \\+ item"),
        ("a | b `code`", "a \\| b \\`code\\`"),
    ],
    ids=["plain", "file-name", "emphasis", "link-image", "html", "line-starts", "cell-code"],
)
def test_escaped_text_renders_as_written(text: str, shown: str) -> None:
    assert escaped(text) == shown


def test_a_cell_is_one_inert_line() -> None:
    assert cell("a\nb|c ::error::x") == "a\\\\x0ab\\|c : :error: :x"


@pytest.mark.parametrize("ticks", [0, 3, 5], ids=["none", "three", "five"])
def test_a_code_block_cannot_be_closed_from_inside(ticks: int) -> None:
    text = f"before {'`' * ticks}\nafter"
    block = code_block(text)
    fence = "`" * max(3, ticks + 1)
    assert block == f"{fence}text\n{text}\n{fence}"


def test_a_code_block_shows_control_characters_inert() -> None:
    assert code_block("a\x1b[2Jb\r") == "```text\na\\x1b[2Jb\\x0d\n```"
