"""One submission's page: the score, the network with every graded entry marked, the loss
curve of a training task, a section per quantity, and what the submission printed."""

from __future__ import annotations

from grader.report.html.blocks_svg import blocks_svg
from grader.report.html.curve_svg import curve_svg, is_curve, marks_points
from grader.report.html.markup import points, tag, text
from grader.report.html.network_svg import MAX_UNITS, drawable, network_svg
from grader.report.html.page import document, mark
from grader.report.html.quantities import quantity_section
from grader.report.text import printed_lines
from grader.result import MAX_ENTRIES, CheckResult, Sketch


def _header(result: CheckResult, back: str | None) -> str:
    status = "pass" if result.full_marks else ("fail" if result.score <= 0 else "partial")
    who = f"{text(result.student)}: " if result.student else ""
    hidden = f" and {result.hidden_cases} hidden cases (seed {result.seed})"
    parts = [
        tag("p", tag("a", "&#8592; the class", href=back)) if back else "",
        tag("h1", f"{text(result.exercise)}: {text(result.title)}"),
        tag(
            "p",
            f"{who}submission {tag('code', text(result.submission))}, graded on the "
            f"worked case{text(hidden if result.hidden_cases else '')}",
            class_="muted",
        ),
        tag(
            "p",
            f"{mark(status)} score {text(points(result.score))} / {text(points(result.max_score))}",
            class_="score",
        ),
    ]
    parts += [tag("p", f"problem: {text(p)}", class_="fail") for p in result.problems]
    parts += [tag("p", f"note: {text(n)}", class_="note") for n in result.notes]
    return "".join(parts)


def _drawing_note(sketch: Sketch, blocks: bool) -> str:
    if blocks:
        return (
            f"A layer has more than {MAX_UNITS} units: layers are drawn as blocks, and each "
            "weight matrix and bias as a grid of its entries (wrong: red and hatched), or past "
            f"{MAX_ENTRIES} entries as a heat map of the share of wrong entries per block."
        )
    values = "Units show the worked case's exact forward values"
    if sketch.observation:
        values += f" ({sketch.observation})"
    return (
        f"{values}. Graded weights, biases and units are marked \u2713 right (green) or "
        "\u2717 wrong (red, dashed) with the submitted (got) and expected (exp) values; "
        "hover for the full numbers."
    )


def _network(result: CheckResult) -> tuple[str, set[str]]:
    sketch = result.network
    if sketch is None:
        return "", set()
    blocks = not drawable(sketch)
    svg, drawn = (blocks_svg if blocks else network_svg)(sketch, result.checks)
    caption = tag("figcaption", text(_drawing_note(sketch, blocks)), class_="note")
    head = tag("h2", f"The network: {text(sketch.inputs)} inputs, loss {text(sketch.loss)}")
    return head + tag("figure", svg + caption), drawn


def _curves(result: CheckResult) -> str:
    figures = [
        tag("h2", f"{text(c.name)}: the loss while training")
        + tag(
            "figure",
            curve_svg(c)
            + tag(
                "figcaption",
                "Expected (solid) and submitted "
                "(dashed) loss after each iteration, "
                "on the worked case.",
                class_="note",
            ),
        )
        for c in result.checks
        if is_curve(c)
    ]
    return "".join(figures)


def _printed(result: CheckResult) -> str:
    out = []
    for label, stream in (("stdout", result.stdout), ("stderr", result.stderr)):
        lines = printed_lines(label, stream)
        if lines:
            out.append(tag("h3", text(lines[0])) + tag("pre", text("\n".join(lines[1:]))))
    return tag("h2", "What the submission printed") + "".join(out) if out else ""


def student_body(result: CheckResult, back: str | None = None) -> str:
    network, drawn = _network(result)
    drawn |= {c.quantity for c in result.checks if marks_points(c)}
    sections = "".join(quantity_section(c, c.quantity in drawn) for c in result.checks)
    quantities = tag("h2", "Each quantity") + sections if sections else ""
    footer = tag("p", f"backprop-grader {text(result.grader_version)}", class_="note")
    return (
        _header(result, back) + network + _curves(result) + quantities + _printed(result) + footer
    )


def student_page(result: CheckResult, back: str | None = None) -> str:
    """The whole page of one result; `back`: a link to the class dashboard."""
    who = f"{result.student}: " if result.student else ""
    return document(f"{who}{result.exercise}", student_body(result, back))
