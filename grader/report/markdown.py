"""Markdown that shows text as text: for Gradescope's `md` output and GitHub's job summary.

Messages quote what a submission raised or was named; Markdown would otherwise make a link,
an image, HTML or emphasis of it.
"""

from __future__ import annotations

import html
import re

from grader.report.safe import no_workflow_commands, one_line, printable

_INLINE = re.compile(r"([\\`*_\[\]|~!])")  # emphasis, code, links and images, table cells
_BULLET = re.compile(r"^(\s*)([#+-])", re.MULTILINE)  # a heading or a list item
_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)  # a numbered item


def escaped(text: str) -> str:
    """Text (one or more lines) that renders literally: no HTML, link, emphasis or heading."""
    text = _INLINE.sub(r"\\\1", html.escape(printable(text), quote=False))
    text = _BULLET.sub(r"\1\\\2", text)  # (`>` is &gt; already: no quote)
    return _NUMBERED.sub(r"\1\\\2", text)


def cell(text: str) -> str:
    """A table cell that is only text: one line, no command, nothing Markdown would act on."""
    return escaped(no_workflow_commands(one_line(text)))


def code_block(text: str) -> str:
    """A fenced block that `text` cannot close: the fence is longer than any backtick run."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{printable(text).rstrip()}\n{fence}"
