"""Tests for grader.authoring.drawing: two-decimal draws, redrawn away from degenerate ones."""

from __future__ import annotations

import numpy as np
import pytest

from grader import plugins
from grader.authoring import drawing
from grader.authoring.drawing import KINK_MARGIN, draw_case, draw_worked_case, flaw, hundredths
from grader.errors import InputError
from grader.reference import network as solver
from grader.reference.network import Layer, Network


def network(*layers: tuple[int, str], loss: str = "half-squared-error", inputs: int = 3):
    built = tuple(Layer(u, plugins.get("activations", a), a) for u, a in layers)
    return Network(inputs, built, plugins.get("losses", loss), loss)


def test_hundredths_have_two_decimals_and_are_never_near_0() -> None:
    values = hundredths(np.random.default_rng(0), (1000,))
    assert np.array_equal(values, np.round(values, 2))
    assert np.all((np.abs(values) >= 0.05) & (np.abs(values) <= 0.99))


def test_relu_units_are_clear_of_the_kink_and_on_for_some_row() -> None:
    net = network((8, "relu"), (8, "leaky-relu"), (1, "linear"))
    rng = np.random.default_rng(2)
    for _ in range(20):
        case = draw_case(rng, net, 4, ())
        values = solver.forward(net, case.params, case.x).values
        for key in ("z1", "z2"):
            assert np.all(np.abs(values[key]) >= KINK_MARGIN), key
        for key in ("z1", "z2"):
            assert np.all(np.any(values[key] > 0, axis=0)), key  # on for some row


def test_the_drawn_parameters_have_the_network_s_shapes_whatever_its_biases() -> None:
    layers = (
        Layer(3, plugins.get("activations", "relu"), "relu", bias="shared"),
        Layer(1, plugins.get("activations", "linear"), "linear", bias="none"),
    )
    net = Network(2, layers, plugins.get("losses", "half-squared-error"), "half-squared-error")
    case = draw_case(np.random.default_rng(5), net, 1, ())
    assert {k: v.shape for k, v in case.params.items()} == net.shapes()
    values = solver.forward(net, case.params, case.x).values
    assert np.all(np.abs(values["z1"]) >= KINK_MARGIN)


def test_a_gradient_that_rounds_to_0_is_a_flaw_one_that_is_0_is_not() -> None:
    net = network((1, "linear"))
    every = lambda key: True  # noqa: E731
    written = {"gradients.W1": np.array([[0.0, 0.1, 0.2]])}
    assert flaw(net, written, {"gradients.W1": np.array([[0.0, 0.1, 0.2]])}, every) == ""
    tiny = {"gradients.W1": np.array([[1e-6, 0.1, 0.2]])}
    assert flaw(net, written, tiny, every) == "gradients.W1 rounds to 0"
    assert flaw(net, written, tiny, lambda key: False) == ""  # not printed: no matter


def test_a_probability_printed_as_0_or_1_is_a_flaw() -> None:
    net = network((2, "softmax"), loss="categorical-cross-entropy")
    written = {"forward.h1": np.array([1.0, 0.0])}
    assert flaw(net, written, written, lambda key: True) == "forward.h1 rounds to 0 or 1"


def test_when_no_draw_is_accepted_the_message_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(drawing, "DRAWS", 7)  # as many as it takes to say so, not 200
    net = network((2, "sigmoid"), (1, "linear"))
    task = plugins.get("tasks", "backward")
    with pytest.raises(InputError, match=r"no usable worked case in 7 draws .*--decimals"):
        draw_worked_case(
            np.random.default_rng(0), task, net, None, 4, lambda key: True, lambda c, w: None
        )
