"""Tests for grader.authoring.compose: what `grader new` writes loads, its printed values are a
hand calculation that `validate` passes (artefacts and all), and its model solution is right."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from test_model_code import run_solution  # pytest puts tests/ on sys.path

from grader.authoring.compose import Request, draft, new_exercise, parse_layers
from grader.errors import InputError
from grader.exercise import load_exercise
from grader.plan.cases import hidden_cases, worked_case
from grader.tasks import hooks
from grader.tasks.rounding import hand_calculation
from grader.validate import validate_exercise
from grader.validate.printed import check_printed


def request(layers: str = "2:sigmoid,1:linear", loss: str = "half-squared-error", **kw):
    kw.setdefault("seed", 7)
    return Request(kw.pop("exercise_id", "drawn"), kw.pop("inputs", 2), parse_layers(layers),
                   loss, **kw)  # fmt: skip


SPREAD = {
    "1 hidden, linear output, backward": request(),
    "3 hidden, sigmoid output, train-step": request(
        "3:tanh,2:relu,2:sigmoid,1:sigmoid", "binary-cross-entropy", task="train-step", inputs=3
    ),
    "softmax output, batch, backward": request(
        "3:relu,3:softmax", "categorical-cross-entropy", batch=3
    ),
    "tanh output, forward": request("2:tanh,2:tanh", "mean-squared-error", task="forward"),
    "leaky-relu, train": request("3:leaky-relu,1:linear", task="train", decimals=3),
    "relu output, batch, train-step": request(
        "2:sigmoid,2:relu", "mean-squared-error", task="train-step", batch=2, decimals=6
    ),
    "sigmoid output, categorical, batch": request(
        "2:tanh,3:sigmoid", "categorical-cross-entropy", batch=2, decimals=3
    ),
}


@pytest.mark.parametrize("asked", SPREAD.values(), ids=SPREAD.keys())
def test_the_printed_values_are_the_hand_calculation_validate_passes(asked: Request) -> None:
    made, loaded = draft(asked)
    verdicts = check_printed(loaded)
    assert verdicts and all(v.status in ("exact", "artefact") for v in verdicts)
    # Every printed value is the hand calculation at the asked decimals, written at them.
    case = worked_case(loaded)
    by_hand = hand_calculation(loaded.task, loaded.network, case, asked.decimals)
    for v in verdicts:
        key = v.key.removeprefix("expected.").split("[")[0]
        index = tuple(int(i) for i in re.findall(r"\[(\d+)\]", v.key))
        assert float(v.printed) == by_hand[key][index], v.key
        assert len(v.printed.split(".")[1]) == asked.decimals, v.key
    # The artefacts that rounding planted are the ones the file comments on.
    noted = sum(len(notes) for notes in made.artefacts.values())
    assert noted == sum(v.status == "artefact" for v in verdicts)


@pytest.mark.parametrize("asked", SPREAD.values(), ids=SPREAD.keys())
def test_no_degenerate_numbers(asked: Request) -> None:
    made, loaded = draft(asked)
    case = worked_case(loaded)
    for value in (case.x, *case.params.values()):
        assert np.array_equal(value, np.round(value, 2)) and np.all(np.abs(value) >= 0.05)
    exact = hooks.exact(loaded.task, loaded.network, case)
    for key, value in made.written.items():
        if key.startswith("gradients."):
            assert np.all((value != 0) | (exact[key] == 0)), key


@pytest.mark.parametrize("asked", SPREAD.values(), ids=SPREAD.keys())
def test_the_model_solution_is_the_reference_on_every_case(asked: Request) -> None:
    _, loaded = draft(asked)
    for case in [worked_case(loaded), *hidden_cases(loaded, seed=3, count=3)]:
        got = run_solution(loaded, case)
        for name, value in loaded.task.reference(loaded.network, case).items():
            np.testing.assert_allclose(got[name], value, rtol=1e-9, atol=1e-12, err_msg=name)


def test_the_targets_are_the_loss_s_own_kind() -> None:
    _, loaded = draft(request("3:tanh,4:softmax", "categorical-cross-entropy", batch=5))
    y = worked_case(loaded).y
    assert np.array_equal(y.sum(axis=1), np.ones(5)) and set(np.unique(y)) == {0.0, 1.0}


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    first = new_exercise(request(out=tmp_path / "a" / "exercises"))
    again = new_exercise(request(out=tmp_path / "b" / "exercises"))
    other = new_exercise(request(out=tmp_path / "c" / "exercises", seed=8))
    assert first.exercise.read_text() == again.exercise.read_text()
    assert first.solution.read_text() == again.solution.read_text()
    assert first.exercise.read_text() != other.exercise.read_text()


def test_files_go_where_the_grader_finds_them(tmp_path: Path) -> None:
    written = new_exercise(request(out=tmp_path / "exercises"))
    assert written.exercise == tmp_path / "exercises" / "drawn.toml"
    assert written.solution == tmp_path / "solutions" / "drawn.py"
    assert load_exercise(written.exercise).solution_path() == written.solution


@pytest.mark.parametrize(
    "asked",
    [SPREAD["3 hidden, sigmoid output, train-step"], SPREAD["softmax output, batch, backward"]],
    ids=["train-step", "softmax batch"],
)
def test_validate_passes_and_the_model_solution_earns_full_marks(
    tmp_path: Path, asked: Request
) -> None:
    from dataclasses import replace

    written = new_exercise(replace(asked, out=tmp_path / "exercises"))
    validation = validate_exercise(load_exercise(written.exercise))
    assert validation.ok, validation.problems
    assert validation.solution is not None and validation.solution.full_marks


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    asked = request(out=tmp_path / "exercises")
    written = new_exercise(asked)
    written.exercise.write_text("mine")
    written.solution.write_text("mine too")
    with pytest.raises(InputError, match=r"drawn.toml and .*drawn.py already exist \(--force"):
        new_exercise(asked)
    assert written.exercise.read_text() == "mine"
    written.solution.unlink()
    with pytest.raises(InputError, match=r"drawn.toml already exists \(--force overwrites\)"):
        new_exercise(asked)
    from dataclasses import replace

    new_exercise(replace(asked, force=True))
    assert written.exercise.read_text().startswith("# Written by `grader new`")


@pytest.mark.parametrize(
    ("layers", "loss", "task", "exercise_id", "message"),
    [
        ("2:sigmod,1:linear", "half-squared-error", "backward", "x",
         "--layers: unknown activation 'sigmod' (did you mean 'sigmoid'?)"),
        ("2:sigmoid,1:linear", "half-squared-eror", "backward", "x",
         "--loss: unknown loss 'half-squared-eror' (did you mean 'half-squared-error'?)"),
        ("2:sigmoid,1:linear", "half-squared-error", "trian", "x",
         "--task: unknown task 'trian' (did you mean 'train'?)"),
        ("2:relu,1:softmax", "categorical-cross-entropy", "backward", "x",
         "--layers (layer 2): a softmax over 1 unit is the constant 1"),
        ("2:relu,1:linear", "binary-cross-entropy", "backward", "x",
         "--loss: binary-cross-entropy takes the log of the output"),
        ("2:relu,1:linear", "half-squared-error", "backward", "Bad Id",
         "'Bad Id' is not an exercise id"),
    ],
    ids=["activation", "loss", "task", "one-unit softmax", "log of a linear output", "id"],
)  # fmt: skip
def test_a_bad_request_is_refused_with_one_clear_message(
    tmp_path: Path, layers: str, loss: str, task: str, exercise_id: str, message: str
) -> None:
    asked = request(layers, loss, task=task, exercise_id=exercise_id, out=tmp_path)
    with pytest.raises(InputError) as info:
        new_exercise(asked)
    assert str(info.value).startswith(message)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2:sigmoid,1", "--layers: '1' is not UNITS:ACTIVATION (e.g. 2:sigmoid,1:linear)"),
        ("", "--layers: '' is not UNITS:ACTIVATION"),
        ("two:sigmoid", "--layers: 'two:sigmoid' is not UNITS:ACTIVATION"),
        ("2:sigmoid,,1:linear", "--layers: '' is not UNITS:ACTIVATION"),
        ("0:relu", "--layers: '0:relu': units must be 1 to 16"),
        ("17:relu", "--layers: '17:relu': units must be 1 to 16"),
        (",".join(["2:relu"] * 7), "--layers: 7 layers, at most 6"),
    ],
    ids=["no activation", "empty", "no number", "empty layer", "0 units", "17 units", "7 layers"],
)
def test_malformed_layers_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_layers(text)
    assert str(info.value).startswith(message)


def test_layers_are_parsed_with_spaces_allowed() -> None:
    assert parse_layers(" 2:sigmoid, 1 : linear") == ((2, "sigmoid"), (1, "linear"))


def test_a_network_whose_gradients_vanish_at_the_printed_decimals_is_refused() -> None:
    deep = request("2:sigmoid,2:sigmoid,2:sigmoid,1:sigmoid", decimals=2)
    with pytest.raises(InputError, match=r"rounds to 0\): print more decimals"):
        draft(deep)


def test_a_folder_in_the_way_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    from dataclasses import replace

    asked = replace(request(out=tmp_path / "exercises"), force=True)
    (tmp_path / "solutions" / "drawn.py").mkdir(parents=True)  # where the solution would go
    with pytest.raises(InputError, match=r"drawn.py is not a file"):
        new_exercise(asked)
    assert not (tmp_path / "exercises" / "drawn.toml").exists()
