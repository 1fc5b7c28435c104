"""Which graded quantity the picture of the network shows where.

A quantity named W<l>, b<l> or h<l> (in any section: gradients, updated, trained, forward) of
the shape that layer has is drawn on that layer's weights, biases or units; the first such
check claims the place. Every other quantity (z<l>, losses, a batch's forward values, a
third-party task's own) is shown as a table of its entries instead. Each graded entry is
marked exactly once on a page, carrying `data-quantity`, `data-entry` and `data-status`.
"""

from __future__ import annotations

import re

from grader.report.html.markup import attrs
from grader.result import Check, Entry, Sketch

_PLACE = re.compile(r"^(?:[^.]+\.)?([Wbh])(\d+)$")

Place = tuple[str, int]  # ("W", 1): the weights of layer 1


def shapes(sketch: Sketch) -> dict[Place, tuple[int, ...]]:
    widths = [sketch.inputs, *(la.units for la in sketch.layers)]
    found: dict[Place, tuple[int, ...]] = {}
    for layer in range(1, len(widths)):
        found["W", layer] = (widths[layer], widths[layer - 1])
        found["h", layer] = (widths[layer],)
        bias = sketch.layers[layer - 1].bias
        if bias != "none":  # a shared bias is one number for the whole layer
            found["b", layer] = (widths[layer],) if bias == "per-unit" else (1,)
    return found


def claims(checks: list[Check], sketch: Sketch) -> dict[Place, Check]:
    """The check shown at each place of the drawing (entries or a heat map to show)."""
    expected = shapes(sketch)
    claimed: dict[Place, Check] = {}
    for check in checks:
        found = _PLACE.match(check.quantity)
        place = (found[1], int(found[2])) if found else None
        if place is None or place in claimed or tuple(check.shape) != expected.get(place):
            continue
        if check.entries or check.heat:
            claimed[place] = check
    return claimed


def status(entry: Entry) -> str:
    return "pass" if entry.passed else "fail"


def graded(check: Check, entry: Entry) -> str:
    """The attributes that mark one graded entry for scripts and tests."""
    return attrs(
        data_quantity=check.quantity,
        data_entry=",".join(str(i) for i in entry.index),
        data_status=status(entry),
    )
