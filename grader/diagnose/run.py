"""Ask every diagnosis plugin about every wrong quantity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from grader import plugins
from grader.diagnose.evidence import Evidence
from grader.exercise.loader import LoadedExercise
from grader.plan import memo
from grader.plan.cases import Case
from grader.protocols import Diagnosis
from grader.result import Check


def _ordered() -> list[tuple[str, Diagnosis]]:
    found = plugins.registry("diagnoses")  # read once per process: sorted once per registry
    return memo.once(
        found,
        "by priority",
        lambda: sorted(
            ((name, p.obj) for name, p in found.items()),
            key=lambda item: (item[1].priority, item[0]),
        ),
    )


def diagnose(
    exercise: LoadedExercise,
    cases: list[Case],
    refs: Sequence[dict[str, np.ndarray]],
    submitted: dict[str, list[np.ndarray | None]],
    checks: list[Check],
    slack: dict[str, list] | None = None,
    received: Mapping[str, Sequence[tuple[np.ndarray | None, str]]] | None = None,
) -> list[Check]:
    """The checks, each wrong one with the first diagnosis that explains every case.

    `received` is scoring's (array, problem) per case and quantity: the problem says why no
    array came back ("raised ValueError: ..."), which some diagnoses read.
    """
    by_name = {q.name: q for q in exercise.quantities}
    planted: dict = {}  # shared by every quantity's Evidence: one plant gives them all
    out = []
    for check in checks:
        name = check.quantity.split(".", 1)[1]
        if check.status == "pass" or name not in submitted:
            out.append(check)
            continue
        evidence = Evidence(
            exercise,
            by_name[name],
            cases,
            [np.asarray(r[name]) for r in refs],
            submitted[name],
            (slack or {}).get(name, []),
            [problem for _, problem in (received or {}).get(name, [])],
            planted=planted,
        )
        for diagnosis_id, diagnosis in _ordered():
            sentence = diagnosis.explains(evidence)
            if sentence:
                check = check.model_copy(
                    update={"diagnosis": diagnosis_id, "explanation": sentence}
                )
                break
        out.append(check)
    return out
