"""Worksheets: one student's variant of an exercise, to work by hand, and its answers file.

sheet = build(student_variant(exercise, "alice"), "alice")
text = render(sheet, "markdown")        # or "html": one self-contained page
"""

from __future__ import annotations

from grader.worksheet import html, markdown
from grader.worksheet.content import Worksheet, build

FORMATS = {"markdown": (markdown.render, ".md"), "html": (html.render, ".html")}

__all__ = ["FORMATS", "Worksheet", "build", "render"]


def render(sheet: Worksheet, form: str) -> str:
    return FORMATS[form][0](sheet)
