"""The gradient-descent step with numbers, the loss before and after it, and training."""

from __future__ import annotations

import numpy as np

from grader import notation
from grader.explain.forward import loss_value
from grader.explain.text import Section, chain, num, product
from grader.explain.trace import Trace, trace
from grader.reference import network as solver

SHOWN = 12  # losses of a long training run: the first ones and the last ones


def update_lines(params, grads, updated, learning_rate: float, frozen=frozenset()) -> list[str]:
    """p (updated) = p - eta * dL/dp = numbers = value, for every entry of every parameter;
    a frozen parameter keeps its value."""
    lines = []
    for name, value in params.items():
        for index in np.ndindex(np.shape(value)):
            p = notation.symbol(name, index)
            if name in frozen:
                lines.append(f"{p} (updated) = {p} = {num(value[index])} (frozen)")
                continue
            lines.append(
                chain(
                    f"{p} (updated)",
                    f"{p} - eta * dL/d{p}",
                    f"{num(value[index])} - {product([learning_rate, grads[name][index]])}",
                    num(updated[name][index]),
                )
            )
    return lines


def update_section(tr: Trace, x: np.ndarray, learning_rate: float) -> Section:
    grads = solver.backward(tr.net, tr.params, x, tr.y)
    updated = solver.update(tr.net, tr.params, grads, learning_rate)
    lines = update_lines(tr.params, grads, updated, learning_rate, tr.net.frozen)
    after = trace(tr.net, updated, x, tr.y)
    before_value = tr.net.loss.value(tr.h[-1], tr.y)
    after_value = tr.net.loss.value(after.h[-1], tr.y)
    outputs = ", ".join(num(v) for v in after.h[-1])
    change = "fell" if after_value < before_value else "rose"
    lines += [
        f"L before the step: {loss_value(tr)}",
        f"forward pass with the updated parameters: h^{tr.depth} = [{outputs}]",
        f"L after the step: {loss_value(after)}",
        f"the loss {change} by {num(abs(before_value - after_value))}",
    ]
    note = f"p (updated) = p - eta * dL/dp for every parameter, with eta = {num(learning_rate)}."
    return Section("Gradient-descent update", note + frozen_note(tr.net.frozen), lines)


def frozen_note(frozen) -> str:
    return f" Frozen, left as they are: {', '.join(sorted(frozen))}." if frozen else ""


def training_section(tr: Trace, x: np.ndarray, learning_rate: float, iterations: int) -> Section:
    _, losses = solver.train(tr.net, tr.params, x, tr.y, learning_rate, iterations)
    shown = list(enumerate(losses))
    if len(shown) > SHOWN:
        shown = [*shown[: SHOWN // 2], (-1, 0.0), *shown[-SHOWN // 2 :]]
    lines = [
        "..." if i < 0 else f"L after {i} iteration{'' if i == 1 else 's'} = {num(v)}"
        for i, v in shown
    ]
    verdict = "falls" if losses[-1] < losses[0] else "does not fall"
    note = (
        f"Forward pass, backward pass and update, repeated {iterations} times (points 1-9): "
        f"the loss {verdict}."
    )
    return Section("Training", note, lines)
