"""The score distribution of a class as an SVG bar chart: ten bins from 0 to full marks."""

from __future__ import annotations

from grader.report.html.markup import points, svg, tag, text

BINS = 10
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 560, 210, 30, 44, 20


def bins(scores: list[float], full: float) -> list[int]:
    """How many scores fall in each tenth of `full`; full marks go in the last bin."""
    counts = [0] * BINS
    for score in scores:
        share = score / full if full > 0 else 0.0
        counts[min(BINS - 1, max(0, int(share * BINS)))] += 1
    return counts


def histogram_svg(scores: list[float], full: float) -> str:
    counts = bins(scores, full)
    tallest = max(counts, default=0) or 1
    step = (WIDTH - LEFT - 10) / BINS
    span = HEIGHT - TOP - BOTTOM
    parts = [
        tag("line", x1=LEFT, y1=HEIGHT - BOTTOM, x2=WIDTH - 10, y2=HEIGHT - BOTTOM, class_="axis")
    ]
    for n, count in enumerate(counts):
        h = span * count / tallest
        x = LEFT + n * step
        low, high = full * n / BINS, full * (n + 1) / BINS
        title = tag(
            "title",
            text(
                f"{count} with a score from {points(low)} to "
                f"{'' if n < BINS - 1 else 'and including '}{points(high)}"
            ),
        )
        bar = tag(
            "rect",
            x=f"{x + 3:.1f}",
            y=f"{HEIGHT - BOTTOM - h:.1f}",
            width=f"{step - 6:.1f}",
            height=f"{h:.1f}",
            fill="#57606a",
        )
        label = (
            tag(
                "text",
                str(count),
                x=f"{x + step / 2:.1f}",
                y=f"{HEIGHT - BOTTOM - h - 4:.1f}",
                class_="small",
                text_anchor="middle",
            )
            if count
            else ""
        )
        tick = tag(
            "text",
            text(points(low)),
            x=f"{x:.1f}",
            y=HEIGHT - BOTTOM + 16,
            class_="small",
            text_anchor="middle",
        )
        parts.append(tag("g", title + bar + label + tick, data_bin=n, data_count=count))
    parts.append(
        tag(
            "text",
            text(points(full)),
            x=WIDTH - 10,
            y=HEIGHT - BOTTOM + 16,
            class_="small",
            text_anchor="end",
        )
    )
    parts.append(
        tag(
            "text",
            "score",
            x=LEFT + (WIDTH - LEFT) // 2,
            y=HEIGHT - 6,
            class_="small",
            text_anchor="middle",
        )
    )
    return svg("".join(parts), WIDTH, HEIGHT, "the score distribution")
