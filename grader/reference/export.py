"""Every exact value of an exercise's worked case as plain data: `grader solve --format json`.

One object per exercise, with these keys always present (a stable shape for scripts):

    {"exercise": id, "forward": {"z1": [...], "h1": [...], ...}, "loss": L,
     "gradients": {"W1": [[...]], "b1": [...], ...},
     "updated": {"W1": [[...]], ...} or null, "loss_after": L or null}

`updated` (one gradient-descent step) and `loss_after` are null when the exercise gives no
learning rate. Numbers are float64 written by repr, which reads back to the same float bit for
bit; nothing is rounded. JSON has no NaN or infinity, so an exercise whose exact values are not
finite in float64 (parameters so large that z overflows) is refused with the first such entry
named, rather than written as something a script could mistake for a number or a gap.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from grader.errors import ExerciseError
from grader.exercise.loader import LoadedExercise
from grader.plan.cases import worked_case
from grader.reference import network as solver


def _plain(arrays: Mapping[str, np.ndarray]) -> dict[str, Any]:
    # tolist() gives Python floats, which json writes with repr: the shortest exact round trip.
    # Adding 0.0 turns a negative zero (0 times a negative slope) into the 0 a person expects.
    return {
        key: (np.asarray(value, dtype=np.float64) + 0.0).tolist() for key, value in arrays.items()
    }


def solution(exercise: LoadedExercise) -> dict[str, Any]:
    """The exact forward pass, loss, gradients and (with a learning rate) one step."""
    # Overflow is looked for in the results (refused below), so numpy need not warn about it.
    with np.errstate(over="ignore", invalid="ignore"):
        data = _exact(exercise)
    _refuse_non_finite(exercise, data)
    return data


def _exact(exercise: LoadedExercise) -> dict[str, Any]:
    case, net = worked_case(exercise), exercise.network
    fwd = solver.forward(net, case.params, case.x)
    grads = solver.backward(net, case.params, case.x, case.y, fwd)
    data: dict[str, Any] = {
        "exercise": exercise.id,
        "forward": _plain(fwd.values),
        "loss": solver.loss(net, case.params, case.x, case.y),
        "gradients": _plain(grads),
        "updated": None,
        "loss_after": None,
    }
    if case.learning_rate is not None:
        updated = solver.update(net, case.params, grads, case.learning_rate)
        data["updated"] = _plain(updated)
        data["loss_after"] = solver.loss(net, updated, case.x, case.y)
    return data


def _first_non_finite(value: Any, where: str) -> str | None:
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} = {value}"
    items = value.items() if isinstance(value, dict) else enumerate(value or ())
    for key, item in items:
        sub = f"{where}.{key}" if isinstance(value, dict) else f"{where}[{key}]"
        found = _first_non_finite(item, sub.lstrip("."))
        if found:
            return found
    return None


def _refuse_non_finite(exercise: LoadedExercise, data: dict[str, Any]) -> None:
    numbers = {k: v for k, v in data.items() if k != "exercise"}
    found = _first_non_finite(numbers, "")
    if found:
        why = f"the exact {found} is not a finite float64, and JSON cannot hold it"
        raise ExerciseError(str(exercise.path), [("", why)])


def solutions_json(exercises: Iterable[LoadedExercise], several: bool) -> str:
    """One JSON object, or a list of them when several exercises were asked for."""
    found = [solution(exercise) for exercise in exercises]
    return json.dumps(found if several else found[0], allow_nan=False)
