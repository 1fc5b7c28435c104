"""The network drawn as the lecture draws it: x_j on the left, a circle per unit with its
forward value, an arrow per weight labelled w_kj^l, a bias b_k^l on each unit; each graded
weight, bias or unit is marked right or wrong with its expected and submitted values.

Past MAX_UNITS units in a layer the drawing is blocks instead (blocks_svg.py)."""

from __future__ import annotations

from grader import notation
from grader.report.html.markup import num, svg, tag, text
from grader.report.html.page import MARKS
from grader.report.html.placement import Place, claims, graded, status
from grader.report.html.symbols import pretty
from grader.result import Check, Entry, Sketch

MAX_UNITS = 8  # per layer, the input included: more is drawn as blocks
MAX_LABELLED = 4  # edges of one layer with their values written on them; more: a mark only
WIDTH, RADIUS, GAP, TOP = 1180, 34, 150, 70


def drawable(sketch: Sketch) -> bool:
    return max(sketch.inputs, *(la.units for la in sketch.layers)) <= MAX_UNITS


def _centres(sketch: Sketch) -> list[list[tuple[float, float]]]:
    widths = [sketch.inputs, *(la.units for la in sketch.layers)]
    step = (WIDTH - 300) / len(sketch.layers)
    tallest = max(widths)
    return [
        [(130 + step * col, TOP + 40 + GAP * ((tallest - m) / 2 + row)) for row in range(m)]
        for col, m in enumerate(widths)
    ]


def _values(check: Check, entry: Entry) -> str:
    got = num(entry.got)
    return f"{check.name} {entry.label}: expected {num(entry.expected)}, submitted {got}"


def _tag_lines(check: Check | None, entry: Entry | None) -> list[tuple[str, str]]:
    """(class, line) under a symbol: the verdict and both values of a graded entry."""
    if check is None or entry is None:
        return []
    mark = MARKS[status(entry)]
    if entry.passed:
        return [(f"tag {status(entry)}", f"{mark} {num(entry.got, 4)}")]
    return [("tag fail", f"{mark} got {num(entry.got, 4)}"), ("", f"exp {num(entry.expected, 4)}")]


def _label(x: float, y: float, symbol: str, lines: list[tuple[str, str]]) -> str:
    """A symbol and its lines on a white card, centred at (x, y)."""
    height = 18 + 14 * len(lines)
    width = 88 if lines else 50
    card = tag(
        "rect",
        x=round(x - width / 2),
        y=round(y - 14),
        width=width,
        height=height,
        rx=4,
        fill="#ffffff",
        fill_opacity="0.92",
    )
    words = tag(
        "text", text(pretty(symbol)), x=round(x), y=round(y), class_="label", text_anchor="middle"
    )
    for n, (kind, line) in enumerate(lines, start=1):
        words += tag(
            "text",
            text(line),
            x=round(x),
            y=round(y + 14 * n),
            class_=f"small {kind}",
            text_anchor="middle",
        )
    return card + words


def _element(shape: str, check: Check | None, entry: Entry | None, kind: str) -> str:
    """A group around `shape`: graded (attributes, class, tooltip) or plain."""
    if check is None or entry is None:
        return tag("g", shape)
    title = tag("title", text(_values(check, entry)))
    return f'<g class="graded {status(entry)}"{graded(check, entry)}>{title}{shape}</g>'


def _index(check: Check | None) -> dict[tuple[int, ...], Entry]:
    return {tuple(e.index): e for e in check.entries} if check else {}


def _edges(sketch: Sketch, at: list[list[tuple[float, float]]], placed: dict[Place, Check]) -> str:
    """Every weight's arrow first, then the labels on top: no arrow crosses a label.

    The label (or, on a crowded layer, the mark alone) is the graded element."""
    lines, labels = [], []
    for layer in range(1, len(at)):
        check = placed.get(("W", layer))
        entries = _index(check)
        targets, sources = at[layer], at[layer - 1]
        count = len(targets) * len(sources)
        for k, (x1, y1) in enumerate(targets):
            for j, (x0, y0) in enumerate(sources):
                entry = entries.get((k, j))
                kind = f"edge {status(entry) if entry else ''}".strip()
                lines.append(
                    tag(
                        "line",
                        x1=round(x0 + RADIUS),
                        y1=round(y0),
                        x2=round(x1 - RADIUS),
                        y2=round(y1),
                        class_=kind,
                        marker_end="url(#arrow)",
                    )
                )
                # Labels near the source, each target's a step further along: the labels of
                # one source never meet, and those of two sources are a row apart.
                t = 0.15 + (0.3 * k / (len(targets) - 1) if len(targets) > 1 else 0.0)
                lx, ly = x0 + RADIUS + (x1 - x0 - 2 * RADIUS) * t, y0 + (y1 - y0) * t
                symbol = notation.symbol(f"W{layer}", (k, j))
                if count <= MAX_LABELLED:
                    label = _label(lx, ly, symbol, _tag_lines(check, entry))
                elif entry is not None:
                    label = tag("circle", cx=round(lx), cy=round(ly - 4), r=8, fill="#ffffff")
                    label += tag(
                        "text",
                        MARKS[status(entry)],
                        x=round(lx),
                        y=round(ly),
                        class_=f"tag {status(entry)}",
                        text_anchor="middle",
                    )
                else:
                    continue
                labels.append(_element(label, check, entry, "weight"))
    return "".join(lines + labels)


def _units(sketch: Sketch, at: list[list[tuple[float, float]]], placed: dict[Place, Check]) -> str:
    out = []
    for j, (x, y) in enumerate(at[0]):
        value = num(sketch.x[j], 4) if sketch.x else ""
        out.append(_circle(x, y, f"x_{j + 1}", value, None, None, "input"))
    for layer in range(1, len(at)):
        units, biases = _index(placed.get(("h", layer))), _index(placed.get(("b", layer)))
        bias = sketch.layers[layer - 1].bias
        for k, (x, y) in enumerate(at[layer]):
            value = num(sketch.h[layer - 1][k], 4) if sketch.h else ""
            symbol = notation.symbol(f"h{layer}", (k,))
            check = placed.get(("h", layer))
            out.append(_circle(x, y, symbol, value, check, units.get((k,)), "unit"))
            if bias == "per-unit":
                out.append(_bias(x, y, layer, k, placed.get(("b", layer)), biases.get((k,))))
        if bias == "shared":  # one box above the first unit, an arrow to every unit
            (x, y), rest = at[layer][0], at[layer][1:]
            box = _bias(x, y, layer, 0, placed.get(("b", layer)), biases.get((0,)), rest)
            out.append(box)
    return "".join(out)


def _circle(
    x: float, y: float, symbol: str, value: str, check: Check | None, entry: Entry | None, kind: str
) -> str:
    shape = tag(
        "circle",
        cx=round(x),
        cy=round(y),
        r=RADIUS,
        class_=f"unit {status(entry) if entry else ''}".strip(),
    )
    shape += tag(
        "text",
        text(pretty(symbol)),
        x=round(x),
        y=round(y - 3),
        class_="label",
        text_anchor="middle",
    )
    shape += tag(
        "text", text(value), x=round(x), y=round(y + 14), class_="small", text_anchor="middle"
    )
    lines = _tag_lines(check, entry)
    for n, (cls, line) in enumerate(lines):
        shape += tag(
            "text",
            text(line),
            x=round(x),
            y=round(y + RADIUS + 16 + 14 * n),
            class_=f"small {cls}",
            text_anchor="middle",
        )
    return _element(shape, check, entry, kind)


def _bias(
    x: float,
    y: float,
    layer: int,
    k: int,
    check: Check | None,
    entry: Entry | None,
    also: list[tuple[float, float]] | None = None,
) -> str:
    """b_k^l in a box above its unit at (x, y); a shared bias also feeds the units `also`."""
    bx, by = x - 20, y - RADIUS - 38
    shape = tag(
        "line",
        x1=round(bx + 20),
        y1=round(by + 20),
        x2=round(x),
        y2=round(y - RADIUS),
        class_="edge",
    )
    # The arrows to the other units leave the box's right end and meet them at the upper
    # right, clear of the units in between.
    shape += "".join(
        tag(
            "line",
            x1=round(bx + 64),
            y1=round(by + 8),
            x2=round(ux + 0.7 * RADIUS),
            y2=round(uy - 0.7 * RADIUS),
            class_="edge",
        )
        for ux, uy in also or []
    )
    shape += tag(
        "rect", x=round(bx - 24), y=round(by - 4), width=88, height=24, rx=4, class_="bias"
    )
    mark = f"{MARKS[status(entry)]} " if entry else ""
    shape += tag(
        "text",
        text(mark + pretty(notation.symbol(f"b{layer}", (k,)))),
        x=round(bx + 20),
        y=round(by + 13),
        class_="label",
        text_anchor="middle",
    )
    return _element(shape, check, entry, "bias")


def _defs() -> str:
    path = tag("path", d="M0,0 L10,5 L0,10 z", fill="#57606a")
    # In the drawing's own units: the head keeps its size on a thick (graded) arrow.
    marker = tag(
        "marker",
        path,
        id="arrow",
        markerWidth=10,
        markerHeight=10,
        refX=10,
        refY=5,
        orient="auto",
        markerUnits="userSpaceOnUse",
    )
    return tag("defs", marker)


def network_svg(sketch: Sketch, checks: list[Check]) -> tuple[str, set[str]]:
    """The drawing, and the quantities whose entries it marks (not to be marked again)."""
    at = _centres(sketch)
    placed = claims(checks, sketch)
    height = max(y for column in at for _, y in column) + RADIUS + 70
    names = [f"input ({sketch.inputs})"] + [
        f"layer {n}: {la.units} {la.activation}" for n, la in enumerate(sketch.layers, start=1)
    ]
    heads = "".join(
        tag("text", text(name), x=round(column[0][0]), y=24, text_anchor="middle")
        for name, column in zip(names, at, strict=True)
    )
    body = _defs() + heads + _edges(sketch, at, placed) + _units(sketch, at, placed)
    picture = svg(body, WIDTH, round(height), "the network, each graded entry marked")
    return picture, {c.quantity for c in placed.values() if c.entries}
