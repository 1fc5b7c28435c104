"""How dL/dh and dL/dz of each layer come about, written out with numbers.

The output layer starts from the loss's derivative (or from dL/dz = h - y when the loss is the
output activation's canonical partner: softmax with cross-entropy). A hidden unit feeds every
unit above it, so its dL/dh_j is a sum over those units k, one product per path.
"""

from __future__ import annotations

from grader.explain import symbols as s
from grader.explain.forward import loss_text
from grader.explain.text import chain, equation, num, substitute
from grader.explain.trace import Trace


def output_lines(tr: Trace) -> list[str]:
    """dL/dh_k^L from the loss, or dL/dz_k^L = h_k - y_k for a canonical pair."""
    i, n, lines = tr.depth, tr.net.outputs, []
    loss = loss_text(tr.net.loss)
    for k in range(n):
        h, y = float(tr.h[i][k]), float(tr.y[k])
        if tr.combined:
            parts = [substitute("h - y", h=s.h(i, k), y=s.y(k)), substitute("h - y", h=h, y=y)]
            lines.append(chain(s.d("L", s.z(i, k)), *parts, num(tr.dz[i][k])))
            continue
        parts = []
        if loss is not None and loss.derivative:  # else (a plugin loss) its value only
            parts.append(substitute(loss.derivative, y=s.y(k), h=s.h(i, k), n=str(n)))
            parts.append(substitute(loss.derivative, y=y, h=h, n=n))
        lines.append(chain(s.d("L", s.h(i, k)), *parts, num(tr.dh[i][k])))
    return lines


def from_above(tr: Trace, i: int) -> list[str]:
    """dL/dh_j^i through layer i + 1: a sum over its units k when it has several."""
    up, w, lines = i + 1, tr.weight(i + 1), []
    ks, js = range(w.shape[0]), range(w.shape[1])
    several = len(ks) > 1
    if not tr.through_h(up):  # dz_k/dh_j = w_kj
        for j in js:
            terms = [[(s.d("L", s.z(up, k)), tr.dz[up][k]), (s.w(up, k, j), w[k, j])] for k in ks]
            general = f"sum_k dL/dz_k^{up} * dz_k^{up}/d{s.h(i, j)}" if several else ""
            lines.append(equation(s.d("L", s.h(i, j)), terms, tr.dh[i][j], general))
        return lines
    slope = tr.slope(up)  # dh_k/dh_j = dh_k/dz_k * w_kj, the lecture's dh_1^2/dh_1^1 = w_11^2
    for k in ks:
        for j in js:
            each = [(s.d(s.h(up, k), s.z(up, k)), slope[k]), (s.w(up, k, j), w[k, j])]
            lines.append(equation(s.d(s.h(up, k), s.h(i, j)), [each], slope[k] * w[k, j]))
    for j in js:
        terms = [
            [(s.d("L", s.h(up, k)), tr.dh[up][k]), (s.d(s.h(up, k), s.h(i, j)), slope[k] * w[k, j])]
            for k in ks
        ]
        general = f"sum_k dL/dh_k^{up} * dh_k^{up}/d{s.h(i, j)}" if several else ""
        lines.append(equation(s.d("L", s.h(i, j)), terms, tr.dh[i][j], general))
    return lines


def activation_lines(tr: Trace, i: int) -> list[str]:
    """dh_k/dz_k by its formula, or dL/dz_k through a whole-layer (softmax) Jacobian."""
    formula = getattr(tr.net.layers[i - 1].activation, "derivative_formula", "")
    if tr.through_h(i):
        lines = []
        for k, slope in enumerate(tr.slope(i)):
            h, z = float(tr.h[i][k]), float(tr.z[i][k])
            parts = [formula, substitute(formula, h=h, z=z)] if formula else []
            lines.append(chain(s.d(s.h(i, k), s.z(i, k)), *parts, num(slope)))
        return lines
    if i == tr.depth and tr.combined:
        return []  # dL/dz came straight from h - y
    units, jac = range(len(tr.h[i])), tr.jacobian[i]
    return [
        equation(
            s.d("L", s.z(i, k)),
            [
                [(s.d("L", s.h(i, m)), tr.dh[i][m]), (s.d(s.h(i, m), s.z(i, k)), jac[m, k])]
                for m in units
            ],
            tr.dz[i][k],
            f"sum_m dL/dh_m^{i} * dh_m^{i}/d{s.z(i, k)}",
        )
        for k in units
    ]
