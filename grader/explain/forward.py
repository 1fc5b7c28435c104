"""The forward pass and the loss, written out with numbers (the lecture's points 1-4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from grader.explain import symbols as s
from grader.explain.text import Section, chain, factor, num, substitute, total
from grader.explain.trace import Trace


@dataclass(frozen=True)
class LossText:
    """A loss written the lecture's way, in the variables y, h and n (outputs)."""

    term: str  # one output's term
    outer: str  # around the sum of the terms, `S`
    derivative: str  # dL/dh_k, or "" when the loss does not say


def loss_text(loss: object) -> LossText | None:
    """The loss's own texts (grader/protocols.py: `term`, `outer`, `derivative_formula`), or
    None for a loss that does not write itself out (a plugin: its formula and value only)."""
    term = getattr(loss, "term", "")
    if not term:
        return None
    return LossText(term, getattr(loss, "outer", "S"), getattr(loss, "derivative_formula", ""))


def _layer(tr: Trace, i: int) -> list[str]:
    layer, w = tr.net.layers[i - 1], tr.weight(i)
    lines = []
    bias = tr.params.get(f"b{i}")  # per unit, one shared by the layer (shape (1,)), or none
    for k in range(layer.units):
        inputs = range(w.shape[1])
        symbolic = [f"{s.w(i, k, j)} {s.h(i - 1, j)}" for j in inputs]
        numbers: list[tuple[float, ...]] = [(w[k, j], tr.h[i - 1][j]) for j in inputs]
        if bias is not None:
            unit = k if layer.bias == "per-unit" else 0
            symbolic.append(s.b(i, unit))
            numbers.append((bias[unit],))
        lines.append(chain(s.z(i, k), " + ".join(symbolic), total(numbers), num(tr.z[i][k])))
    formula = getattr(layer.activation, "formula", "")
    for k in range(layer.units):
        applied = f"{layer.activation_name}({s.z(i, k)})"
        if not tr.elementwise(i):  # softmax and its kind need the whole layer
            applied = f"{layer.activation_name}(z^{i})_{k + 1}"
            parts = [formula] if formula else []
            if layer.activation_name == "softmax":
                every = " + ".join(f"e^{factor(v)}" for v in tr.z[i])
                parts.append(f"e^{factor(tr.z[i][k])} / ({every})")
            lines.append(chain(s.h(i, k), applied, *parts, num(tr.h[i][k])))
            continue
        filled = substitute(formula, z=float(tr.z[i][k])) if formula else ""
        parts = [formula, filled] if formula else []
        lines.append(chain(s.h(i, k), applied, *parts, num(tr.h[i][k])))
    return lines


def forward_section(tr: Trace) -> Section:
    lines = [f"{s.h(0, j)} = {num(v)}" for j, v in enumerate(tr.h[0])]
    for i in range(1, tr.depth + 1):
        lines += _layer(tr, i)
    note = "z^l = W^l h^(l-1) + b^l, then h^l = act(z^l), from the input layer to the output."
    return Section("Forward pass", note, lines)


def loss_value(tr: Trace, h: list[float] | None = None) -> str:
    """L = formula = numbers = value, at the output h (default: the trace's)."""
    out = np.asarray(tr.h[-1] if h is None else h, dtype=float)  # Loss.value takes arrays
    net, n = tr.net, len(out)
    value = net.loss.value(out, tr.y)
    text = loss_text(net.loss)
    if text is None:  # a plugin loss: its formula, if it has one, and the value
        return chain("L", getattr(net.loss, "formula", net.loss_name), num(value))

    def written(y: Sequence[float | str], h: Sequence[float | str]) -> str:
        terms = [substitute(text.term, y=y[k], h=h[k]) for k in range(n)]
        inner = terms[0] if n == 1 else "[" + " + ".join(terms) + "]"
        return substitute(text.outer, n=str(n)).replace("S", inner)

    symbols = written(y=[s.y(k) for k in range(n)], h=[s.h(tr.depth, k) for k in range(n)])
    numbers = written(y=[float(v) for v in tr.y], h=[float(v) for v in out])
    return chain("L", symbols, numbers, num(value))


def loss_section(tr: Trace) -> Section:
    formula = getattr(tr.net.loss, "formula", tr.net.loss_name)
    return Section("Loss", f"{tr.net.loss_name}: L = {formula}", [loss_value(tr)])
