"""Tests for grader.exercise.consistency: shapes agree with the network, the task has its inputs.

The default exercise (conftest) is the lecture's 2-2-1 network: W1 (2, 2), b1 (2,), W2 (1, 2),
b2 (1,). Problems are read through load_exercise, which adds the file name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from grader.exercise import load_exercise

Problems = Callable[[Path], list[tuple[str, str]]]
Write = Callable[..., Path]

PARAMS = "expected one of W1, b1, W2, b2"
BATCH_X = [[-0.32, -0.66], [0.1, 0.2], [0.3, -0.4]]
BATCH_Y = [[-0.54], [0.1], [0.2]]


# --- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("W2", [[0.3], [0.2]], "shape (2, 1), expected (1, 2)"),  # transposed
        ("W2", [0.3, 0.2], "shape (2,), expected (1, 2)"),
        ("W1", [[0.2, 0.15, 0.1], [0.5, 0.6, 0.1]], "shape (2, 3), expected (2, 2)"),
        ("b1", [0.1, 0.25, 0.3], "shape (3,), expected (2,)"),
        ("b1", [[0.1], [0.25]], "shape (2, 1), expected (2,)"),  # a column vector
        ("b2", 0.4, "shape (), expected (1,)"),
    ],
    ids=["W2-transposed", "W2-flat", "W1-3-columns", "b1-3", "b1-column", "b2-scalar"],
)
def test_wrong_parameter_shape(
    write_exercise: Write, exercise_problems: Problems, name: str, value: object, message: str
) -> None:
    path = write_exercise(**{f"case__params__{name}": value})
    assert exercise_problems(path) == [(f"case.params.{name}", message)]


@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"], ids=["W1", "b1", "W2", "b2"])
def test_missing_parameter(write_exercise: Write, exercise_problems: Problems, name: str) -> None:
    path = write_exercise(**{f"case__params__{name}": ...})
    assert exercise_problems(path) == [(f"case.params.{name}", "missing")]


def test_no_parameters_at_all(write_exercise: Write, exercise_problems: Problems) -> None:
    assert exercise_problems(write_exercise(case__params={})) == [
        (f"case.params.{name}", "missing") for name in ["W1", "b1", "W2", "b2"]
    ]


@pytest.mark.parametrize("name", ["W3", "w1", "bias1"], ids=["W3", "lowercase-w1", "bias1"])
def test_unknown_parameter(write_exercise: Write, exercise_problems: Problems, name: str) -> None:
    path = write_exercise(**{f"case__params__{name}": [0.1]})
    assert exercise_problems(path) == [(f"case.params.{name}", f"unknown name ({PARAMS})")]


def test_shapes_follow_the_network(write_exercise: Write) -> None:
    # A 3-4-2 network: W1 (4, 3), b1 (4,), W2 (2, 4), b2 (2,).
    loaded = load_exercise(
        write_exercise(
            network__inputs=3,
            network__layers=[
                {"units": 4, "activation": "tanh"},
                {"units": 2, "activation": "softmax"},
            ],
            network__loss="categorical-cross-entropy",
            case={
                "x": [0.1, 0.2, 0.3],
                "y": [0.0, 1.0],
                "params": {
                    "W1": [[0.1, 0.2, 0.3]] * 4,
                    "b1": [0.1] * 4,
                    "W2": [[0.1, 0.2, 0.3, 0.4]] * 2,
                    "b2": [0.0, 0.1],
                },
            },
        )
    )
    assert [q.shape for q in loaded.quantities] == [(4, 3), (4,), (2, 4), (2,)]


# --- x and y ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ([-0.32, -0.66, 0.1], "shape (3,), expected (2,) or (m, 2)"),
        ([-0.32], "shape (1,), expected (2,) or (m, 2)"),
        (-0.32, "shape (), expected (2,) or (m, 2)"),
        ([[-0.32], [-0.66]], "shape (2, 1), expected (2,) or (m, 2)"),  # a column vector
        ([[[-0.32, -0.66]]], "shape (1, 1, 2), expected (2,) or (m, 2)"),
    ],
    ids=["3-inputs", "1-input", "scalar", "column", "3-d"],
)
def test_wrong_x_shape(
    write_exercise: Write, exercise_problems: Problems, x: object, message: str
) -> None:
    problems = exercise_problems(write_exercise(case__x=x))
    assert ("case.x", message) in problems
    assert all(key in ("case.x", "case.y") for key, _ in problems)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"case__y": [-0.54, 0.1]}, "shape (2,), expected (1,)"),
        ({"case__y": -0.54}, "shape (), expected (1,)"),
        ({"case__y": [[-0.54]]}, "shape (1, 1), expected (1,)"),
        ({"case__x": BATCH_X}, "shape (1,), expected (3, 1)"),
        ({"case__x": BATCH_X, "case__y": BATCH_Y[:2]}, "shape (2, 1), expected (3, 1)"),
        ({"case__x": BATCH_X, "case__y": [-0.54, 0.1, 0.2]}, "shape (3,), expected (3, 1)"),
    ],
    ids=["2-outputs", "scalar", "1x1", "batch-x-single-y", "batch-2-rows", "batch-flat-y"],
)
def test_wrong_y_shape(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, message: str
) -> None:
    assert exercise_problems(write_exercise(**overrides)) == [("case.y", message)]


def test_a_batch_x_of_m_rows_is_accepted(write_exercise: Write) -> None:
    path = write_exercise(
        case__x=BATCH_X,
        case__y=BATCH_Y,
        expected={"forward": {"h1": [[0.5, 0.4]] * 3, "z2": [[0.1]] * 3}},
    )
    spec = load_exercise(path).spec
    assert spec.case.x.shape == (3, 2) and spec.case.y.shape == (3, 1)


def test_batch_forward_values_need_a_row_per_observation(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(
        case__x=BATCH_X, case__y=BATCH_Y, expected={"forward": {"h1": [0.5, 0.4]}}
    )
    assert exercise_problems(path) == [("expected.forward.h1", "shape (2,), expected (3, 2)")]


# --- expected tables -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "name", "value", "message"),
    [
        ("forward", "h3", [0.1], "unknown name (expected one of z1, h1, z2, h2)"),
        ("forward", "a1", [0.1, 0.2], "unknown name (expected one of z1, h1, z2, h2)"),
        ("forward", "h1", [0.484], "shape (1,), expected (2,)"),
        ("forward", "z2", [[0.63]], "shape (1, 1), expected (1,)"),
        ("gradients", "W3", [[0.1]], f"unknown name ({PARAMS})"),
        ("gradients", "W1", [[-0.028, -0.058]], "shape (1, 2), expected (2, 2)"),
        ("gradients", "b2", 1.17, "shape (), expected (1,)"),
        ("updated", "b3", [0.1], f"unknown name ({PARAMS})"),
        ("updated", "W2", [[0.1867], [0.1008]], "shape (2, 1), expected (1, 2)"),
    ],
    ids=[
        "forward-h3",
        "forward-a1",
        "forward-h1-shape",
        "forward-z2-shape",
        "gradients-W3",
        "gradients-W1-shape",
        "gradients-b2-scalar",
        "updated-b3",
        "updated-W2-transposed",
    ],
)
def test_expected_table_entry(
    write_exercise: Write,
    exercise_problems: Problems,
    section: str,
    name: str,
    value: object,
    message: str,
) -> None:
    path = write_exercise(case__learning_rate=0.2, expected={section: {name: value}})
    assert exercise_problems(path) == [(f"expected.{section}.{name}", message)]


def test_expected_tables_need_not_be_complete(write_exercise: Write) -> None:
    path = write_exercise(
        case__learning_rate=0.2,
        expected={
            "forward": {"h2": [0.63]},
            "gradients": {"b2": [1.17]},
            "updated": {"b1": [0.0824, 0.2386]},
        },
    )
    assert load_exercise(path).spec.expected.forward["h2"].shape == (1,)


# --- learning rate ---------------------------------------------------------------------------


def test_train_step_without_learning_rate(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    assert exercise_problems(write_exercise(task="train-step")) == [
        ("case.learning_rate", "missing: task 'train-step' needs it")
    ]


def test_expected_updated_without_learning_rate(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(expected={"updated": {"b2": [0.166]}})
    assert exercise_problems(path) == [
        ("case.learning_rate", "missing: expected.updated needs one")
    ]


@pytest.mark.parametrize(
    "overrides",
    [{}, {"task": "train-step", "case__learning_rate": 0.2}],
    ids=["backward-without", "train-step-with"],
)
def test_learning_rate_present_where_needed(write_exercise: Write, overrides: dict) -> None:
    load_exercise(write_exercise(**overrides))


# --- all at once -----------------------------------------------------------------------------


def test_every_problem_is_reported_at_once(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(
        task="train-step",
        case__params__b2=...,
        case__params__W2=[[0.3], [0.2]],
        case__y=[-0.54, 0.1],
        expected={"forward": {"h3": [0.1]}, "gradients": {"b1": [0.1]}},
    )
    assert sorted(exercise_problems(path)) == [
        ("case.learning_rate", "missing: task 'train-step' needs it"),
        ("case.params.W2", "shape (2, 1), expected (1, 2)"),
        ("case.params.b2", "missing"),
        ("case.y", "shape (2,), expected (1,)"),
        ("expected.forward.h3", "unknown name (expected one of z1, h1, z2, h2)"),
        ("expected.gradients.b1", "shape (1,), expected (2,)"),
    ]


# --- pairings and targets (pairings.py) ------------------------------------------------------

W2_THREE = [[0.3, 0.2], [0.1, -0.4], [0.5, 0.6]]  # a 3-unit output layer


def output(activation: str, loss: str, y: object, units: int = 1) -> dict:
    """Overrides giving the default network this output layer, loss and targets."""
    w2 = [[0.3, 0.2]] if units == 1 else (W2_THREE if units == 3 else W2_THREE[:2])
    return {
        "network__layers__1__activation": activation,
        "network__layers__1__units": units,
        "network__loss": loss,
        "case__params__W2": w2,
        "case__params__b2": [0.4] * units,
        "case__y": y,
    }


@pytest.mark.parametrize(
    ("loss", "activation", "values"),
    [
        ("binary-cross-entropy", "linear", "(-inf, inf)"),
        ("binary-cross-entropy", "tanh", "(-1, 1)"),
        ("binary-cross-entropy", "relu", "[0, inf)"),
        ("binary-cross-entropy", "leaky-relu", "(-inf, inf)"),
        ("categorical-cross-entropy", "linear", "(-inf, inf)"),
        ("categorical-cross-entropy", "tanh", "(-1, 1)"),
        ("categorical-cross-entropy", "relu", "[0, inf)"),
    ],
    ids=["bce-linear", "bce-tanh", "bce-relu", "bce-leaky", "cce-linear", "cce-tanh", "cce-relu"],
)
def test_a_log_loss_on_an_output_that_is_no_probability_is_refused(
    write_exercise: Write, exercise_problems: Problems, loss: str, activation: str, values: str
) -> None:
    path = write_exercise(**output(activation, loss, [1]))
    assert exercise_problems(path) == [
        (
            "network.loss",
            f"{loss} takes the log of the output, so it needs outputs in (0, 1) (sigmoid or "
            f"softmax); the output layer's {activation} gives values in {values}",
        )
    ]


def test_a_one_unit_softmax_is_refused(write_exercise: Write, exercise_problems: Problems) -> None:
    path = write_exercise(**output("softmax", "categorical-cross-entropy", [1]))
    assert exercise_problems(path) == [
        (
            "network.layers[1].units",
            "a softmax over 1 unit is the constant 1 (every gradient through it is 0): give it "
            "2 or more units, or use sigmoid for one probability",
        )
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            output("sigmoid", "binary-cross-entropy", [0, 1, 2.0], units=3),
            "binary-cross-entropy needs targets in [0, 1]: case.y[2] = 2.0",
        ),
        (
            output("sigmoid", "binary-cross-entropy", [-0.5, 1.5, 0], units=3),
            "binary-cross-entropy needs targets in [0, 1]: case.y[0] = -0.5, case.y[1] = 1.5",
        ),
        (
            output("softmax", "categorical-cross-entropy", [-1, 2], units=2),
            "categorical-cross-entropy needs targets >= 0: case.y[0] = -1",
        ),
        (
            {
                **output("sigmoid", "binary-cross-entropy", [[0.5], [-0.1], [1]]),
                "case__x": BATCH_X,
            },
            "binary-cross-entropy needs targets in [0, 1]: case.y[1][0] = -0.1",
        ),
        (
            {
                **output("sigmoid", "binary-cross-entropy", [[2, 3, 4], [5, 1, 0], [0, 0, 9]], 3),
                "case__x": BATCH_X,
            },
            "binary-cross-entropy needs targets in [0, 1]: case.y[0][0] = 2, case.y[0][1] = 3, "
            "case.y[0][2] = 4 and 2 more",
        ),
    ],
    ids=["bce-above", "bce-both-sides", "cce-negative", "batch-row", "many"],
)
def test_targets_outside_the_loss_range_are_refused(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, message: str
) -> None:
    assert exercise_problems(write_exercise(**overrides)) == [("case.y", message)]


@pytest.mark.parametrize(
    "overrides",
    [
        output("softmax", "categorical-cross-entropy", [1, 1], units=2),  # rows need not sum to 1
        output("softmax", "categorical-cross-entropy", [0.2, 0.7, 0.1], units=3),
        output("sigmoid", "categorical-cross-entropy", [1]),
        output("softmax", "binary-cross-entropy", [0, 1], units=2),
        output("sigmoid", "binary-cross-entropy", [0.25, 1, 0], units=3),  # soft targets
        output("tanh", "half-squared-error", [-3.5]),  # squared errors take any target
        output("relu", "mean-squared-error", [7]),
    ],
    ids=["cce-sum-2", "cce-soft", "cce-sigmoid", "bce-softmax", "bce-soft", "hse-any", "mse-any"],
)
def test_meaningful_pairings_and_targets_load(write_exercise: Write, overrides: dict) -> None:
    load_exercise(write_exercise(**overrides))


def test_an_activation_that_declares_nothing_is_not_judged() -> None:
    # A plugin activation (tests/plugin_package's softplus declares no range) under a
    # cross-entropy: we cannot tell, so it is accepted and solved by the general chain rule.
    from grader.exercise.pairings import pairing_problems
    from grader.reference import losses
    from grader.reference.network import Layer, Network

    class Undeclared:
        def forward(self, z):  # pragma: no cover - never called here
            return z

        def backward(self, z, h, grad_h):  # pragma: no cover
            return grad_h

    net = Network(2, (Layer(1, Undeclared(), "softplus"),), losses.binary_cross_entropy, "bce")
    assert pairing_problems(net) == []


# --- sections are the task's (Task.sections) ---------------------------------------------------

SHARED_SECTIONS = "forward, gradients, deltas, updated, trained, loss, loss_after, losses"


@pytest.mark.parametrize(
    ("expected", "problem"),
    [
        (
            {"jacobian": {"z1": [0.1, 0.2]}},
            ("expected.jacobian", f"unknown key (task 'backward' accepts {SHARED_SECTIONS})"),
        ),
        ({"gradeints": {}}, ("expected.gradeints", "unknown key (did you mean 'gradients'?)")),
        ({"loss": {"L": 0.68}}, ("expected.loss", "expected a number or an array, not a table")),
        ({"gradients": [1.17]}, ("expected.gradients", "expected a table of named arrays")),
        (
            {"gradients": {"w1": [[0.1, 0.2], [0.3, 0.4]]}},
            ("expected.gradients.w1", "unknown name (did you mean 'W1'?)"),
        ),
        ({"loss": [0.68, 0.1]}, ("expected.loss", "shape (2,), expected ()")),
    ],
    ids=["unknown", "near-miss", "value-as-table", "table-as-value", "key-near-miss", "shape"],
)
def test_printed_sections_are_held_to_the_tasks_declaration(
    write_exercise: Write, exercise_problems: Problems, expected: dict, problem: tuple
) -> None:
    assert exercise_problems(write_exercise(expected=expected)) == [problem]


def test_a_frozen_name_must_be_a_parameter(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(network__frozen=["b1", "b3", "w1"])
    assert exercise_problems(path) == [
        ("network.frozen[1]", "unknown parameter 'b3' (parameters: W1, b1, W2, b2)"),
        ("network.frozen[2]", "unknown parameter 'w1' (did you mean 'W1'?)"),
    ]


def test_a_layer_without_bias_has_no_bias_parameter(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(network__layers__1__bias="none")
    assert exercise_problems(path) == [
        ("case.params.b2", "unknown name (expected one of W1, b1, W2)")
    ]


def test_a_shared_bias_has_one_entry(write_exercise: Write, exercise_problems: Problems) -> None:
    path = write_exercise(network__layers__0__bias="shared")  # b1 still has two entries
    assert exercise_problems(path) == [("case.params.b1", "shape (2,), expected (1,)")]


def test_printed_deltas_have_the_shape_of_z(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(expected={"deltas": {"z1": [0.1], "h1": [0.1, 0.2]}})
    assert exercise_problems(path) == [
        ("expected.deltas.z1", "shape (1,), expected (2,)"),
        ("expected.deltas.h1", "unknown name (expected one of z1, z2)"),
    ]


def test_a_backward_exercise_with_every_parameter_frozen_is_refused(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    # backward grades only the gradients of parameters that are not frozen: none is left (the
    # points were divided by zero quantities, an internal error).
    path = write_exercise(network__frozen=["W1", "b1", "W2", "b2"], grading={})
    [(key, words)] = exercise_problems(path)
    assert key == "network.frozen" and "every parameter is frozen" in words


def test_a_frozen_name_is_listed_once(write_exercise: Write, exercise_problems: Problems) -> None:
    path = write_exercise(network__frozen=["b1", "b1"])
    assert exercise_problems(path) == [("network.frozen[1]", "'b1' is listed twice")]
