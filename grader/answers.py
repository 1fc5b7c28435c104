"""Hand-computed answers: a TOML file laid out like the exercise's expected values.

    [gradients]
    W1 = [[-0.028, -0.058], [-0.018, -0.038]]
    ...

It is data, so it is read here (never run), graded on the worked case only, under the
`document` tolerance whatever the exercise's own mode: one unit in the last place the
document printed, around both the exact and the printed value.

An entry the exercise prints as "?" is not graded (the answer may write "?" there too).
A `[deltas]` table (z1, z2, ...: dL/dz^l) is graded as well when the answers give one, one
point per layer on top of the exercise's, for every task the shared sections serve.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from grader import plugins
from grader.errors import ExerciseError, SubmissionNotFound
from grader.exercise.consistency import refuse_overflow
from grader.exercise.loader import LoadedExercise
from grader.exercise.numbers import to_printed_array
from grader.exercise.rules import Rule
from grader.plan.cases import Case, worked_case
from grader.reference import network as solver
from grader.result import CheckResult
from grader.run.report import RunReport, RunStatus
from grader.suggest import close_matches
from grader.tasks import hooks
from grader.tasks.base import Quantity
from grader.tasks.shared import delta_symbol

DELTA_POINTS = 1.0  # per [deltas] key answered: beyond what the exercise's task grades

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def read_answers(path: Path, data: bytes | None = None) -> dict[str, Any]:
    """The answers as TOML; `data`: the file's bytes, read already (a class run's)."""
    try:
        text = path.read_text(encoding="utf-8") if data is None else data.decode("utf-8")
    except FileNotFoundError:
        raise SubmissionNotFound(f"{path}: no such answers file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SubmissionNotFound(f"{path}: cannot read the answers file ({exc})") from None
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ExerciseError(str(path), [("", f"invalid TOML: {exc}")]) from None
    except RecursionError:  # the reader recurses once per level of nested arrays
        raise ExerciseError(str(path), [("", "invalid TOML: arrays nested too deep")]) from None


def _encode(value: Any, gaps: np.ndarray, exact: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    """An answer as the child would have sent it, and the unit of its last written place.

    Where the exercise prints "?" (`gaps`) nothing is graded: the exact value stands there.
    """
    try:
        array = to_printed_array(value)
    except ValueError as exc:  # pydantic's error is a ValueError: say it in plain words
        return {"error": f"not an array of numbers ({exc})"}, np.zeros(())
    floats, units = array.floats(), np.nan_to_num(array.units())
    if floats.shape == np.shape(exact) and np.any(gaps):
        floats = np.where(gaps, exact, floats)
    if np.any(np.isnan(floats)):  # a "?" the student left where the exercise prints a number
        return {"error": 'not an array of numbers (a "?" is left unfilled)'}, np.zeros(())
    if floats.shape != np.shape(exact):  # said by the grading; no units to line up with exact
        units = np.zeros(())
    return {"shape": list(floats.shape), "data": floats.ravel().tolist()}, units


def _gaps(exercise: LoadedExercise, section: str, name: str, exact) -> np.ndarray:
    """Where the exercise prints "?" for this quantity (all False when it prints none)."""
    table = exercise.spec.expected.section(section)
    if table is not None and not isinstance(table, dict):
        table = {name: table}
    if table is None or name not in table or table[name].shape != np.shape(exact):
        return np.zeros(np.shape(exact), dtype=bool)
    return table[name].gaps()


def _document_gap(exercise: LoadedExercise, section: str, name: str, exact) -> np.ndarray:
    """How far the document's own printed value is from exact (its hand rounding), or 0."""
    table = exercise.spec.expected.section(section)
    if table is not None and not isinstance(table, dict):  # a value: the quantity's own
        table = {name: table}
    if table is None or name not in table:
        return np.zeros(())
    return np.nan_to_num(np.abs(table[name].floats() - np.asarray(exact)))


def _delta_names(exercise: LoadedExercise, case: Case) -> list[str]:
    """The [deltas] keys an answers file may give: those the exercise prints (as any other
    printed value, a delta is graded against the band its printing gives it; one the exercise
    does not print has no band to be held to, like a "?" entry)."""
    accepted = hooks.sections(exercise.task, exercise.network, case).get("deltas")
    printed = exercise.spec.expected.section("deltas")
    if accepted is None or not isinstance(printed, dict):
        return []
    return [name for name in accepted.keys or {} if name in printed]


def _with_deltas(
    exercise: LoadedExercise, answers: dict[str, Any], case: Case, refs: list[dict]
) -> LoadedExercise:
    """The exercise with a quantity per [deltas] key the answers give (and the exercise prints)."""
    table = answers.get("deltas")
    accepted = hooks.sections(exercise.task, exercise.network, case).get("deltas")
    if not isinstance(table, dict) or accepted is None or accepted.keys is None:
        return exercise
    _, deltas = solver.backprop(exercise.network, case.params, case.x, case.y)
    gradable = _delta_names(exercise, case)
    extra = []
    for name, shape in accepted.keys.items():
        if name in table and name in gradable:
            extra.append(Quantity(name, "deltas", shape, f"dL/d{name}", delta_symbol, True))
            refs[0][name] = deltas[name]
    document = plugins.get("tolerances", "document")
    rule = Rule(DELTA_POINTS, "document", document, document.settings())
    rules = {**exercise.rules, **{q.name: rule for q in extra}}
    return replace(exercise, quantities=(*exercise.quantities, *extra), rules=rules)


def answer_table(answers: dict[str, Any], q: Quantity) -> Any:
    """Where the answers hold `q`: its table, or a table of the value itself when the quantity
    is a value of its own (`losses = [...]`, as the exercise prints it under [expected])."""
    table = answers.get(q.section, {})
    return {q.name: table} if q.name == q.section and not isinstance(table, dict) else table


def _layout_problems(
    answers: dict[str, Any], exercise: LoadedExercise, deltas: list[str]
) -> list[str]:
    """Tables this exercise does not grade, keys outside tables, misspelt keys."""
    sections = {q.section for q in exercise.quantities} | ({"deltas"} if deltas else set())
    names = [q.name for q in exercise.quantities if q.section != "deltas"]
    values = {q.name for q in exercise.quantities if q.name == q.section}
    problems = []
    for key, value in answers.items():
        if key in values and not isinstance(value, dict):
            continue
        if not isinstance(value, dict):
            # The table that holds a quantity of this name, else every table graded.
            homes = {q.section for q in exercise.quantities if q.name == key}
            homes |= {"deltas"} if key in deltas else set()
            tables = " or ".join(f"[{section}]" for section in sorted(homes or sections))
            problems.append(f"{key} is not inside a table: put it under {tables}")
        elif key not in sections:
            problems.append(
                f"table [{key}] is not graded by this exercise (it grades "
                f"[{'], ['.join(sorted(sections))}])"
            )
        else:
            known = deltas if key == "deltas" else names
            for name in value:
                if name not in known:
                    close = close_matches(name, known)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    problems.append(f"[{key}] {name} is not a quantity of this exercise{hint}")
    return problems


def check_answers(exercise: LoadedExercise, path: Path, data: bytes | None = None) -> CheckResult:
    from grader.pipeline import grade_report

    answers = read_answers(path, data)
    case = worked_case(exercise)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below
        refs = [dict(exercise.task.reference(exercise.network, case))]
    refuse_overflow(str(exercise.path), refs[0])  # as validate does: no exact value to grade by
    exercise = _with_deltas(exercise, answers, case, refs)
    values, slack = {}, {}
    for q in exercise.quantities:
        table = answer_table(answers, q)
        if not isinstance(table, dict) or q.name not in table:
            values[q.name] = {"error": f"missing from the file: no {q.name!r} under [{q.section}]"}
            continue
        exact = refs[0][q.name]
        gaps = _gaps(exercise, q.section, q.name, exact)
        values[q.name], units = _encode(table[q.name], gaps, np.asarray(exact))
        # A wrong method worked by hand carries its own rounding: two written units, plus the
        # distance by which the document's own hand calculation missed the exact value.
        slack[q.name] = [2 * units + _document_gap(exercise, q.section, q.name, refs[0][q.name])]
    problems = _layout_problems(answers, exercise, _delta_names(exercise, case))
    report = RunReport(
        status=RunStatus.ANSWERS if problems else RunStatus.OK,
        message="; ".join(problems),
        events={0: {"event": "result", "type": "dict", "values": values}},
    )
    document = plugins.get("tolerances", "document")
    rules = {
        name: replace(rule, mode="document", tolerance=document, settings=document.settings())
        for name, rule in exercise.rules.items()
    }
    return grade_report(replace(exercise, rules=rules), path, 0, [case], refs, report, slack)
