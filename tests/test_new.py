"""Tests for grader.commands.new: `grader new` as a user runs it, and its refusals (exit 2)."""

from __future__ import annotations

import re

import pytest
from test_cli import grader, invoke, run_main


def test_what_new_writes_validates_through_the_command_line(tmp_path) -> None:
    made = grader(
        "new", "relu-net", "--inputs", "3", "--layers", "4:relu,3:tanh,2:softmax",
        "--loss", "categorical-cross-entropy", "--task", "train-step", "--batch", "2",
        "--seed", "11", "--out", "course/exercises", cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    assert (
        lines[0]
        == "wrote course/exercises/relu-net.toml and course/solutions/relu-net.py (seed 11)"
    )
    assert re.fullmatch(
        r"\d+ printed values? (are|is a) rounding artefacts? \(commented\)", lines[1]
    )
    assert lines[2] == "check it: grader validate --exercises course/exercises relu-net"
    artefacts = int(lines[1].split()[0])
    checked = grader("validate", "--exercises", "course/exercises", "relu-net", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 discrepancies" in checked.stdout and "=> valid" in checked.stdout
    assert "model solution: 6/6" in checked.stdout
    assert re.search(rf"\b{artefacts} rounding artefacts?, 0 discrepancies", checked.stdout)


def test_help_names_every_option() -> None:
    output = invoke("new", "--help")
    assert output.startswith("Usage: cli new [OPTIONS] ID")
    for option in ("--inputs", "--layers", "--loss", "--task", "--batch", "--decimals",
                   "--seed", "--out", "--force"):  # fmt: skip
        assert option in output


BASE = ["new", "x", "--inputs", "2", "--layers", "2:sigmoid,1:linear"]
BASE += ["--loss", "half-squared-error"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--layers", "2:sigmoid,1:lnear"], "error: --layers: unknown activation 'lnear' (did"),
        (["--layers", "2:sigmoid:1:linear"], "error: --layers: '2:sigmoid:1:linear' is not"),
        (["--loss", "cross-entropy"], "error: --loss: unknown loss 'cross-entropy' (known:"),
        (["--task", "backwards"], "error: --task: unknown task 'backwards' (did you mean"),
        (["--layers", "2:relu,1:softmax"], "error: --layers (layer 2): a softmax over 1 unit"),
        (["--inputs", "0"], "Error: Invalid value for '--inputs'"),
        (["--batch", "17"], "Error: Invalid value for '--batch'"),
        (["--decimals", "1"], "Error: Invalid value for '--decimals'"),
    ],
    ids=["activation", "layers", "loss", "task", "pairing", "inputs", "batch", "decimals"],
)
def test_a_bad_option_exits_2_with_one_message(
    capsys: pytest.CaptureFixture[str], tmp_path, change: list[str], message: str
) -> None:
    args = [*BASE, "--out", str(tmp_path), *change]
    code, out, err = run_main(capsys, *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_an_existing_exercise_exits_2_unless_forced(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    args = [*BASE, "--seed", "1", "--out", str(tmp_path / "ex")]
    assert run_main(capsys, *args)[0] == 0
    code, _, err = run_main(capsys, *args)
    assert code == 2 and "already exist (--force overwrites)" in err
    assert run_main(capsys, *args, "--force")[0] == 0
