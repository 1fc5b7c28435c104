"""How each quantity is scored: its points and its tolerance mode, checked once per table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from grader import plugins
from grader.errors import ExerciseError
from grader.exercise.messages import key_path, message
from grader.exercise.schema import Exercise
from grader.tasks.base import Quantity


@dataclass(frozen=True)
class Rule:
    """How one quantity is scored: its points and its tolerance mode."""

    points: float
    mode: str
    tolerance: Any  # the mode plugin
    settings: Any  # the mode's validated settings


def _points(spec: Exercise, names: list[str]) -> tuple[dict[str, float], list[tuple]]:
    given = spec.grading.points
    problems: list[tuple[str, str]] = []
    if not given:
        total = spec.points if spec.points is not None else float(len(names))
        return dict.fromkeys(names, total / len(names)), problems
    if spec.points is not None and abs(sum(given.values()) - spec.points) > 1e-9:
        problems.append(
            ("points", f"is {spec.points} but grading.points add up to {sum(given.values())}")
        )
    problems += [
        (
            "grading.points",
            f"no points for {name!r}: give every quantity its points, or "
            "none to split `points` evenly",
        )
        for name in names
        if name not in given
    ]
    return {name: given.get(name, 0.0) for name in names}, problems


def _tolerance(where: str, tol: Any) -> tuple[Any, Any, list[tuple]]:
    """The mode plugin and its validated settings, or the problems with them."""
    mode = plugins.get("tolerances", tol.mode)
    try:
        return mode, mode.settings.model_validate(tol.options()), []
    except ValidationError as exc:
        fields = ["mode", *mode.settings.model_fields]
        return (
            mode,
            None,
            [(key_path((where, *e["loc"])), message(e, fields)) for e in exc.errors()],
        )


def resolve_rules(spec: Exercise, quantities: tuple[Quantity, ...]) -> dict[str, Rule]:
    names = [q.name for q in quantities]
    overrides = spec.grading.tolerances
    problems = [
        (f"grading.{table}.{key}", f"no quantity {key!r} in this task (known: {', '.join(names)})")
        for table in ("points", "tolerances", "visibilities")
        for key in getattr(spec.grading, table)
        if key not in names
    ]
    points, more = _points(spec, names)
    problems += more
    # Each tolerance table is checked once, however many quantities share it.
    shared = _tolerance("grading.tolerance", spec.grading.tolerance)
    problems += shared[2]
    rules: dict[str, Rule] = {}
    for name in names:
        if name in overrides:
            mode, settings, more = _tolerance(f"grading.tolerances.{name}", overrides[name])
            problems += more
        else:
            mode, settings, _ = shared
        chosen = overrides.get(name, spec.grading.tolerance).mode
        rules[name] = Rule(points[name], chosen, mode, settings)
    if problems:
        raise ExerciseError("", problems)
    return rules
