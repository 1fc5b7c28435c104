"""Tests for grader.tasks.forward: the forward task plugin, its reference and its grading.

Submissions are written inline to tmp_path and graded through the real pipeline (a child
process each, about 0.1 s).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader import plugins
from grader.exercise import LoadedExercise, load_exercise
from grader.pipeline import check_submission
from grader.plan.cases import plan_cases, worked_case
from grader.reference import network as solver
from grader.tasks.forward import task

Load = Callable[[str], LoadedExercise]
Write = Callable[..., Path]


# One worker for the module (conftest's worker_run): these tests are about grading, not about
# what one run leaves to the next; each submission still runs in a fresh process of its own.
_RUN: list[Callable[..., Any]] = []


@pytest.fixture(scope="module", autouse=True)
def _one_worker(worker_run: Callable[..., Any]) -> None:
    _RUN[:] = [worker_run]


CORRECT = """
import numpy as np

def forward(params, x):
    h1 = 1 / (1 + np.exp(-(params["W1"] @ x + params["b1"])))
    return {"h1": h1, "h2": params["W2"] @ h1 + params["b2"]}
"""
# x as a batch of rows: z = x W^T + b works for one observation and for a batch.
CORRECT_BATCH = """
import numpy as np

def forward(params, x):
    h1 = 1 / (1 + np.exp(-(x @ params["W1"].T + params["b1"])))
    return {"h1": h1, "h2": h1 @ params["W2"].T + params["b2"]}
"""
BUGGY = {
    # the classic slip: z^1 passed on without the activation
    "no-activation": (
        """
        def forward(params, x):
            z1 = params["W1"] @ x + params["b1"]
            return {"h1": z1, "h2": params["W2"] @ z1 + params["b2"]}
        """,
        {"h1", "h2"},
    ),
    # W1 used as (inputs, units): x W instead of W x
    "transposed": (
        """
        import numpy as np

        def forward(params, x):
            h1 = 1 / (1 + np.exp(-(params["W1"].T @ x + params["b1"])))
            return {"h1": h1, "h2": params["W2"] @ h1 + params["b2"]}
        """,
        {"h1", "h2"},
    ),
    # the output layer given the hidden layer's sigmoid: the house price is linear
    "sigmoid-output": (
        """
        import numpy as np

        def sigmoid(z):
            return 1 / (1 + np.exp(-z))

        def forward(params, x):
            h1 = sigmoid(params["W1"] @ x + params["b1"])
            return {"h1": h1, "h2": sigmoid(params["W2"] @ h1 + params["b2"])}
        """,
        {"h2"},
    ),
}


def test_the_plugin_is_registered_and_keeps_its_contract() -> None:
    assert plugins.get("tasks", "forward") is task
    assert (task.function, task.requires) == ("forward", ())


def test_quantities_are_the_layer_outputs_in_lecture_notation(bundled_exercise: Load) -> None:
    quantities = task.quantities(bundled_exercise("house-price-forward").network)
    assert [(q.name, q.section, q.shape, q.title) for q in quantities] == [
        ("h1", "forward", (2,), "h1"),
        ("h2", "forward", (1,), "h2"),
    ]
    assert quantities[1].entry((0,)) == "h_1^2"
    assert quantities[0].entry((1,)) == "h_2^1"


def test_arguments_are_params_and_x_only(bundled_exercise: Load) -> None:
    case = worked_case(bundled_exercise("house-price-forward"))
    assert list(task.arguments(case)) == ["params", "x"]


def test_the_reference_is_the_solver_outputs_without_z(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-forward")
    for case in plan_cases(exercise, seed=7):
        ref = task.reference(exercise.network, case)
        full = solver.forward(exercise.network, case.params, case.x).values
        assert sorted(ref) == ["h1", "h2"]
        for key, value in ref.items():
            np.testing.assert_array_equal(value, full[key])


def test_the_reference_reproduces_the_lecture(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-forward")
    ref = task.reference(exercise.network, worked_case(exercise))
    np.testing.assert_allclose(ref["h1"], [0.484, 0.424], atol=5e-4)
    np.testing.assert_allclose(ref["h2"], [0.63], atol=5e-3)


def test_a_correct_forward_earns_full_marks(bundled_exercise: Load, write_submission: Write):
    result = check_submission(
        bundled_exercise("house-price-forward"), write_submission(CORRECT), run=_RUN[0]
    )
    assert result.full_marks, [c.message for c in result.checks] + result.problems
    assert [c.quantity for c in result.checks] == ["forward.h1", "forward.h2"]


def test_the_lectures_printed_values_pass_the_worked_case_only(
    bundled_exercise: Load, write_submission: Write
) -> None:
    source = 'def forward(params, x):\n    return {"h1": [0.484, 0.424], "h2": [0.63]}\n'
    result = check_submission(
        bundled_exercise("house-price-forward"), write_submission(source), run=_RUN[0]
    )
    assert [c.cases_passed for c in result.checks] == [1, 1]  # the document tolerance


@pytest.mark.parametrize("bug", list(BUGGY), ids=list(BUGGY))
def test_a_buggy_forward_loses_the_right_marks(
    bundled_exercise: Load, write_submission: Write, bug: str
) -> None:
    source, wrong = BUGGY[bug]
    result = check_submission(
        bundled_exercise("house-price-forward"), write_submission(source), run=_RUN[0]
    )
    assert {c.name for c in result.checks if c.status != "pass"} == wrong
    failing = next(c for c in result.checks if c.status != "pass")
    assert "h_1^" in failing.message or "h_2^" in failing.message  # named in lecture notation


def test_a_batch_case_is_graded_against_the_batch_shape(
    write_exercise: Write, write_submission: Write
) -> None:
    path = write_exercise(
        task="forward",
        case__x=[[-0.32, -0.66], [0.1, 0.2], [0.3, -0.4]],
        case__y=[[-0.54], [0.1], [0.2]],
    )
    exercise = load_exercise(path)
    assert check_submission(exercise, write_submission(CORRECT_BATCH), run=_RUN[0]).full_marks
    result = check_submission(
        exercise, write_submission(CORRECT), run=_RUN[0]
    )  # not vectorized: fails
    assert not result.full_marks
