"""The loss during training, expected and submitted, as an SVG plot (task `train`)."""

from __future__ import annotations

import math
from collections.abc import Callable

from grader.report.html.markup import num, svg, tag, text
from grader.report.html.page import FAIL, PASS
from grader.report.html.placement import graded, status
from grader.result import Check, Entry

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 360, 80, 150, 24, 50
Scale = Callable[[float], float]  # a value to its pixel
MAX_MARKED = 60  # iterations with a mark each; a longer curve is lines only
LIMIT = 1e300  # the axis's reach: a value beyond it is drawn at the edge


def is_curve(check: Check) -> bool:
    """A loss per iteration: the quantity is called losses and has a point per iteration."""
    return (
        check.quantity.split(".")[-1] == "losses"
        and len(check.shape) == 1
        and (len(check.entries) >= 2)
    )


def marks_points(check: Check) -> bool:
    """Whether the curve marks each iteration (then the page marks them nowhere else)."""
    return is_curve(check) and len(check.entries) <= MAX_MARKED


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _scale(values: list[float]) -> tuple[float, float]:
    # Clipped so that the span and its padding stay finite (-1.7e308 to 1.7e308 would not).
    low, high = max(min(values), -LIMIT), min(max(values), LIMIT)
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    pad = (high - low) * 0.06
    return low - pad, high + pad


def curve_svg(check: Check) -> str:
    """Both curves with axes; each iteration's point carries its verdict when there are few."""
    entries = check.entries
    shown = [e.expected for e in entries if _finite(e.expected)]
    shown += [e.got for e in entries if e.got is not None and _finite(e.got)]
    low, high = _scale(shown or [0.0])
    span_x = WIDTH - LEFT - RIGHT

    def x(i: int) -> float:
        return LEFT + span_x * i / max(1, len(entries) - 1)

    def y(v: float) -> float:
        v = max(low, min(high, v))  # beyond the axis: at its edge
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - v) / (high - low)

    def path(values: list[float | None]) -> str:
        steps, pen = [], "M"
        for i, v in enumerate(values):
            if v is None or not _finite(v):
                pen = "M"  # a gap where nothing (or nan) was submitted
                continue
            steps.append(f"{pen}{x(i):.1f},{y(v):.1f}")
            pen = "L"
        return " ".join(steps)

    parts = [_axes(low, high, len(entries), x, y)]
    parts.append(tag("path", d=path([e.expected for e in entries]), class_="expected"))
    parts.append(tag("path", d=path([e.got for e in entries]), class_="submitted"))
    if marks_points(check):
        parts += [_point(check, e, x(i), y) for i, e in enumerate(entries)]
    parts.append(_legend())
    return svg("".join(parts), WIDTH, HEIGHT, "the loss per iteration, expected and submitted")


def _point(check: Check, entry: Entry, px: float, y: Scale) -> str:
    where = entry.got if entry.got is not None and _finite(entry.got) else entry.expected
    title = tag(
        "title", text(f"{entry.label}: expected {num(entry.expected)}, submitted {num(entry.got)}")
    )
    symbol = tag(
        "text",
        PASS if entry.passed else FAIL,
        x=f"{px:.1f}",
        y=f"{y(where) - 6:.1f}",
        class_=f"small tag {status(entry)}",
        text_anchor="middle",
    )
    dot = tag("circle", cx=f"{px:.1f}", cy=f"{y(where):.1f}", r=3, class_=f"tag {status(entry)}")
    return f"<g{graded(check, entry)}>{title}{dot}{symbol}</g>"


def _axes(low: float, high: float, points: int, x: Callable[[int], float], y: Scale) -> str:
    out = [
        tag(
            "line", x1=LEFT, y1=HEIGHT - BOTTOM, x2=WIDTH - RIGHT, y2=HEIGHT - BOTTOM, class_="axis"
        ),
        tag("line", x1=LEFT, y1=TOP, x2=LEFT, y2=HEIGHT - BOTTOM, class_="axis"),
    ]
    for n in range(5):
        v = low + (high - low) * n / 4
        out.append(
            tag(
                "line", x1=LEFT, y1=f"{y(v):.1f}", x2=WIDTH - RIGHT, y2=f"{y(v):.1f}", class_="grid"
            )
        )
        out.append(
            tag(
                "text",
                text(num(v, 3)),
                x=LEFT - 6,
                y=f"{y(v) + 4:.1f}",
                class_="small",
                text_anchor="end",
            )
        )
    last = points - 1
    for i in sorted({0, last // 2, last}):
        out.append(
            tag(
                "text",
                str(i),
                x=f"{x(i):.1f}",
                y=HEIGHT - BOTTOM + 16,
                class_="small",
                text_anchor="middle",
            )
        )
    out.append(
        tag(
            "text",
            "iterations done",
            x=LEFT + (WIDTH - LEFT - RIGHT) // 2,
            y=HEIGHT - 10,
            class_="small",
            text_anchor="middle",
        )
    )
    out.append(tag("text", "L", x=20, y=TOP + 10, class_="label"))
    return "".join(out)


def _legend() -> str:
    lx = WIDTH - RIGHT + 16
    return (
        tag("line", x1=lx, y1=40, x2=lx + 30, y2=40, class_="expected")
        + tag("text", "expected", x=lx + 36, y=44, class_="small")
        + tag("line", x1=lx, y1=62, x2=lx + 30, y2=62, class_="submitted")
        + tag("text", "submitted", x=lx + 36, y=66, class_="small")
    )
