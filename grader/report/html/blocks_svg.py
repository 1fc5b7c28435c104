"""A network too large to draw unit by unit (network_svg.MAX_UNITS): each layer a block, each
weight matrix and bias a grid of its entries (one cell per entry, marked right or wrong) or,
past grader.result.MAX_ENTRIES entries, a heat map of the share of wrong entries per block."""

from __future__ import annotations

from grader.report.html.markup import svg, tag, text
from grader.report.html.placement import Place, claims, graded, status
from grader.result import Check, Sketch

WIDTH, TOP, SIDE = 1180, 50, 220  # SIDE: the largest grid's side in pixels


def _grid(x: float, y: float, rows: int, cols: int, check: Check | None) -> tuple[str, float]:
    """A matrix's cells at (x, y), and its height: entries, heat, or a plain block."""
    cell = SIDE / max(rows, cols, 1)
    if check is not None and check.heat:
        rows, cols = len(check.heat), len(check.heat[0])
        cell = SIDE / max(rows, cols)
    w, h = cell * cols, cell * rows
    if check is None:
        return tag(
            "rect", x=round(x), y=round(y), width=round(w), height=round(h), class_="block"
        ), h
    cells = []
    for entry in check.entries:
        r, c = entry.index[:2] if len(entry.index) > 1 else (0, entry.index[0])
        box = tag(
            "rect",
            x=f"{x + c * cell:.1f}",
            y=f"{y + r * cell:.1f}",
            width=f"{cell:.1f}",
            height=f"{cell:.1f}",
            class_=f"cell {status(entry)}",
        )
        cells.append(f"<g{graded(check, entry)}>{box}</g>")
    for r, row in enumerate(check.heat):
        for c, share in enumerate(row):
            cells.append(
                tag(
                    "rect",
                    x=f"{x + c * cell:.1f}",
                    y=f"{y + r * cell:.1f}",
                    width=f"{cell:.1f}",
                    height=f"{cell:.1f}",
                    class_="cell",
                    fill="#c62828" if share else "#b7e1c1",
                    fill_opacity=f"{0.25 + 0.75 * share:.2f}" if share else None,
                    data_quantity=check.quantity,
                    data_heat=f"{share:g}",
                )
            )
    frame = tag(
        "rect",
        x=round(x),
        y=round(y),
        width=round(w),
        height=round(h),
        fill="none",
        stroke="#1f2328",
    )
    return "".join(cells) + frame, h


def _defs() -> str:
    """Wrong cells are hatched as well as red: the map reads in black and white too."""
    stripe = tag("line", x1=0, y1=0, x2=0, y2=6, stroke="#ffffff", stroke_width=2)
    fill = tag("rect", width=6, height=6, fill="#c62828")
    pattern = tag(
        "pattern",
        fill + stripe,
        id="wrong",
        width=6,
        height=6,
        patternUnits="userSpaceOnUse",
        patternTransform="rotate(45)",
    )
    return tag("defs", pattern)


def _caption(x: float, y: float, words: str, kind: str = "small") -> str:
    return tag("text", text(words), x=round(x), y=round(y), class_=kind)


def _describe(check: Check | None, name: str) -> str:
    if check is None:
        return f"{name} (not graded here)"
    wrong = sum(not e.passed for e in check.entries)
    if check.heat:
        return f"{check.name}: share wrong per block"
    return f"{check.name}: {wrong} of {len(check.entries)} wrong"


def blocks_svg(sketch: Sketch, checks: list[Check]) -> tuple[str, set[str]]:
    """The block drawing, and the quantities whose entries it marks one by one."""
    placed: dict[Place, Check] = claims(checks, sketch)
    widths = [sketch.inputs, *(la.units for la in sketch.layers)]
    step = (WIDTH - 140) / len(sketch.layers)
    parts, bottom = [], 0.0
    for col, units in enumerate(widths):
        x = 40 + step * col
        kind = "inputs" if col == 0 else sketch.layers[col - 1].activation
        parts.append(tag("rect", x=round(x), y=TOP, width=60, height=SIDE + 60, class_="block"))
        parts.append(_caption(x, TOP - 24, "input" if col == 0 else f"layer {col}", "label"))
        parts.append(_caption(x, TOP - 8, f"{units} {kind}"))
        if col == 0:
            continue
        left = 40 + step * (col - 1) + 90
        weights = placed.get(("W", col))
        grid, h = _grid(left, TOP, units, widths[col - 1], weights)
        parts += [grid, _caption(left, TOP + h + 16, _describe(weights, f"W{col}"))]
        h2, kind_of_bias = 0.0, sketch.layers[col - 1].bias
        if kind_of_bias != "none":  # a shared bias is a single cell
            bias = placed.get(("b", col))
            cells = units if kind_of_bias == "per-unit" else 1
            strip, h2 = _grid(left, TOP + h + 30, 1, cells, bias)
            parts += [strip, _caption(left, TOP + h + h2 + 46, _describe(bias, f"b{col}"))]
        bottom = max(bottom, TOP + h + h2 + 60, TOP + SIDE + 80)
    picture = svg(
        _defs() + "".join(parts),
        WIDTH,
        round(bottom),
        "the network as blocks, wrong entries marked",
    )
    return picture, {c.quantity for c in placed.values() if c.entries}
