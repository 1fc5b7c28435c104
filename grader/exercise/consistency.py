"""Checks that need the whole file: shapes agree with the network, the task has what it needs,
the loss suits the output activation and the targets suit the loss (pairings.py)."""

from __future__ import annotations

from typing import Any

from grader.errors import ExerciseError
from grader.exercise.pairings import pairing_problems, target_problems
from grader.exercise.schema import Exercise
from grader.reference.network import Network


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _check_table(
    table: dict[str, Any], expected: dict[str, tuple[int, ...]], where: str, required: bool
) -> list[tuple[str, str]]:
    problems = []
    for name, array in table.items():
        if name not in expected:
            problems.append(
                (f"{where}.{name}", f"unknown name (expected one of {', '.join(expected)})")
            )
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


def check_consistency(spec: Exercise, net: Network, task: Any) -> None:
    """Raise ExerciseError (without a file name; the loader adds it) listing every problem."""
    params = net.shapes()
    problems = _check_table(spec.case.params, params, "case.params", required=True)
    observation, batch = _observation_shapes(spec, net)
    problems += observation
    problems += pairing_problems(net)
    problems += target_problems(net, spec.case.y)  # the worked case: every row of a batch
    forward = {}
    for number, layer in enumerate(net.layers, start=1):
        forward[f"z{number}"] = forward[f"h{number}"] = (*batch, layer.units)
    problems += _check_table(spec.expected.forward, forward, "expected.forward", False)
    problems += _check_table(spec.expected.gradients, params, "expected.gradients", False)
    problems += _check_table(spec.expected.updated, params, "expected.updated", False)
    problems += _check_table(spec.expected.trained, params, "expected.trained", False)
    for key in task.requires:
        if getattr(spec.case, key, None) is None:
            problems.append((f"case.{key}", f"missing: task {spec.task!r} needs it"))
    if spec.expected.updated and spec.case.learning_rate is None:
        problems.append(("case.learning_rate", "missing: expected.updated needs one"))
    if spec.expected.trained and spec.case.iterations is None:
        problems.append(("case.iterations", "missing: expected.trained needs it"))
    trains = bool(spec.expected.trained) or spec.expected.losses is not None
    if trains and spec.case.learning_rate is None:
        problems.append(("case.learning_rate", "missing: training values need one"))
    losses = spec.expected.losses
    if losses is not None and spec.case.iterations is None:
        problems.append(("case.iterations", "missing: expected.losses needs it"))
    elif losses is not None and losses.shape != (spec.case.iterations + 1,):
        problems.append(
            (
                "expected.losses",
                f"shape {_shape(losses.shape)}, expected "
                f"({spec.case.iterations + 1},): the loss before "
                "each iteration and after the last",
            )
        )
    if problems:
        raise ExerciseError("", problems)
