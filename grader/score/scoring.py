"""Turn a run's raw events into checks: validate every number, compare, give partial credit.

Partial credit: a quantity earns its points in proportion to the cases (the worked case and
every hidden case) on which all of its entries are within tolerance. Returning the document's
numbers as constants therefore earns at most 1 / (1 + hidden_cases) of the marks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.exercise.loader import LoadedExercise
from grader.exercise.rules import Rule
from grader.plan.cases import Case
from grader.result import Check, CheckStatus, WrongEntry
from grader.run.report import RunReport
from grader.run.wire import decode
from grader.score.entries import entries, heat, labeller
from grader.score.printed import Printed
from grader.tasks.base import Quantity

MAX_WRONG_LISTED = 20


def fmt(value: float | None) -> str:
    if value is None:
        return "nothing"
    if (value != 0 and not 1e-3 <= abs(value) < 1e5) or not np.isfinite(value):
        return f"{value:.6g}"
    return f"{value:.6f}"


@dataclass
class CaseOutcome:
    passed: bool
    problem: str = ""  # why the whole quantity could not be compared on this case
    wrong: list[WrongEntry] | None = None
    ok: np.ndarray | None = None  # entry by entry, when the quantity could be compared
    got: np.ndarray | None = None


def received(
    report: RunReport, number: int, q: Quantity, names: list[str], shape: tuple | None = None
):
    """(array, problem) for quantity q on case `number`; array is None when unusable.

    The array must have `shape` (default q.shape): scoring passes the reference's shape, which
    belongs to the case where q.shape cannot know it (a batch's forward values are (m, units),
    the train task's losses have iterations + 1 entries).
    """
    event = report.events.get(number)
    if event is None:
        return None, report.message or "no result for this case"
    if event["event"] == "call-error":
        return None, f"raised {event['error']}"
    if event["type"] != "dict" or event["values"] is None:
        return None, f"returned a {event['type']}, expected a dict with keys {', '.join(names)}"
    if q.name not in event["values"]:
        return None, f"the returned dict has no key {q.name!r}"
    array, problem = decode(event["values"][q.name], q.shape if shape is None else shape)
    return array, (f"{q.title} {problem}" if problem else "")


def _compare(
    q: Quantity, rule: Rule, case: Case, got: np.ndarray, exact: np.ndarray, printed: Printed | None
) -> CaseOutcome:
    finite = np.isfinite(got)
    ok = finite & rule.tolerance.accepts(np.where(finite, got, 0.0), exact, printed, rule.settings)
    if ok.all():  # most cases of a class: nothing to list
        return CaseOutcome(passed=True, wrong=[], ok=ok, got=got)
    label = labeller(q)
    wrong = [
        WrongEntry(
            label=label(index),
            case=case.label,
            expected=float(exact[index]),
            got=float(got[index]),
        )
        for index in map(tuple, np.argwhere(~ok))
    ]
    return CaseOutcome(passed=not wrong, wrong=wrong, ok=ok, got=got)


def _describe(outcome: CaseOutcome, case: Case) -> str:
    if outcome.problem:
        return outcome.problem
    wrong = outcome.wrong or []
    shown = wrong[:4] if case.worked else wrong[:1]
    parts = [f"{w.label}: expected {fmt(w.expected)}, got {fmt(w.got)}" for w in shown]
    more = len(wrong) - len(shown)
    return "; ".join(parts) + (f" (+{more} more)" if more else "")


def _message(outcomes: list[CaseOutcome], cases: list[Case]) -> str:
    """One line per distinct problem, naming the cases it happened on."""
    by_text: dict[str, list[str]] = {}
    for case, outcome in zip(cases, outcomes, strict=True):
        if not outcome.passed:
            by_text.setdefault(_describe(outcome, case), []).append(case.label)
    if not by_text:
        return "correct on every case"
    lines = []
    for text, labels in by_text.items():
        where = "every case" if len(labels) == len(cases) > 1 else ", ".join(labels)
        lines.append(f"{where}: {text}")
    return "\n".join(lines)


Received = list[tuple[np.ndarray | None, str]]  # per case: the array, or why there is none


def decode_all(
    exercise: LoadedExercise, cases: list[Case], refs: list[dict], report: RunReport
) -> dict[str, Received]:
    """Every quantity on every case, decoded once for scoring and diagnosis alike."""
    names = [q.name for q in exercise.quantities]
    return {
        q.name: [
            received(report, i, q, names, np.shape(refs[i][q.name])) for i in range(len(cases))
        ]
        for q in exercise.quantities
    }


def score_quantity(
    exercise: LoadedExercise, q: Quantity, cases: list[Case], refs: list[dict], got: Received
) -> Check:
    rule = exercise.rules[q.name]
    table = exercise.spec.expected.section(q.section)
    if not isinstance(table, dict):  # a section printed as one array (expected.losses) is
        table = {} if table is None else {q.name: table}  # the quantity of the same name
    outcomes = []
    for case, ref, (array, problem) in zip(cases, refs, got, strict=True):
        if array is None or problem:
            outcomes.append(CaseOutcome(False, problem))
            continue
        printed = Printed.of(table[q.name]) if case.worked and q.name in table else None
        outcomes.append(_compare(q, rule, case, array, np.asarray(ref[q.name]), printed))
    passed = sum(o.passed for o in outcomes)
    status: CheckStatus = "pass" if passed == len(cases) else ("partial" if passed else "fail")
    wrong = [w for o in outcomes for w in (o.wrong or [])][:MAX_WRONG_LISTED]
    exact = np.asarray(refs[0][q.name])
    worked = outcomes[0]
    ok = worked.ok if worked.ok is not None else np.zeros(exact.shape, dtype=bool)
    return Check(
        name=q.title,
        quantity=q.key,
        score=rule.points * passed / len(cases),
        max_score=rule.points,
        status=status,
        message=_message(outcomes, cases),
        cases_passed=passed,
        cases=len(cases),
        tolerance=rule.tolerance.describe(rule.settings),
        wrong=wrong,
        shape=list(exact.shape),
        by_case=[o.passed for o in outcomes],
        entries=entries(q, exact, worked.got, ok),
        heat=heat(ok),
    )
