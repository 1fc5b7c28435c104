"""Hold every printed value against exact arithmetic and against the document's own rounding.

A hand calculation reuses the numbers it has printed: forward values in the next layer and in
the gradients, gradients in the updates. `document_path` recomputes every quantity that way
(the "by hand" value b), which is how 0.5663 (= 1.17 * 0.484, exact 0.56662) comes about.
For each printed entry d, with u one unit in its last place and r the exact value:

- exact: d is r correctly rounded (|d - r| <= u/2);
- rounding artefact: d is a correct rounding of some value between r and b, that is, within
  u/2 of the interval [min(r, b), max(r, b)]: the rounding the document propagated explains it;
- discrepancy: anything else, a typo or a real error.

The bound is deliberately tight: rounding that the printed inputs propagate is in b already,
so a value one unit beyond both r and b (0.088 printed as 0.087) is a discrepancy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from grader import notation
from grader.errors import ExerciseError
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
    status: str  # exact | artefact | discrepancy


def printed_values(exercise: LoadedExercise) -> dict[str, Printed]:
    expected = exercise.spec.expected
    found = {}
    for section in ("forward", "gradients", "updated", "trained"):
        for name, array in getattr(expected, section).items():
            found[f"{section}.{name}"] = Printed.of(array)
    if expected.losses is not None:
        found["losses"] = Printed.of(expected.losses)
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
    if case.learning_rate is not None and case.iterations is not None:
        trained, losses = solver.train(
            net, case.params, case.x, case.y, case.learning_rate, case.iterations
        )
        values["losses"] = np.asarray(losses)
        values |= {f"trained.{k}": v for k, v in trained.items()}
    return values


def document_path(
    exercise: LoadedExercise, case: Case, printed: dict[str, np.ndarray], exact: Values
) -> Values:
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
    # No hand calculation repeats many steps: the exact training values are the reference
    # (computed once by the caller, not once per round of repairs).
    values |= {k: v for k, v in exact.items() if k == "losses" or k.startswith("trained.")}
    return values


def _overlay(computed: np.ndarray, printed: np.ndarray | None) -> np.ndarray:
    return computed if printed is None else np.where(np.isnan(printed), computed, printed)


def _label(key: str, index: tuple[int, ...]) -> str:
    if key == "losses":
        return f"L (iteration {index[0]})"
    if "." not in key:
        return "L" if key == "loss" else "L (after the step)"
    section, name = key.split(".", 1)
    if section == "gradients":
        return notation.gradient_symbol(name, index)
    suffix = f" ({section})" if section in ("updated", "trained") else ""
    return notation.symbol(name, index) + suffix


def _in_units(printed: Decimal, exact: float) -> int:
    """`exact` counted in units of the last place of `printed`, rounded half to even.

    Integer arithmetic, exact at any magnitude: scaleb only moves the exponent of the (at most
    17-digit) shortest repr, and the loader bounds every printed place, so the integer has at
    most a few hundred digits. (Decimal.quantize needed the whole result within the context's
    28 digits: 1.17 printed as 1.17e-30, or 4e25, raised InvalidOperation.)
    """
    shifted = Decimal(repr(exact)).scaleb(-int(printed.as_tuple().exponent))
    return int(shifted.to_integral_value(rounding=ROUND_HALF_EVEN))


def _units_off(printed: Printed, index: tuple[int, ...], exact: float) -> int:
    """(printed - exact rounded to the printed place) / one unit in that place."""
    d = printed.source.decimals[index]
    return int(d.scaleb(-int(d.as_tuple().exponent))) - _in_units(d, exact)


def _rounded(d: Decimal, exact: float) -> float:
    """`exact` rounded to the last printed place of `d`, the way the document should print it."""
    return float(Decimal(_in_units(d, exact)).scaleb(int(d.as_tuple().exponent)))


def _status(r: float, b: float, d: float, u: float) -> str:
    half = u / 2 * (1 + 1e-9)
    if abs(d - r) <= half:
        return "exact"
    return "artefact" if min(r, b) - half <= d <= max(r, b) + half else "discrepancy"


def _verdicts(printed: dict[str, Printed], exact: Values, by_hand: Values) -> list[Verdict]:
    verdicts = []
    for key, p in printed.items():
        for index in np.ndindex(p.values.shape):
            r, b = float(exact[key][index]), float(by_hand[key][index])
            where = "".join(f"[{i}]" for i in index)
            verdicts.append(
                Verdict(
                    key=f"expected.{key}{where}",
                    symbol=_label(key, index),
                    printed=p.text(index),
                    exact=r,
                    by_hand=b,
                    units_off=_units_off(p, index, r),
                    status=_status(r, b, float(p.values[index]), float(p.units[index])),
                )
            )
    return verdicts


def check_printed(exercise: LoadedExercise) -> list[Verdict]:
    """A verdict for every printed entry.

    A discrepant value must not condemn the values computed from it: the hand calculation is
    redone with each discrepant input replaced by its exact value rounded to the printed place,
    until no new discrepancy appears (a typo only ever flows downstream).
    """
    case = worked_case(exercise)
    printed = printed_values(exercise)
    # Overflow is checked for below, and refused with the file's name: no numpy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        exact = exact_values(exercise, case)
        _refuse_overflow(exercise, exact)
        trusted = {k: p.values.copy() for k, p in printed.items()}
        for _ in range(len(printed) + 1):
            verdicts = _verdicts(printed, exact, document_path(exercise, case, trusted, exact))
            bad = {v.key for v in verdicts if v.status == "discrepancy"}
            repaired = {k: _repair(k, p, trusted[k], exact[k], bad) for k, p in printed.items()}
            if all(np.array_equal(repaired[k], trusted[k]) for k in trusted):
                return verdicts
            trusted = repaired
    return verdicts


def _repair(key: str, p: Printed, values: np.ndarray, exact: np.ndarray, bad: set[str]):
    out = values.copy()
    for index in np.ndindex(out.shape):
        if f"expected.{key}" + "".join(f"[{i}]" for i in index) in bad:
            out[index] = _rounded(p.source.decimals[index], float(exact[index]))
    return out


def _refuse_overflow(exercise: LoadedExercise, exact: Values) -> None:
    """Numbers too large for float64 arithmetic have no exact value to hold the document to."""
    for key, values in exact.items():
        if not np.all(np.isfinite(values)):
            raise ExerciseError(
                str(exercise.path),
                [
                    (
                        "case",
                        f"the worked case overflows float64: its exact {key} is not finite; "
                        "use smaller parameters, inputs or learning rate",
                    )
                ],
            )
