"""Tests for grader.explain and its command (grader/commands/explain.py): worked solutions.

The numbers are the lecture's at 5 significant figures; every gradient line must end in the
solver's own value, whatever the network (any depth, activation and loss).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.commands.explain import explain as explain_command
from grader.errors import InputError
from grader.exercise import LoadedExercise, list_exercises, load_exercise
from grader.explain import explain
from grader.explain.text import num
from grader.plan.cases import worked_case
from grader.reference import network as solver

Load = Callable[[str], LoadedExercise]
Write = Callable[..., Path]
GRADIENT_LINE = re.compile(r"^\s*dL/d([wb])_(\d)(\d)?\^(\d+) = .* = (\S+)$")


def layers(*spec: tuple[int, str]) -> list[dict]:
    return [{"units": units, "activation": act} for units, act in spec]


def params(rng: np.random.Generator, widths: list[int]) -> dict[str, list]:
    out = {}
    for i in range(1, len(widths)):
        out[f"W{i}"] = np.round(rng.uniform(-1, 1, (widths[i], widths[i - 1])), 2).tolist()
        out[f"b{i}"] = np.round(rng.uniform(-1, 1, widths[i]), 2).tolist()
    return out


# Networks beyond the bundled ones: (hidden and output layers, loss, y).
NETWORKS = {
    "relu-3-layers": (layers((3, "relu"), (2, "tanh"), (1, "linear")), "half-squared-error", [0.4]),
    "leaky-relu-mse": (layers((3, "leaky-relu"), (2, "sigmoid")), "mean-squared-error", [0.2, 0.9]),
    "softmax-mse": (layers((2, "tanh"), (3, "softmax")), "mean-squared-error", [0, 0, 1]),
    "sigmoid-bce": (layers((2, "relu"), (1, "sigmoid")), "binary-cross-entropy", [1]),
    "softmax-hidden": (layers((3, "softmax"), (1, "linear")), "half-squared-error", [0.3]),
}


@pytest.fixture
def network_exercise(write_exercise: Write) -> Callable[[str], LoadedExercise]:
    def make(name: str) -> LoadedExercise:
        spec, loss, y = NETWORKS[name]
        widths = [2, *(layer["units"] for layer in spec)]
        path = write_exercise(
            network={"inputs": 2, "loss": loss, "layers": spec},
            case={
                "x": [0.6, -0.3],
                "y": y,
                "learning_rate": 0.1,
                "params": params(np.random.default_rng(len(name)), widths),
            },
        )
        return load_exercise(path)

    return make


def gradient_lines(text: str) -> dict[tuple[str, tuple[int, ...]], str]:
    """{("W1", (0, 1)): "-0.057862", ...} from the lines dL/dw_kj^l = ... = value."""
    found = {}
    for line in text.splitlines():
        match = GRADIENT_LINE.match(line)
        if match:
            kind, k, j, layer, value = match.groups()
            index = (int(k) - 1, int(j) - 1) if kind == "w" else (int(k) - 1,)
            found[(f"{kind.upper() if kind == 'w' else kind}{layer}", index)] = value
    return found


def assert_gradients_are_the_solvers(exercise: LoadedExercise, text: str) -> None:
    case = worked_case(exercise)
    grads = solver.backward(exercise.network, case.params, case.x, case.y)
    expected = {
        (name, index): num(value[index])
        for name, value in grads.items()
        for index in np.ndindex(value.shape)
    }
    assert gradient_lines(text) == expected


# --- the lecture's house-price network ------------------------------------------------------


@pytest.mark.parametrize(
    "fragment",
    [
        "h_1^1 = sigmoid(z_1^1) = 1 / (1 + e^-z) = 1 / (1 + e^-(-0.063)) = 0.48426",
        "0.42409",
        "dL/dh_1^2 = -(y_1 - h_1^2) = -(-0.54 - 0.63009) = 1.1701",
        "dL/dw_11^2 = dL/dh_1^2 * dh_1^2/dz_1^2 * dz_1^2/dw_11^2 = 1.1701 * 1 * 0.48426 = 0.56662",
        "dh_1^2/dh_1^1 = dh_1^2/dz_1^2 * w_11^2 = 1 * 0.3 = 0.3",
        "dh_1^1/dz_1^1 = h(1 - h) = 0.48426(1 - 0.48426) = 0.24975",
        "dL/dw_11^1 = dL/dh_1^2 * dh_1^2/dh_1^1 * dh_1^1/dz_1^1 * dz_1^1/dw_11^1 "
        "= 1.1701 * 0.3 * 0.24975 * (-0.32) = -0.028054",
        # exact 0.186675..., which 5 significant figures round up
        "w_11^2 (updated) = w_11^2 - eta * dL/dw_11^2 = 0.3 - 0.2 * 0.56662 = 0.18668",
        "L before the step: L = 1/2 (y_1 - h_1^2)^2 = 1/2 (-0.54 - 0.63009)^2 = 0.68456",
        "L after the step: L = 1/2 (y_1 - h_1^2)^2 = 1/2 (-0.54 - 0.29742)^2 = 0.35064",
    ],
    ids=["h1", "h2-1", "dL/dh", "dw11-2", "dh/dh", "sigmoid'", "dw11-1", "update", "L", "L-after"],
)
def test_the_house_price_explanation_has_the_lectures_numbers(
    bundled_exercise: Load, fragment: str
) -> None:
    assert fragment in explain(bundled_exercise("house-price-backprop"))


def test_the_output_layer_comes_first(bundled_exercise: Load) -> None:
    text = explain(bundled_exercise("house-price-backprop"))
    order = ["Forward pass", "Loss", "layer 2 (output", "layer 1 (hidden", "Gradient-descent"]
    positions = [text.index(title) for title in order]
    assert positions == sorted(positions)


def test_the_tanh_chain_names_the_derivative(bundled_exercise: Load) -> None:
    text = explain(bundled_exercise("tanh-chain"))
    assert "dh_1^2/dz_1^2 = 1 - h^2 = 1 - 0.11465^2 = 0.98686" in text
    assert "Gradient-descent" not in text  # no learning rate in this case


def test_the_train_exercise_shows_the_losses_falling(bundled_exercise: Load) -> None:
    text = explain(bundled_exercise("house-price-train"))
    assert "repeated 10 times (points 1-9): the loss falls." in text
    assert "L after 1 iteration = 0.35064" in text
    assert "L after 10 iterations = 0.00094312" in text


def test_the_softmax_classifier_uses_h_minus_y(bundled_exercise: Load) -> None:
    text = explain(bundled_exercise("softmax-classifier"))
    assert "cancel to dL/dz_k = h_k - y_k" in text
    assert "dL/dz_2^2 = h_2^2 - y_2 = 0.17785 - 1 = -0.82215" in text
    assert "e^0.48642 / (e^0.48642 + e^(-0.30625) + e^0.57484) = 0.39292" in text
    # a hidden unit feeds all three outputs: its dL/dh is a sum over them
    assert "dL/dh_1^1 = sum_k dL/dz_k^2 * dz_k^2/dh_1^1 = dL/dz_1^2 * w_11^2 + " in text
    assert "-[0 log 0.39292 + 1 log 0.17785 + 0 log 0.42924] = 1.7268" in text


# --- any network ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", list_exercises(), ids=[p.stem for p in list_exercises()])
def test_every_bundled_gradient_line_ends_in_the_solvers_value(path: Path) -> None:
    exercise = load_exercise(path)
    assert_gradients_are_the_solvers(exercise, explain(exercise))


@pytest.mark.parametrize("name", list(NETWORKS), ids=list(NETWORKS))
def test_any_network_is_explained_with_the_solvers_values(network_exercise, name: str) -> None:
    exercise = network_exercise(name)
    text = explain(exercise)
    assert_gradients_are_the_solvers(exercise, text)
    assert "L after the step" in text


def test_a_three_layer_relu_network_sums_over_paths(network_exercise) -> None:
    text = explain(network_exercise("relu-3-layers"))
    assert "Backward pass, layer 3 (output layer: 1 linear)" in text
    assert "h_1^1 = relu(z_1^1) = max(z, 0) = max(" in text
    assert "dh_1^1/dz_1^1 = 1 if z > 0 else 0 = 1 if " in text
    # layer 2 has two units above layer 1: a sum over k; layer 3 has one: the lecture's form
    assert "dL/dh_1^1 = sum_k dL/dh_k^2 * dh_k^2/dh_1^1 = " in text
    assert "dL/dw_11^2 = dL/dh_1^3 * dh_1^3/dh_1^2 * dh_1^2/dz_1^2 * dz_1^2/dw_11^2 = " in text


def test_a_softmax_layer_without_its_loss_goes_through_its_jacobian(network_exercise) -> None:
    text = explain(network_exercise("softmax-mse"))
    assert "softmax mixes the layer's units: dh_i/dz_j = h_i (delta_ij - h_j)" in text
    assert "dL/dz_1^2 = sum_m dL/dh_m^2 * dh_m^2/dz_1^2 = " in text


# A batch used to be refused ("explain writes out one observation"); by design it is now
# written out: every observation on its own, then the loss and gradients as their means.
BATCH = {"case__x": [[-0.32, -0.66], [0.5, 0.1]], "case__y": [[-0.54], [0.3]]}


@pytest.fixture
def batch_exercise(write_exercise: Write) -> LoadedExercise:
    return load_exercise(write_exercise(case__learning_rate=0.2, **BATCH))


def test_a_batch_is_written_out_observation_by_observation(batch_exercise) -> None:
    text = explain(batch_exercise)
    assert "A batch of m = 2 observations, one per row of x and y" in text
    # Observation 1 is the lecture's own, its loss l_1 in the place of L.
    assert "Forward pass, observation 1" in text and "Forward pass, observation 2" in text
    assert "l_1 = 1/2 (y_1 - h_1^2)^2 = 1/2 (-0.54 - 0.63009)^2 = 0.68456" in text
    assert (
        "dl_1/dw_11^1 = dl_1/dh_1^2 * dh_1^2/dh_1^1 * dh_1^1/dz_1^1 * dz_1^1/dw_11^1 "
        "= 1.1701 * 0.3 * 0.24975 * (-0.32) = -0.028054"
    ) in text
    assert "Backward pass, layer 1 (hidden layer: 2 sigmoid), observation 2" in text
    # The batch: the mean made explicit.
    assert "L = 1/m (l_1 + l_2) = 1/2 (0.68456 + 0.077364) = 0.38096" in text
    assert "dL/dw_11^1 = 1/m (dl_1/dw_11^1 + dl_2/dw_11^1) = 1/2 (-0.028054 + 0.014582)" in text
    assert "L before the step = 0.38096" in text and "the loss fell by" in text


class _ForwardAndLoss:
    """A task plugin whose `explained` stops at the loss (as tests/task_package's does)."""

    def __init__(self, task: object) -> None:
        self._task = task
        self.explained = ("forward", "loss")

    def __getattr__(self, name: str) -> object:
        return getattr(self._task, name)


def test_a_batch_shows_only_the_parts_the_task_explains(batch_exercise) -> None:
    # As one observation does (tasks/hooks.py `explained`): no gradients, no step.
    exercise = dataclasses.replace(batch_exercise, task=_ForwardAndLoss(batch_exercise.task))
    text = explain(exercise)
    assert "Forward pass, observation 1" in text and "Forward pass, observation 2" in text
    assert "L = 1/m (l_1 + l_2) = 1/2 (0.68456 + 0.077364) = 0.38096" in text
    for absent in ("Backward pass", "dl_1/dw_11^1", "Gradients of the batch", "L before the step"):
        assert absent not in text, absent


def test_a_batchs_gradient_lines_end_in_the_solvers_batch_values(batch_exercise) -> None:
    assert_gradients_are_the_solvers(batch_exercise, explain(batch_exercise))


def test_a_batch_of_a_classifier_trained_for_some_iterations(write_exercise: Write) -> None:
    path = write_exercise(
        task="train",
        network={
            "inputs": 2,
            "loss": "categorical-cross-entropy",
            "layers": [{"units": 2, "activation": "tanh"}, {"units": 3, "activation": "softmax"}],
        },
        case={
            "x": [[0.7, -0.4], [0.1, 0.3], [-0.5, 0.2]],
            "y": [[0, 1, 0], [1, 0, 0], [0, 0, 1]],
            "learning_rate": 0.5,
            "iterations": 2,
            "params": params(np.random.default_rng(3), [2, 2, 3]),
        },
    )
    exercise = load_exercise(path)
    text = explain(exercise, markdown=True)
    assert_gradients_are_the_solvers(exercise, text)
    assert "dl_3/dz_3^2 = h_3^2 - y_3" in text  # each observation's own h - y
    assert "L after 2 iterations = " in text
    assert len([line for line in text.splitlines() if line.startswith("```")]) % 2 == 0


# --- text and Markdown ------------------------------------------------------------------------


def test_markdown_has_headings_and_balanced_code_blocks(bundled_exercise: Load) -> None:
    text = explain(bundled_exercise("house-price-backprop"), markdown=True)
    lines = text.splitlines()
    assert lines[0] == "# house-price-backprop: Backpropagation on the house-price network"
    assert "## Forward pass" in lines and "## Gradient-descent update" in lines
    fences = [line for line in lines if line.startswith("```")]
    assert fences and len(fences) % 2 == 0 and fences[0] == "```text"
    assert not any(set(line) == {"-"} for line in lines)  # no plain-text underlines
    assert "dL/dw_11^2 = dL/dh_1^2 * dh_1^2/dz_1^2 * dz_1^2/dw_11^2" in text


def test_plain_text_underlines_its_titles(bundled_exercise: Load) -> None:
    lines = explain(bundled_exercise("house-price-backprop")).splitlines()
    at = lines.index("Forward pass")
    assert lines[at + 1] == "-" * len("Forward pass")
    assert not any(line.startswith(("#", "```")) for line in lines)


# --- the command -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (
            ["house-price-backprop"],
            "house-price-backprop: Backpropagation on the house-price network",
        ),
        (["softmax-classifier", "--format", "markdown"], "# softmax-classifier: "),
    ],
    ids=["text", "markdown"],
)
def test_the_command_prints_the_explanation(args: list[str], first_line: str) -> None:
    result = CliRunner().invoke(explain_command, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith(first_line)


def test_the_command_passes_input_errors_to_main() -> None:
    result = CliRunner().invoke(explain_command, ["no-such-exercise"])
    assert isinstance(result.exception, InputError)  # main turns it into exit code 2


# --- the format's options: shared and absent biases, frozen parameters, deltas, a summed batch --


@pytest.mark.parametrize(
    "fragment",
    [
        "z_2^1 = w_21^1 x_1 + w_22^1 x_2 + b_1^1 = 0.25 * 0.05 + 0.3 * 0.1 + 0.35 = 0.3925",
        "dL/dz_1^2 = dL/dh_1^2 * dh_1^2/dz_1^2 = 0.74137 * 0.18682 = 0.1385",  # Mazur's delta_o1
        "dL/db_1^2 = sum_k dL/dz_k^2 * dz_k^2/db_1^2 = dL/dz_1^2 * dz_1^2/db_1^2 + "
        "dL/dz_2^2 * dz_2^2/db_1^2 = 0.1385 * 1 + (-0.038098) * 1 = 0.1004",
        "b_1^1 (updated) = b_1^1 = 0.35 (frozen)",
        "Frozen, left as they are: b1, b2.",
        "w_11^2 (updated) = w_11^2 - eta * dL/dw_11^2 = 0.4 - 0.5 * 0.082167 = 0.35892",
    ],
    ids=["shared-bias-forward", "delta", "shared-bias-gradient", "frozen", "frozen-note", "w5+"],
)
def test_mazurs_explanation_has_the_articles_numbers(bundled_exercise: Load, fragment: str) -> None:
    text = explain(bundled_exercise("mazur-step"))
    assert fragment in text
    assert_gradients_are_the_solvers(bundled_exercise("mazur-step"), text)


def test_a_network_without_biases_is_explained_without_them(bundled_exercise: Load) -> None:
    text = explain(bundled_exercise("hmkcode-step"))
    assert "z_1^1 = w_11^1 x_1 + w_12^1 x_2 = 0.11 * 2 + 0.21 * 3 = 0.85" in text
    assert "b_" not in text and "(the layer has no bias)" in text
    assert_gradients_are_the_solvers(bundled_exercise("hmkcode-step"), text)


def test_a_summed_batch_is_explained_as_a_sum(write_exercise: Write) -> None:
    path = write_exercise(
        network__reduction="sum",
        case__x=[[-0.32, -0.66], [0.5, 0.1]],
        case__y=[[-0.54], [0.3]],
    )
    text = explain(load_exercise(path))
    assert "the loss is the sum of theirs" in text
    assert "L is their sum over the m = 2" in text
    assert "dL/dp = sum_i dl_i/dp" in text and "1/m" not in text
