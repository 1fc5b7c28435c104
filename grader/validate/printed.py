"""Hold every printed value against exact arithmetic and against the document's own rounding.

A hand calculation reuses the numbers it has printed: forward values in the next layer and in
the gradients, gradients in the updates. The exercise's task recomputes every quantity that way
(Task.by_hand, the "by hand" value b; the shared sections' in grader/tasks/shared.py), which is
how 0.5663 (= 1.17 * 0.484, exact 0.56662) comes about; Task.exact gives r.
For each printed entry d (a "?" prints nothing and gets no verdict), with u one unit in its
last place and r the exact value:

- exact: d is r correctly rounded (|d - r| <= u/2);
- rounding artefact: d is a correct rounding of some value between r and b, that is, within
  u/2 of the interval [min(r, b), max(r, b)]: the rounding the document propagated explains it;
- discrepancy: anything else, a typo or a real error.

The bound is deliberately tight: rounding that the printed inputs propagate is in b already,
so a value one unit beyond both r and b (0.088 printed as 0.087) is a discrepancy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from grader.errors import PluginError
from grader.exercise.consistency import refuse_overflow
from grader.exercise.loader import LoadedExercise
from grader.plan.cases import Case, worked_case
from grader.score.printed import Printed
from grader.tasks import hooks

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
    """Every printed array, keyed "<section>.<key>" in a table and "<section>" for a value."""
    found: dict[str, Printed] = {}
    for section, printed in exercise.spec.expected.sections.items():
        if isinstance(printed, dict):
            found |= {f"{section}.{name}": Printed.of(a) for name, a in printed.items()}
        else:
            found[section] = Printed.of(printed)
    return found


def exact_values(exercise: LoadedExercise, case: Case) -> Values:
    """The task's exact value of every key it can print (Task.exact)."""
    return hooks.exact(exercise.task, exercise.network, case)


def document_path(
    exercise: LoadedExercise, case: Case, printed: dict[str, np.ndarray], exact: Values
) -> Values:
    """Every quantity recomputed the way a hand calculation does, from printed values."""
    return hooks.by_hand(exercise.task, exercise.network, case, printed, exact)


def _labels(exercise: LoadedExercise, case: Case) -> Callable[[str, tuple[int, ...]], str]:
    """The symbol of a printed entry, as the task's section names it."""
    sections = hooks.sections(exercise.task, exercise.network, case)

    def label(key: str, index: tuple[int, ...]) -> str:
        section, _, name = key.partition(".")
        return sections[section].label(name or section, index)

    return label


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


def _verdicts(printed: dict[str, Printed], exact: Values, by_hand: Values, label) -> list[Verdict]:
    verdicts = []
    for key, p in printed.items():
        for index in np.ndindex(p.values.shape):
            if np.isnan(p.values[index]):  # "?": the document does not print this entry
                continue
            r, b = float(exact[key][index]), float(by_hand[key][index])
            where = "".join(f"[{i}]" for i in index)
            verdicts.append(
                Verdict(
                    key=f"expected.{key}{where}",
                    symbol=label(key, index),
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
    label = _labels(exercise, case)
    # Overflow is checked for below, and refused with the file's name: no numpy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        exact = exact_values(exercise, case)
        refuse_overflow(str(exercise.path), exact)
        _refuse_unknown(exercise, printed, exact)
        trusted = {k: p.values.copy() for k, p in printed.items()}
        for _ in range(len(printed) + 1):
            by_hand = document_path(exercise, case, trusted, exact)
            verdicts = _verdicts(printed, exact, by_hand, label)
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


def _refuse_unknown(exercise: LoadedExercise, printed: dict[str, Printed], exact: Values) -> None:
    """A task must compute every key it accepts: a gap is the plugin's fault, named as such."""
    gaps = sorted(set(printed) - set(exact))
    if gaps:
        raise PluginError(
            f"task {exercise.spec.task!r} accepts but computes no exact value for "
            f"{', '.join('expected.' + key for key in gaps)} (Task.exact)"
        )
