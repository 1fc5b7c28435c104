"""A batch written out: every observation's own pass, then the mean that makes the batch's.

The loss of a batch of m observations is the mean of theirs, L = 1/m (l_1 + ... + l_m), so
every gradient is the mean of theirs too: dL/dp = 1/m (dl_1/dp + ... + dl_m/dp). Observation i
is worked out exactly as a single observation is, with its own loss l_i in the place of L.
With `reduction = "sum"` the loss is the sum of theirs, and so is every gradient.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from grader import notation
from grader.explain.backward import backward_sections
from grader.explain.forward import forward_section, loss_value
from grader.explain.text import Section, chain, factor, num
from grader.explain.trace import Trace, trace
from grader.explain.update import frozen_note, training_section, update_lines
from grader.plan.cases import Case
from grader.protocols import EXPLAIN_PARTS
from grader.reference import network as solver
from grader.reference.network import Network


def _own(section: Section, i: int) -> Section:
    """An observation's section, its L written l_i: the loss of that observation alone."""
    return Section(
        f"{section.title}, observation {i}",
        section.note.replace("dL/", f"dl_{i}/"),
        [line.replace("dL/", f"dl_{i}/") for line in section.lines],
    )


def _mean(m: int, symbols: str, values: list[float], value: float, summed: bool = False):
    """symbols = numbers = value, for the batch's mean (or sum) of the observations' values."""
    # The first term opens its bracket: no parentheses of its own, as substitute() writes it.
    terms = " + ".join([num(values[0]), *(factor(v) for v in values[1:])])
    if summed:
        return [symbols.removeprefix("1/m (").removesuffix(")"), terms, num(value)]
    return [symbols, f"1/{m} ({terms})", num(value)]


def _summed(net: Network) -> bool:
    return net.reduction == "sum"


def _loss_section(net: Network, case: Case, traces: list[Trace]) -> Section:
    m = len(traces)
    lines = [f"l_{i} = " + loss_value(tr).removeprefix("L = ") for i, tr in enumerate(traces, 1)]
    each = [float(net.loss.value(tr.h[-1], tr.y)) for tr in traces]
    total = solver.loss(net, case.params, case.x, case.y)
    terms = " + ".join(f"l_{i}" for i in range(1, m + 1))
    lines.append(chain("L", *_mean(m, f"1/m ({terms})", each, total, _summed(net))))
    formula = getattr(net.loss, "formula", net.loss_name)
    how = "sum" if _summed(net) else "mean"
    note = f"{net.loss_name}: l = {formula} per observation; L is their {how} over the m = {m}."
    return Section("Loss of the batch", note, lines)


def _gradient_section(net: Network, case: Case) -> Section:
    m = case.x.shape[0]
    each = [solver.backward(net, case.params, case.x[i], case.y[i]) for i in range(m)]
    grads = solver.backward(net, case.params, case.x, case.y)
    lines = []
    for name, value in grads.items():
        for index in np.ndindex(value.shape):
            p = notation.symbol(name, index)
            terms = " + ".join(f"dl_{i}/d{p}" for i in range(1, m + 1))
            got = [g[name][index] for g in each]
            parts = _mean(m, f"1/m ({terms})", got, value[index], _summed(net))
            lines.append(chain(f"dL/d{p}", *parts))
    how, sum_ = ("sum", "sum_i") if _summed(net) else ("mean", "1/m sum_i")
    note = (
        f"L is the {how} of l_1 .. l_{m}, so every gradient is the {how} of the observations' "
        f"gradients worked out above: dL/dp = {sum_} dl_i/dp."
    )
    return Section("Gradients of the batch", note, lines)


def _update_section(net: Network, case: Case, learning_rate: float) -> Section:
    grads = solver.backward(net, case.params, case.x, case.y)
    updated = solver.update(net, case.params, grads, learning_rate)
    before = solver.loss(net, case.params, case.x, case.y)
    after = solver.loss(net, updated, case.x, case.y)
    lines = update_lines(case.params, grads, updated, learning_rate, net.frozen)
    change = "fell" if after < before else "rose"
    lines += [
        f"L before the step = {num(before)}",
        f"L after the step = {num(after)} (the {net.reduction} over the batch, with the updated "
        "parameters)",
        f"the loss {change} by {num(abs(before - after))}",
    ]
    note = f"p (updated) = p - eta * dL/dp for every parameter, with eta = {num(learning_rate)}."
    return Section("Gradient-descent update", note + frozen_note(net.frozen), lines)


def batch_sections(
    net: Network, case: Case, parts: tuple[str, ...] = EXPLAIN_PARTS
) -> list[Section]:
    """Forward passes, losses, backward passes of every observation; the batch's mean; the step.

    `parts`: what the task's `explained` asks for (tasks/hooks.py), as for one observation.
    """
    traces = [trace(net, case.params, case.x[i], case.y[i]) for i in range(case.x.shape[0])]
    sections = []
    if "forward" in parts:
        sections += [_own(forward_section(tr), i) for i, tr in enumerate(traces, 1)]
    if "loss" in parts:
        sections.append(_loss_section(net, case, traces))
    if "backward" in parts:
        for i, tr in enumerate(traces, 1):
            sections += [_own(s, i) for s in backward_sections(tr)]
        sections.append(_gradient_section(net, case))
    if case.learning_rate is not None and "update" in parts:
        sections.append(_update_section(net, case, case.learning_rate))
    if case.learning_rate is not None and case.iterations is not None and "training" in parts:
        whole = dataclasses.replace(traces[0], y=np.asarray(case.y, dtype=np.float64))
        sections.append(training_section(whole, case.x, case.learning_rate, case.iterations))
    return sections
