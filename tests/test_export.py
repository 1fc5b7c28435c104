"""Tests for grader.reference.export and `grader solve --format json`: full precision, shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import cli, main
from grader.exercise import LoadedExercise, load_exercise
from grader.plan.cases import worked_case
from grader.reference import network as solver
from grader.reference.export import solution, solutions_json

KEYS = ["exercise", "forward", "loss", "gradients", "updated", "loss_after"]
Write = Callable[..., Path]


def solve_json(*args: str) -> object:
    result = CliRunner().invoke(cli, ["solve", "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def same_bits(listed: object, array: np.ndarray) -> bool:
    """Equal to the last bit, -0.0 told apart from 0.0."""
    got = np.asarray(listed, dtype=np.float64)
    return got.shape == array.shape and np.array_equal(got.view(np.int64), array.view(np.int64))


def assert_is_the_reference(data: dict, exercise: LoadedExercise) -> None:
    case, net = worked_case(exercise), exercise.network
    fwd = solver.forward(net, case.params, case.x).values
    grads = solver.backward(net, case.params, case.x, case.y)
    assert list(data) == KEYS and data["exercise"] == exercise.id
    assert list(data["forward"]) == list(fwd) and list(data["gradients"]) == list(grads)
    assert all(same_bits(data["forward"][k], v) for k, v in fwd.items())
    assert all(same_bits(data["gradients"][k], v) for k, v in grads.items())
    assert data["loss"] == solver.loss(net, case.params, case.x, case.y)
    if case.learning_rate is None:
        assert data["updated"] is None and data["loss_after"] is None
        return
    updated = solver.step(case.params, grads, case.learning_rate)
    assert all(same_bits(data["updated"][k], v) for k, v in updated.items())
    assert data["loss_after"] == solver.loss(net, updated, case.x, case.y)


@pytest.mark.parametrize(
    "exercise_id", ["house-price-backprop", "softmax-classifier", "tanh-chain"]
)
def test_one_exercise_is_one_object_with_every_float_exact(exercise_id: str) -> None:
    data = solve_json(exercise_id)
    assert isinstance(data, dict)
    assert_is_the_reference(data, load_exercise(exercise_id))


def test_the_lectures_numbers_at_full_precision() -> None:
    data = solve_json("house-price-backprop")
    # The exact value, -0.018290015178697659938... (60-digit decimal arithmetic on the float64
    # inputs), correctly rounded; the lecture prints -0.018.
    assert data["gradients"]["W1"][1][0] == -0.01829001517869766
    assert round(data["loss"], 6) == 0.684561 and round(data["loss_after"], 6) == 0.350636
    assert round(data["updated"]["b1"][0], 6) == 0.082466  # printed 0.0824, a rounding artefact


def test_several_exercises_are_a_list_in_the_order_given(write_exercise: Write) -> None:
    path = write_exercise("my-tiny.toml")
    data = solve_json("tanh-chain", str(path), "house-price-backprop")
    assert isinstance(data, list)
    assert [d["exercise"] for d in data] == ["tanh-chain", "my-tiny", "house-price-backprop"]
    assert_is_the_reference(data[1], load_exercise(path))


def test_floats_are_written_by_repr_and_never_rounded() -> None:
    text = CliRunner().invoke(cli, ["solve", "-f", "json", "house-price-backprop"]).output
    assert "0.30600000000000005" in text  # z1[1] = -0.306 as float64 computes it
    assert text.endswith("}\n") and "\n" not in text[:-1]


def test_no_learning_rate_gives_null_updates(write_exercise: Write) -> None:
    data = solve_json(str(write_exercise()))  # the default exercise has no learning rate
    assert data["updated"] is None and data["loss_after"] is None
    assert isinstance(data["loss"], float)


def test_a_batch_gives_a_row_per_observation(write_exercise: Write) -> None:
    path = write_exercise(
        case__x=[[-0.32, -0.66], [0.1, 0.2]], case__y=[[-0.54], [0.3]], case__learning_rate=0.2
    )
    data = solve_json(str(path))
    assert np.shape(data["forward"]["h1"]) == (2, 2) and np.shape(data["gradients"]["W1"]) == (2, 2)
    assert_is_the_reference(data, load_exercise(path))


def test_saturated_cross_entropy_is_exact_in_json(write_exercise: Write) -> None:
    # z^2 = -40 under a sigmoid and categorical cross-entropy: dL/db2 = -1 (clipping gave -0.0042).
    path = write_exercise(
        network__layers__1__activation="sigmoid",
        network__loss="categorical-cross-entropy",
        case__params__W2=[[0.0, 0.0]],
        case__params__b2=[-40.0],
        case__y=[1],
    )
    data = solve_json(str(path))
    assert data["gradients"]["b2"] == [-1.0] and data["loss"] == 40.0


def test_values_beyond_float64_are_refused_with_exit_2(
    write_exercise: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    # 1/2 (y - 1e200)^2 overflows: strict JSON has no infinity, so the file is refused by name.
    path = write_exercise(case__params__b2=[1e200])
    with pytest.raises(SystemExit) as exit_info:
        main(["solve", "--format", "json", str(path)])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"error: {path}: the exact loss = inf is not a finite float64, and JSON cannot hold it\n"
    )


def test_the_library_call_without_click() -> None:
    exercises = [load_exercise("tanh-chain")]
    assert json.loads(solutions_json(exercises, several=True)) == [solution(exercises[0])]
    assert json.loads(solutions_json(exercises, several=False)) == solution(exercises[0])


def test_text_output_is_still_the_default() -> None:
    text = CliRunner().invoke(cli, ["solve", "house-price-backprop"]).output
    assert text.startswith("house-price-backprop: Backpropagation on the house-price network\n")
    assert "{" not in text


def test_a_zero_gradient_is_written_as_0_never_as_minus_0(write_exercise: Write) -> None:
    # A leaky relu of slope 0 below its kink: h^1 = 0 * z^1 with z^1 < 0 is a negative zero.
    layers = [
        {"units": 2, "activation": {"name": "leaky-relu", "slope": 0}},
        {"units": 1, "activation": "linear"},
    ]
    data = solve_json(str(write_exercise(network__layers=layers)))
    h1 = np.asarray(data["forward"]["h1"])  # 0 times a negative z
    assert np.all(h1 == 0) and not np.any(np.signbit(h1)), h1
    for name, value in data["gradients"].items():
        assert not np.any(np.signbit(np.asarray(value)) & (np.asarray(value) == 0)), name
