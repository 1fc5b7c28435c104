"""Tests for grader.authoring.model_code: the model solution `grader new` writes is the reference
solver's arithmetic for every built-in activation, loss and task, and needs nothing but numpy.

The generated code is the project's own, so these tests run it in-process (quickly); the tests
of authoring.py run a few through the sandbox, as `grader validate` does.
"""

from __future__ import annotations

import ast
import copy
import itertools
from typing import Any

import numpy as np
import pytest

from grader import plugins
from grader.authoring.model_code import ACTIVATIONS, LOSSES, TASKS, Design, solution_code
from grader.authoring.model_code import unsupported as unsupported_names
from grader.exercise.loader import LoadedExercise
from grader.exercise.pairings import pairing_problems
from grader.plan.cases import Case
from grader.reference.network import Layer, Network


def run_solution(exercise: LoadedExercise, case: Case) -> dict[str, Any]:
    """The exercise's model solution (written by grader new) run on `case`, in-process."""
    design = Design(
        exercise.id,
        exercise.spec.task,
        exercise.network.inputs,
        tuple((layer.units, layer.activation_name) for layer in exercise.network.layers),
        exercise.network.loss_name,
    )
    return _call(design, exercise.task, case)


def _call(design: Design, task: Any, case: Case) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(solution_code(design), f"{design.exercise_id}.py", "exec"), namespace)
    return namespace[task.function](**copy.deepcopy(task.arguments(case)))


def _network(design: Design) -> Network:
    layers = tuple(Layer(u, plugins.get("activations", a), a) for u, a in design.layers)
    return Network(design.inputs, layers, plugins.get("losses", design.loss), design.loss)


def _case(network: Network, rng: np.random.Generator, batch: int | None) -> Case:
    rows = () if batch is None else (batch,)
    params = {n: rng.uniform(-1, 1, s) for n, s in network.shapes().items()}
    x = rng.uniform(-1, 1, (*rows, network.inputs))
    y = network.loss.sample_targets(rng, (*rows, network.outputs))
    return Case("case", params, x, np.asarray(y, dtype=float), 0.3, 3, worked=False)


PAIRS = [
    (activation, loss)
    for activation, loss in itertools.product(ACTIVATIONS, LOSSES)
    if not pairing_problems(_network(Design("x", "backward", 2, ((2, activation),), loss)))
]


@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize(("output", "loss"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_every_task_activation_and_loss_is_the_reference(task: str, output: str, loss: str) -> None:
    hidden = tuple((3, name) for name in ACTIVATIONS)  # every activation once, hidden
    design = Design("x", task, 2, (*hidden, (2, output)), loss)
    network, task_plugin = _network(design), plugins.get("tasks", task)
    rng = np.random.default_rng(1)
    for batch in (None, 3):
        case = _case(network, rng, batch)
        got = _call(design, task_plugin, case)
        for name, value in task_plugin.reference(network, case).items():
            np.testing.assert_allclose(got[name], value, rtol=1e-9, atol=1e-12, err_msg=name)


def test_it_imports_numpy_only_and_writes_out_only_what_the_network_uses() -> None:
    code = solution_code(
        Design("x", "backward", 2, ((2, "tanh"), (1, "sigmoid")), "binary-cross-entropy")
    )
    imports = [n for n in ast.walk(ast.parse(code)) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [alias.name for node in imports for alias in node.names] == ["numpy"]
    assert "np.tanh" in code and "relu" not in code and "softmax" not in code
    assert "(h - y) / m" in code  # sigmoid and binary cross-entropy: the delta in one step


def test_a_plugin_name_is_refused_naming_the_option() -> None:
    design = Design("x", "grade-me", 2, ((2, "softplus"), (1, "linear")), "hinge")
    problems = unsupported_names(design)
    assert [option for option, _ in problems] == ["--task", "--layers", "--loss"]
    assert "activation 'softplus' comes from a plugin" in problems[1][1]
