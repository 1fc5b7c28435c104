"""Tests for grader.tasks.train: the train task plugin, its reference and its grading.

Also the exercise-file side of training (expected.trained and expected.losses), and the loss
falling on the worked case and on the hidden cases that the bundled exercise plans.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader import plugins
from grader.exercise import LoadedExercise
from grader.pipeline import check_submission
from grader.plan.cases import hidden_cases, plan_cases, worked_case
from grader.reference import network as solver
from grader.tasks.train import task

Load = Callable[[str], LoadedExercise]
Write = Callable[..., Path]


# One worker for the module (conftest's worker_run): these tests are about grading, not about
# what one run leaves to the next; each submission still runs in a fresh process of its own.
_RUN: list[Callable[..., Any]] = []


@pytest.fixture(scope="module", autouse=True)
def _one_worker(worker_run: Callable[..., Any]) -> None:
    _RUN[:] = [worker_run]


Problems = Callable[[Path], list[tuple[str, str]]]
EXERCISE = "house-price-train"

# A submission with one switch per classic mistake; "correct" has none.
TEMPLATE = """
import numpy as np

MISTAKE = {mistake!r}

def loss(p, x, y):
    h1 = 1 / (1 + np.exp(-(p["W1"] @ x + p["b1"])))
    return h1, 0.5 * float(np.sum((y - (p["W2"] @ h1 + p["b2"])) ** 2))

def train(params, x, y, learning_rate, iterations):
    p = {{k: np.array(v, dtype=float) for k, v in params.items()}}
    losses = []
    for _ in range(iterations):
        h1, value = loss(p, x, y)
        if MISTAKE != "loss-after-step":
            losses.append(value)
        d2 = (p["W2"] @ h1 + p["b2"]) - y
        d1 = (p["W2"].T @ d2) * h1 * (1 - h1)
        g = {{"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h1), "b2": d2}}
        sign = -1 if MISTAKE == "ascent" else 1
        p = {{k: p[k] - sign * learning_rate * g[k] for k in p}}
        if MISTAKE == "loss-after-step":
            losses.append(loss(p, x, y)[1])
    if MISTAKE != "no-final-loss":
        losses.append(loss(p, x, y)[1])
    if MISTAKE == "one-step":
        p = {{k: np.array(v, dtype=float) for k, v in params.items()}}
    return {{**p, "losses": losses}}
"""
PARAMS = ["W1", "b1", "W2", "b2"]
MISTAKES = {
    "correct": set(),
    "ascent": {*PARAMS, "losses"},
    "loss-after-step": {"losses"},  # every loss one step late
    "no-final-loss": {"losses"},  # iterations numbers, not iterations + 1
    "one-step": set(PARAMS),  # returns the untouched parameters
}


def titles(names: set[str]) -> set[str]:
    return {name if name == "losses" else f"{name} (trained)" for name in names}


def test_the_plugin_is_registered_and_keeps_its_contract() -> None:
    assert plugins.get("tasks", "train") is task
    assert (task.function, task.requires) == ("train", ("learning_rate", "iterations"))


def test_quantities_are_the_trained_parameters_and_the_losses(bundled_exercise: Load) -> None:
    quantities = task.quantities(bundled_exercise(EXERCISE).network)
    assert [(q.name, q.section) for q in quantities] == [
        *((name, "trained") for name in PARAMS),
        ("losses", "losses"),
    ]
    assert quantities[0].entry((1, 0)) == "w_21^1 (trained)"
    assert quantities[-1].entry((0,)) == "L after 0 iterations"
    assert quantities[-1].entry((1,)) == "L after 1 iteration"


def test_arguments_carry_the_learning_rate_and_iterations(bundled_exercise: Load) -> None:
    args = task.arguments(worked_case(bundled_exercise(EXERCISE)))
    assert list(args) == ["params", "x", "y", "learning_rate", "iterations"]
    assert (args["learning_rate"], args["iterations"]) == (0.2, 10)


def test_the_reference_is_the_solvers_training(bundled_exercise: Load) -> None:
    exercise = bundled_exercise(EXERCISE)
    for case in plan_cases(exercise, seed=3):
        ref = task.reference(exercise.network, case)
        params, losses = solver.train(exercise.network, case.params, case.x, case.y, 0.2, 10)
        np.testing.assert_array_equal(ref["losses"], losses)
        for name in PARAMS:
            np.testing.assert_array_equal(ref[name], params[name])


def test_one_iteration_is_the_train_step_task(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-step")
    case = worked_case(exercise)
    one = task.reference(exercise.network, case.__class__(**{**vars(case), "iterations": 1}))
    step = plugins.get("tasks", "train-step").reference(exercise.network, case)
    for name in PARAMS:
        np.testing.assert_allclose(one[name], step[name], rtol=0, atol=1e-15)


def test_the_loss_falls_at_every_iteration_of_the_worked_case(bundled_exercise: Load) -> None:
    exercise = bundled_exercise(EXERCISE)
    losses = task.reference(exercise.network, worked_case(exercise))["losses"]
    assert np.all(np.diff(losses) < 0)
    assert losses[-1] < losses[0] / 100


def test_the_loss_falls_on_the_hidden_cases_too(bundled_exercise: Load) -> None:
    # The hidden cases reuse the learning rate 0.2 and 10 iterations: small enough that the
    # loss falls at every step on each of 2000 planned random cases of this network.
    exercise = bundled_exercise(EXERCISE)
    for case in hidden_cases(exercise, seed=2024, count=2000):
        _, losses = solver.train(exercise.network, case.params, case.x, case.y, 0.2, 10)
        assert np.all(np.diff(losses) <= 0), case.label


@pytest.mark.parametrize("mistake", list(MISTAKES), ids=list(MISTAKES))
def test_grading_names_what_is_wrong(
    bundled_exercise: Load, write_submission: Write, mistake: str
) -> None:
    path = write_submission(TEMPLATE.format(mistake=mistake))
    result = check_submission(bundled_exercise(EXERCISE), path, run=_RUN[0])
    wrong = {c.name for c in result.checks if c.status != "pass"}
    assert wrong == titles(MISTAKES[mistake]), [c.message for c in result.checks]
    assert result.full_marks == (mistake == "correct")


def test_a_missing_final_loss_is_a_shape_message(
    bundled_exercise: Load, write_submission: Write
) -> None:
    path = write_submission(TEMPLATE.format(mistake="no-final-loss"))
    result = check_submission(bundled_exercise(EXERCISE), path, run=_RUN[0])
    losses = next(c for c in result.checks if c.name == "losses")
    assert "has shape (10,), expected (11,)" in losses.message


def test_the_printed_losses_are_found_for_the_document_tolerance(
    bundled_exercise: Load, write_submission: Write
) -> None:
    # Losses rounded to 4 significant figures, as the exercise prints them: within the
    # document band on the worked case (so scoring found expected.losses), not on hidden ones.
    source = TEMPLATE.format(mistake="correct") + (
        "\n_exact = train\n\ndef train(*args):\n    out = _exact(*args)\n"
        '    out["losses"] = [float(f"{v:.4g}") for v in out["losses"]]\n'
        "    return out\n"
    )
    result = check_submission(bundled_exercise(EXERCISE), write_submission(source), run=_RUN[0])
    losses = next(c for c in result.checks if c.name == "losses")
    assert losses.cases_passed == 1
    assert "worked case" not in losses.message


# --- the exercise file: expected.trained and expected.losses ---------------------------------

TRAIN = {"task": "train", "case__learning_rate": 0.2, "case__iterations": 3}


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        (
            {**TRAIN, "expected__trained__W2": [[0.1], [0.2]]},
            ("expected.trained.W2", "shape (2, 1), expected (1, 2)"),
        ),
        (
            {**TRAIN, "expected__trained__W3": [[0.1]]},
            ("expected.trained.W3", "unknown name (expected one of W1, b1, W2, b2)"),
        ),
        (
            {"expected__trained__b2": [0.1]},
            ("case.iterations", "missing: expected.trained needs it"),
        ),
        (
            {"case__iterations": 2, "expected__losses": [0.5, 0.4, 0.3]},
            ("case.learning_rate", "missing: training values need one"),
        ),
        (
            {"task": "train", "case__learning_rate": 0.2},
            ("case.iterations", "missing: task 'train' needs it"),
        ),
    ],
    ids=["trained-shape", "trained-unknown", "trained-no-iterations", "losses-no-lr", "task"],
)
def test_training_values_are_checked_with_the_file(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, problem: tuple
) -> None:
    assert problem in exercise_problems(write_exercise(**overrides))
