"""Markup that cannot be turned against its reader: every text and attribute is escaped here.

Everything a submission controls (its name, what it printed, raised or returned) ends up in a
page a teacher opens in a browser: text goes through `text`, attributes through `tag`/`attrs`,
so a `<script>` of theirs is shown, never run. The markup is also well-formed XML (every
element closed, every attribute quoted), which keeps the inline SVG valid in either reading.
"""

from __future__ import annotations

import html
import math

from grader.report.safe import printable

Attr = str | int | float | None


def text(value: object) -> str:
    """`value` as element content: controls shown as escapes, `<&>"'` as entities."""
    return html.escape(printable(str(value)), quote=True)


def attrs(**values: Attr) -> str:
    """` name="value"` for each value not None; `data_quantity` is written `data-quantity`."""
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{text(value)}"'
        for name, value in values.items()
        if value is not None
    )


def tag(name: str, body: str = "", **values: Attr) -> str:
    """`<name ...>body</name>`: `body` is markup already (build it with `text` and `tag`)."""
    return f"<{name}{attrs(**values)}>{body}</{name}>"


SVG_NS = "http://www.w3.org/2000/svg"


def svg(body: str, width: float, height: float, label: str) -> str:
    """An inline SVG picture of `width` x `height` user units, described for screen readers."""
    w, h = round(width), round(height)
    return tag(
        "svg",
        body,
        xmlns=SVG_NS,
        viewBox=f"0 0 {w} {h}",
        width=w,
        height=h,
        role="img",
        aria_label=label,
    )


def num(value: float | None, figures: int = 5) -> str:
    """A number to `figures` significant figures, "nothing" for None, and nan/inf as words."""
    if value is None:
        return "nothing"
    if not math.isfinite(value):
        return str(value)
    shown = f"{value:.{figures}g}"
    return "0" if shown == "-0" else shown.replace("-", "\u2212")


def points(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"
