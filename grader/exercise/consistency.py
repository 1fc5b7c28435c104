"""Checks that need the whole file: shapes agree with the network, the task has what it needs,
the printed sections are ones the task declares (Task.sections) with its keys and shapes, the
loss suits the output activation and the targets suit the loss (pairings.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.errors import ExerciseError
from grader.exercise.pairings import pairing_problems, target_problems
from grader.exercise.schema import Exercise
from grader.plan.cases import case_of
from grader.reference.network import Network
from grader.suggest import close_matches
from grader.tasks import hooks
from grader.tasks.base import Section


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _check_table(
    table: dict[str, Any],
    expected: dict[str, tuple[int, ...]],
    where: str,
    required: bool,
    suggest: bool = False,
) -> list[tuple[str, str]]:
    problems = []
    for name, array in table.items():
        if name not in expected:
            close = close_matches(name, expected) if suggest else []
            hint = (
                f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(expected)}"
            )
            problems.append((f"{where}.{name}", f"unknown name ({hint})"))
        elif array.shape != expected[name]:
            problems.append(
                (
                    f"{where}.{name}",
                    f"shape {_shape(array.shape)}, expected {_shape(expected[name])}",
                )
            )
    if required:
        problems += [(f"{where}.{name}", "missing") for name in expected if name not in table]
    return problems


def _observation_shapes(spec: Exercise, net: Network) -> tuple[list[tuple[str, str]], tuple]:
    x, y = spec.case.x, spec.case.y
    batch: tuple[int, ...] = x.shape[:-1] if len(x.shape) == 2 else ()
    problems = []
    if len(x.shape) not in (1, 2) or x.shape[-1] != net.inputs:
        problems.append(
            ("case.x", f"shape {_shape(x.shape)}, expected ({net.inputs},) or (m, {net.inputs})")
        )
    if y.shape != (*batch, net.outputs):
        problems.append(
            ("case.y", f"shape {_shape(y.shape)}, expected {_shape((*batch, net.outputs))}")
        )
    return problems, batch


def _unknown_section(name: str, accepted: Mapping[str, Section], task: str) -> str:
    close = close_matches(name, accepted)
    hint = (
        f"did you mean {close[0]!r}?" if close else f"task {task!r} accepts {', '.join(accepted)}"
    )
    return f"unknown key ({hint})"


def _section_problems(where: str, printed: Any, section: Section) -> list[tuple[str, str]]:
    if section.table != isinstance(printed, dict):
        kind = "a table of named arrays" if section.table else "a number or an array, not a table"
        return [(where, f"expected {kind}")]
    if section.keys is not None:
        return _check_table(printed, dict(section.keys), where, required=False, suggest=True)
    if section.shape is not None and printed.shape != section.shape:
        wrong = f"shape {_shape(printed.shape)}, expected {_shape(section.shape)}"
        return [(where, wrong + section.shape_note)]
    return []


def expected_problems(spec: Exercise, net: Network, task: Any) -> list[tuple[str, str]]:
    """Each printed section against the sections the task accepts for this network and case."""
    accepted = hooks.sections(task, net, case_of(spec))
    problems: list[tuple[str, str]] = []
    for name, printed in spec.expected.sections.items():
        section = accepted.get(name)
        if section is None:
            problems.append((f"expected.{name}", _unknown_section(name, accepted, spec.task)))
            continue
        problems += _section_problems(f"expected.{name}", printed, section)
        problems += [
            (f"case.{key}", f"missing: {why}")
            for key, why in section.needs.items()
            if getattr(spec.case, key, None) is None
        ]
    return problems


def _frozen_problems(spec: Exercise, net: Network) -> list[tuple[str, str]]:
    names = list(net.shapes())
    problems = []
    for i, name in enumerate(spec.network.frozen):
        if name in spec.network.frozen[:i]:
            problems.append((f"network.frozen[{i}]", f"{name!r} is listed twice"))
        elif name not in names:
            close = close_matches(name, names)
            hint = f"did you mean {close[0]!r}?" if close else f"parameters: {', '.join(names)}"
            problems.append((f"network.frozen[{i}]", f"unknown parameter {name!r} ({hint})"))
    return problems


def _nothing_to_grade(spec: Exercise) -> tuple[str, str]:
    if spec.network.frozen:
        return (
            "network.frozen",
            f"every parameter is frozen, and task {spec.task!r} grades only those that are "
            "not: nothing is left to grade",
        )
    return ("task", f"task {spec.task!r} has nothing to grade in this network")


def check_consistency(spec: Exercise, net: Network, task: Any) -> None:
    """Raise ExerciseError (without a file name; the loader adds it) listing every problem."""
    problems = _check_table(spec.case.params, net.shapes(), "case.params", required=True)
    problems += _frozen_problems(spec, net)
    problems += _observation_shapes(spec, net)[0]
    problems += pairing_problems(net)
    problems += target_problems(net, spec.case.y)  # the worked case: every row of a batch
    for key in task.requires:
        if getattr(spec.case, key, None) is None:
            problems.append((f"case.{key}", f"missing: task {spec.task!r} needs it"))
    problems += expected_problems(spec, net, task)
    if not problems and not tuple(task.quantities(net)):
        problems.append(_nothing_to_grade(spec))
    if problems:
        raise ExerciseError("", list(dict.fromkeys(problems)))


def refuse_overflow(path: str, exact: Mapping[str, Any]) -> None:
    """Numbers too large for float64 arithmetic have no exact value to hold anything to: an
    exercise whose worked case overflows is refused, by `validate` and by every grading."""
    for key, values in exact.items():
        if not np.all(np.isfinite(values)):
            raise ExerciseError(
                path,
                [
                    (
                        "case",
                        f"the worked case overflows float64: its exact {key} is not finite; "
                        "use smaller parameters, inputs or learning rate",
                    )
                ],
            )
