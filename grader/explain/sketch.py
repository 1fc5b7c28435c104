"""What a picture of the graded network needs: its layers, the worked case's forward values, and
each wrong gradient entry's chain-rule product with the numbers (as `grader explain` writes it)."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from grader.exercise.loader import LoadedExercise
from grader.explain.backward import parameter_line
from grader.explain.trace import trace
from grader.plan import memo
from grader.plan.cases import Case, shared_worked_case
from grader.reference import network as solver
from grader.result import MAX_ENTRIES, Check, Entry, Sketch, SketchLayer

_PARAMETER = re.compile(r"^gradients\.([Wb])(\d+)$")


Product = Callable[[int, int, "int | None"], str]  # (layer, k, j) -> the entry's product


def sketch(exercise: LoadedExercise, case: Case) -> Sketch:
    """The network and, when it has at most MAX_ENTRIES units, the worked case's values.

    Drawn once per exercise for the worked case every submission shares (one Sketch object
    in every result: nothing changes a result's sketch after grading)."""
    if case is shared_worked_case(exercise):
        return memo.once(exercise, "sketch", lambda: _sketch(exercise, case))
    return _sketch(exercise, case)


def _sketch(exercise: LoadedExercise, case: Case) -> Sketch:
    net = exercise.network
    layers = [
        SketchLayer(units=la.units, activation=la.activation_name, bias=la.bias)
        for la in net.layers
    ]
    drawn = Sketch(inputs=net.inputs, layers=layers, loss=net.loss_name)
    if net.inputs + sum(la.units for la in net.layers) > MAX_ENTRIES:
        return drawn
    x = case.x[0] if case.x.ndim == 2 else case.x
    values = solver.forward(net, case.params, x).values
    h = [np.asarray(values[f"h{i}"], dtype=np.float64) for i in range(1, len(layers) + 1)]
    observation = f"observation 1 of {case.x.shape[0]}" if case.x.ndim == 2 else ""
    return drawn.model_copy(
        update={"x": x.tolist(), "h": [v.tolist() for v in h], "observation": observation}
    )


def with_products(exercise: LoadedExercise, case: Case, checks: list[Check]) -> list[Check]:
    """`checks` with the chain-rule product on each wrong entry of a gradient (one observation:
    a batch's gradient is a mean of products, written out by `grader explain`)."""
    wanted = [c for c in checks if _PARAMETER.match(c.quantity) and not _all_right(c)]
    if not wanted or case.x.ndim != 1:
        return checks
    product = _products(exercise, case)
    shapes = exercise.network.shapes()
    return [c if c not in wanted else _explained(c, product, shapes) for c in checks]


def _products(exercise: LoadedExercise, case: Case) -> Product:
    """Each entry's product on `case`; written once per exercise for the shared worked case."""
    net = exercise.network
    if case is not shared_worked_case(exercise):
        tr = trace(net, case.params, case.x, case.y)
        return lambda layer, k, j: parameter_line(tr, layer, k, j)
    lines = memo.once(exercise, "products", dict)

    def product(layer: int, k: int, j: int | None) -> str:
        if (layer, k, j) not in lines:
            tr = memo.once(exercise, "trace", lambda: trace(net, case.params, case.x, case.y))
            lines[layer, k, j] = parameter_line(tr, layer, k, j)
        return lines[layer, k, j]

    return product


def _all_right(check: Check) -> bool:
    return all(e.passed for e in check.entries)


def _explained(check: Check, product: Product, shapes: dict[str, tuple[int, ...]]) -> Check:
    found = _PARAMETER.match(check.quantity)
    if found is None or tuple(check.shape) != shapes.get(found[1] + found[2]):
        return check  # a submission's shape that is not the parameter's: no entry to explain
    letter, layer = found[1], int(found[2])

    def explained(entry: Entry) -> Entry:
        if entry.passed:
            return entry
        k, j = entry.index[0], (entry.index[1] if letter == "W" else None)
        return entry.model_copy(update={"product": product(layer, k, j)})

    return check.model_copy(update={"entries": [explained(e) for e in check.entries]})
