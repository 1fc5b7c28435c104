"""Hand-computed answers: a TOML file laid out like the exercise's expected values.

    [gradients]
    W1 = [[-0.028, -0.058], [-0.018, -0.038]]
    ...

It is data, so it is read here (never run), graded on the worked case only, under the
`document` tolerance whatever the exercise's own mode: one unit in the last place the
document printed, around both the exact and the printed value.
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
from grader.exercise.loader import LoadedExercise
from grader.exercise.numbers import to_decimal_array
from grader.plan.cases import worked_case
from grader.result import CheckResult
from grader.run.runner import RunReport

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SubmissionNotFound(f"{path}: no such answers file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SubmissionNotFound(f"{path}: cannot read the answers file ({exc})") from None
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ExerciseError(str(path), [("", f"invalid TOML: {exc}")]) from None


def _encode(value: Any) -> tuple[dict[str, Any], np.ndarray]:
    """An answer as the child would have sent it, and the unit of its last written place."""
    try:
        array = to_decimal_array(value)
    except ValueError as exc:  # pydantic's error is a ValueError: say it in plain words
        return {"error": f"not an array of numbers ({exc})"}, np.zeros(())
    floats = array.floats()
    return {"shape": list(floats.shape), "data": floats.ravel().tolist()}, array.units()


def check_answers(exercise: LoadedExercise, path: Path) -> CheckResult:
    from grader.pipeline import grade_report

    answers = _read(path)
    case = worked_case(exercise)
    values, slack = {}, {}
    for q in exercise.quantities:
        table = answers.get(q.section, {})
        if isinstance(table, dict) and q.name in table:
            values[q.name], units = _encode(table[q.name])
            # A wrong method worked by hand carries its own rounding: allow two written units.
            slack[q.name] = [2 * units]
    report = RunReport(events={0: {"event": "result", "type": "dict", "values": values}})
    unknown = sorted(set(answers) - {q.section for q in exercise.quantities})
    if unknown:
        report.status = "answers"
        sections = ", ".join(sorted({q.section for q in exercise.quantities}))
        report.message = (
            f"tables {', '.join(unknown)} are not graded by this exercise (it grades [{sections}])"
        )
    document = plugins.get("tolerances", "document")
    rules = {
        name: replace(rule, mode="document", tolerance=document, settings=document.settings())
        for name, rule in exercise.rules.items()
    }
    by_hand = replace(exercise, rules=rules)
    refs = [exercise.task.reference(exercise.network, case)]
    return grade_report(by_hand, path, 0, [case], refs, report, slack)
