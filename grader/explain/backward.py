"""The backward pass as the lecture writes it: every gradient as a chain-rule product.

Output layer first (points 5-7). A layer written "through h" gets dL/dh_k and the factor
dh_k/dz_k named by its formula (h(1 - h) for sigmoid); a softmax layer, or an output whose loss
is its canonical partner (softmax with cross-entropy), goes to dL/dz_k instead. Below a single
unit the lecture's form is kept: dL/dh_1^2 * dh_1^2/dh_1^1 * dh_1^1/dz_1^1 * dz_1^1/dw_11^1.
"""

from __future__ import annotations

import math

from grader.explain import symbols as s
from grader.explain.propagate import activation_lines, from_above, output_lines
from grader.explain.text import Factor, Section, equation
from grader.explain.trace import Trace


def _head(tr: Trace, i: int, k: int) -> list[Factor]:
    """The factors from L down to z_k^i, shared by every parameter of unit k."""
    if not tr.through_h(i):
        return [(s.d("L", s.z(i, k)), tr.dz[i][k])]
    local = (s.d(s.h(i, k), s.z(i, k)), tr.slope(i)[k])
    if i < tr.depth and tr.through_h(i + 1) and tr.net.layers[i].units == 1:
        above = tr.slope(i + 1)[0] * tr.weight(i + 1)[0, k]
        return [
            (s.d("L", s.h(i + 1, 0)), tr.dh[i + 1][0]),
            (s.d(s.h(i + 1, 0), s.h(i, k)), above),
            local,
        ]
    return [(s.d("L", s.h(i, k)), tr.dh[i][k]), local]


def parameter_line(tr: Trace, i: int, k: int, j: int | None) -> str:
    """dL/dw_kj^i (dL/db_k^i when `j` is None) as its chain-rule product with the numbers.

    A layer's shared bias (k is 0) feeds every unit: its line is the sum over them."""
    if j is None and tr.net.layers[i - 1].bias == "shared":
        return _shared_bias_line(tr, i)
    param, value = (s.b(i, k), 1.0) if j is None else (s.w(i, k, j), float(tr.h[i - 1][j]))
    term = [*_head(tr, i, k), (s.d(s.z(i, k), param), value)]
    return equation(s.d("L", param), [term], math.prod(v for _, v in term))


def _shared_bias_line(tr: Trace, i: int) -> str:
    units = range(tr.net.layers[i - 1].units)
    terms = [[(s.d("L", s.z(i, k)), tr.dz[i][k]), (s.d(s.z(i, k), s.b(i, 0)), 1.0)] for k in units]
    general = f"sum_k dL/dz_k^{i} * dz_k^{i}/d{s.b(i, 0)}" if len(units) > 1 else ""
    return equation(s.d("L", s.b(i, 0)), terms, float(sum(tr.dz[i])), general)


def _gradients(tr: Trace, i: int) -> list[str]:
    """dL/dw_kj^i and dL/db_k^i of every unit k, one product each."""
    layer = tr.net.layers[i - 1]
    own_bias: list[int | None] = [None] if layer.bias == "per-unit" else []
    lines = []
    for k in range(layer.units):
        lines += [parameter_line(tr, i, k, j) for j in [*range(len(tr.h[i - 1])), *own_bias]]
    if layer.bias == "shared":
        lines.append(parameter_line(tr, i, 0, None))
    return lines


def _delta_lines(tr: Trace, i: int) -> list[str]:
    """dL/dz_k^i (the unit's delta) as the product of the factors from L to z_k^i."""
    if not tr.through_h(i):
        return []  # already written as dL/dz_k
    return [
        equation(s.d("L", s.z(i, k)), [_head(tr, i, k)], float(tr.dz[i][k]))
        for k in range(tr.net.layers[i - 1].units)
    ]


def _note(tr: Trace, i: int) -> str:
    layer = tr.net.layers[i - 1]
    source = "x_j" if i == 1 else f"h_j^{i - 1}"
    bias = {
        "per-unit": f" and dz_k^{i}/db_k^{i} = 1",
        "shared": f" and dz_k^{i}/db_1^{i} = 1 for every k (one bias, shared by the layer's units)",
        "none": " (the layer has no bias)",
    }[layer.bias]
    note = f"dz_k^{i}/dw_kj^{i} = {source} (the layer's input){bias}."
    if i == tr.depth and tr.combined:
        return (
            f"{layer.activation_name} output with {tr.net.loss_name}: the loss's derivative and "
            f"the activation's cancel to dL/dz_k = h_k - y_k. {note}"
        )
    if not tr.elementwise(i):
        formula = getattr(layer.activation, "derivative_formula", "?")
        return f"{layer.activation_name} mixes the layer's units: dh_i/dz_j = {formula}. {note}"
    return note


def backward_sections(tr: Trace) -> list[Section]:
    sections = []
    for i in range(tr.depth, 0, -1):
        layer = tr.net.layers[i - 1]
        where = "output layer" if i == tr.depth else "hidden layer"
        title = f"Backward pass, layer {i} ({where}: {layer.units} {layer.activation_name})"
        lines = output_lines(tr) if i == tr.depth else from_above(tr, i)
        lines += activation_lines(tr, i) + _delta_lines(tr, i) + _gradients(tr, i)
        sections.append(Section(title, _note(tr, i), lines))
    return sections
