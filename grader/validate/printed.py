"""Hold every printed value against exact arithmetic and against the document's own rounding.

For each printed entry d (one unit in its last place: u) with exact value r:

- exact: d is r correctly rounded (|d - r| <= u/2);
- rounding artefact: |d - r| <= the propagated-rounding bound;
- discrepancy: farther than that: a typo or a real error.

The propagated-rounding bound is u/2 plus, for every printed value v_i the document's hand
calculation reuses, the change in this quantity when v_i moves by its own half unit (first
order, measured by central differences). A hand calculation reuses printed forward values in
the next layer and in the gradients, and printed gradients in the updates; `document_path`
recomputes every quantity that way, which is how 0.5663 (= 1.17 * 0.484) is explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from grader import notation
from grader.exercise.loader import LoadedExercise
from grader.exercise.numbers import to_decimal_array
from grader.plan.cases import Case, worked_case
from grader.reference import network as solver
from grader.score.printed import Printed

Values = dict[str, np.ndarray]  # "forward.h1", "gradients.W1", "updated.b2", "loss", ...


@dataclass(frozen=True)
class Verdict:
    key: str  # "expected.updated.b1[0]"
    symbol: str  # "b_1^1 (updated)"
    printed: str
    exact: float
    by_hand: float  # recomputed from the document's printed values
    units_off: int  # (printed - exact rounded to the printed place) / u
    bound: float
    status: str  # exact | artefact | discrepancy


def printed_values(exercise: LoadedExercise) -> dict[str, Printed]:
    expected = exercise.spec.expected
    found = {}
    for section in ("forward", "gradients", "updated"):
        for name, array in getattr(expected, section).items():
            found[f"{section}.{name}"] = Printed.of(array)
    for name in ("loss", "loss_after"):
        value = getattr(expected, name)
        if value is not None:
            found[name] = Printed.of(to_decimal_array(value))
    return found


def exact_values(exercise: LoadedExercise, case: Case) -> Values:
    net = exercise.network
    fwd = solver.forward(net, case.params, case.x)
    grads = solver.backward(net, case.params, case.x, case.y, fwd)
    values = {f"forward.{k}": v for k, v in fwd.values.items()}
    values |= {f"gradients.{k}": v for k, v in grads.items()}
    values["loss"] = np.asarray(solver.loss(net, case.params, case.x, case.y))
    if case.learning_rate is not None:
        updated = solver.step(case.params, grads, case.learning_rate)
        values |= {f"updated.{k}": v for k, v in updated.items()}
        values["loss_after"] = np.asarray(solver.loss(net, updated, case.x, case.y))
    return values


def document_path(exercise: LoadedExercise, case: Case, printed: dict[str, np.ndarray]) -> Values:
    """Every quantity recomputed the way a hand calculation does, from printed values."""
    net = exercise.network

    def pinned(skip: str = "") -> dict[str, np.ndarray]:
        return {
            k.split(".", 1)[1]: v
            for k, v in printed.items()
            if k.startswith("forward.h") and k != skip
        }

    values: Values = {}
    for number in range(1, len(net.layers) + 1):
        # A layer's printed value is recomputed from the previous layers' printed values.
        fwd = solver.forward(net, case.params, case.x, pinned(f"forward.h{number}"))
        values[f"forward.z{number}"] = fwd.values[f"z{number}"]
        values[f"forward.h{number}"] = fwd.values[f"h{number}"]
    fwd = solver.forward(net, case.params, case.x, pinned())
    grads = solver.backward(net, case.params, case.x, case.y, fwd)
    values |= {f"gradients.{k}": v for k, v in grads.items()}
    values["loss"] = np.asarray(net.loss.value(np.atleast_2d(fwd.output()), np.atleast_2d(case.y)))
    if case.learning_rate is not None:
        used = {k: _overlay(v, printed.get(f"gradients.{k}")) for k, v in grads.items()}
        updated = solver.step(case.params, used, case.learning_rate)
        values |= {f"updated.{k}": v for k, v in updated.items()}
        after = {k: _overlay(v, printed.get(f"updated.{k}")) for k, v in updated.items()}
        values["loss_after"] = np.asarray(solver.loss(net, after, case.x, case.y))
    return values


def _overlay(computed: np.ndarray, printed: np.ndarray | None) -> np.ndarray:
    return computed if printed is None else np.where(np.isnan(printed), computed, printed)


def _bounds(exercise: LoadedExercise, case: Case, printed: dict[str, Printed]) -> Values:
    base = {k: p.values.copy() for k, p in printed.items()}
    bounds = {k: p.units / 2 for k, p in printed.items()}
    for key, p in printed.items():
        for index in np.ndindex(p.values.shape):
            half = p.units[index] / 2
            up, down = ({**base, key: base[key].copy()} for _ in range(2))
            up[key][index] += half
            down[key][index] -= half
            hi, lo = document_path(exercise, case, up), document_path(exercise, case, down)
            for other in printed:
                if other != key:
                    bounds[other] = bounds[other] + np.abs(hi[other] - lo[other]) / 2
    return bounds


def _label(key: str, index: tuple[int, ...]) -> str:
    if "." not in key:
        return "L" if key == "loss" else "L (after the step)"
    section, name = key.split(".", 1)
    if section == "gradients":
        return notation.gradient_symbol(name, index)
    return notation.symbol(name, index) + (" (updated)" if section == "updated" else "")


def _units_off(printed: Printed, index: tuple[int, ...], exact: float) -> int:
    unit = Decimal(1).scaleb(printed.source.decimals[index].as_tuple().exponent)
    rounded = Decimal(repr(exact)).quantize(unit, rounding=ROUND_HALF_EVEN)
    return int((printed.source.decimals[index] - rounded) / unit)


def check_printed(exercise: LoadedExercise) -> list[Verdict]:
    case = worked_case(exercise)
    printed = printed_values(exercise)
    exact = exact_values(exercise, case)
    by_hand = document_path(exercise, case, {k: p.values for k, p in printed.items()})
    bounds = _bounds(exercise, case, printed)
    verdicts = []
    for key, p in printed.items():
        for index in np.ndindex(p.values.shape):
            r, d, u = float(exact[key][index]), float(p.values[index]), float(p.units[index])
            gap = abs(d - r)
            status = (
                "exact"
                if gap <= u / 2 * (1 + 1e-9)
                else "artefact"
                if gap <= bounds[key][index] * (1 + 1e-9)
                else "discrepancy"
            )
            where = "".join(f"[{i}]" for i in index)
            verdicts.append(
                Verdict(
                    key=f"expected.{key}{where}",
                    symbol=_label(key, index),
                    printed=p.text(index),
                    exact=r,
                    by_hand=float(by_hand[key][index]),
                    units_off=_units_off(p, index, r),
                    bound=float(bounds[key][index]),
                    status=status,
                )
            )
    return verdicts
