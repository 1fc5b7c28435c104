"""A third-party task, end to end: tests/task_package/ (the `loss` task, where the student
computes the loss value, and its `missing-half` diagnosis) is pip-installed once and used the
way a course would: plugins, validate, check, explain, an answers file, grade."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path(__file__).parent / "task_package"
PIP_INSTALL = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
PIP_INSTALL += ["--no-build-isolation", "--no-index"]  # no network: setuptools is installed

# The lecture's house-price network; the lecture prints h2 = 0.63 and, from it, the loss
# 1/2 (-0.54 - 0.63)^2 = 0.68445, printed 0.6845: exact arithmetic gives 0.68456 (0.6846).
EXERCISE = """
id = "house-price-loss"
title = "The loss of the house-price network"
source = "tests/test_task_plugin.py"
task = "loss"

[network]
inputs = 2
loss = "half-squared-error"
[[network.layers]]
units = 2
activation = "sigmoid"
[[network.layers]]
units = 1
activation = "linear"

[case]
x = [-0.32, -0.66]
y = [-0.54]
[case.params]
W1 = [[0.2, 0.15], [0.5, 0.6]]
b1 = [0.1, 0.25]
W2 = [[0.3, 0.2]]
b2 = [0.4]

[expected]
loss = 0.6845

[expected.forward]
h1 = [0.484, 0.424]
h2 = [0.63]

[grading]
tolerance = { mode = "document" }
hidden_cases = 3
"""

CORRECT = """
import numpy as np

def loss(params, x, y):
    h1 = 1 / (1 + np.exp(-(params["W1"] @ x + params["b1"])))
    h2 = params["W2"] @ h1 + params["b2"]
    return {"L": 0.5 * np.sum((y - h2) ** 2)}
"""

MISSING_HALF = CORRECT.replace("0.5 * np.sum", "np.sum")


@pytest.fixture(scope="session")
def loss_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pip-install the package into a folder of its own, once per session, without network.

    Built from a copy: setuptools writes build/ into the source folder, and two test workers
    building the same folder at once would race.
    """
    source = tmp_path_factory.mktemp("loss-source") / "package"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    target = tmp_path_factory.mktemp("loss-site")
    subprocess.run(
        [*PIP_INSTALL, "--target", str(target), str(source)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path_factory.mktemp("loss-build"),
    )
    return target


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course folder: the exercise, its model solution and a class of two."""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "solutions").mkdir()
    (tmp_path / "class").mkdir()
    (tmp_path / "exercises" / "house-price-loss.toml").write_text(EXERCISE)
    (tmp_path / "solutions" / "house-price-loss.py").write_text(CORRECT)
    (tmp_path / "class" / "alice.py").write_text(CORRECT)
    (tmp_path / "class" / "bob.py").write_text(MISSING_HALF)
    return tmp_path


# conftest's run_grader: a `python -m grader` process per command, forked from one that has
# imported the grader (entry points are read when a command asks for them, after PYTHONPATH).
_RUN_GRADER: list[Callable[..., Any]] = []


@pytest.fixture(scope="module", autouse=True)
def _launcher(run_grader: Callable[..., Any]) -> None:
    _RUN_GRADER[:] = [run_grader]


def _grader(site: Path | None, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env: dict[str, str | None] = {"GRADER_EXERCISES": None}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return _RUN_GRADER[0](*args, env=env, cwd=cwd, timeout=120)


def test_the_task_and_its_diagnosis_are_listed(loss_site: Path, course: Path) -> None:
    run = _grader(loss_site, course, "plugins")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert any(line.split()[:2] == ["loss", "grader-loss-task"] for line in lines)
    assert any(line.split()[:2] == ["missing-half", "grader-loss-task"] for line in lines)


def test_validate_names_the_rounding_artefact(loss_site: Path, course: Path) -> None:
    run = _grader(loss_site, course, "validate", "exercises/")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "printed values: 4 checked: 3 exact, 1 rounding artefact, 0 discrepancies" in run.stdout
    artefact = next(line for line in run.stdout.splitlines() if "expected.loss " in line)
    # by hand from the printed 0.63: 0.68445; exact 0.684561 rounds to 0.6846
    assert "rounding artefact" in artefact and "printed 0.6845, exact 0.684561" in artefact
    assert "-1 in the last place" in artefact and "printed values: 0.684450" in artefact
    assert "model solution: 1/1" in run.stdout and "=> valid" in run.stdout


def test_validate_flags_a_typo_as_a_discrepancy(loss_site: Path, course: Path) -> None:
    path = course / "exercises" / "house-price-loss.toml"
    path.write_text(EXERCISE.replace("loss = 0.6845", "loss = 0.6945"))
    run = _grader(loss_site, course, "validate", str(path))
    assert run.returncode == 1, run.stdout + run.stderr
    flagged = [line for line in run.stdout.splitlines() if "DISCREPANCY" in line]
    assert len(flagged) == 1 and "expected.loss" in flagged[0] and "printed 0.6945" in flagged[0]


def test_the_task_declares_which_sections_a_file_may_print(loss_site: Path, course: Path) -> None:
    path = course / "exercises" / "house-price-loss.toml"
    path.write_text(EXERCISE + "\n[expected.gradients]\nb2 = [1.17]\n")
    run = _grader(loss_site, course, "validate", str(path))
    assert run.returncode == 2
    assert f"{path}: expected.gradients: unknown key (task 'loss' accepts forward, loss)" in (
        run.stdout + run.stderr
    )


def test_solve_shows_the_tasks_exact_values_beside_the_printed_ones(
    loss_site: Path, course: Path
) -> None:
    run = _grader(loss_site, course, "solve", "house-price-loss", "--exercises", "exercises")
    assert run.returncode == 0, run.stdout + run.stderr
    loss = next(line.split() for line in run.stdout.splitlines() if line.split()[:1] == ["loss"])
    assert loss == ["loss", "0.684561", "0.6845", "rounding", "artefact"]
    assert "gradients" not in run.stdout  # only what the task's Task.exact computes


def _check(site: Path, course: Path, submission: str, *more: str):
    args = ("check", submission, "-e", "house-price-loss", "--exercises", "exercises", *more)
    return _grader(site, course, *args)


def test_check_a_correct_submission(loss_site: Path, course: Path) -> None:
    run = _check(loss_site, course, "class/alice.py")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "score: 1 / 1 (full marks)" in run.stdout


def test_check_names_the_missing_half(loss_site: Path, course: Path) -> None:
    run = _check(loss_site, course, "class/bob.py", "--format", "json")
    assert run.returncode == 1, run.stdout + run.stderr
    (check,) = json.loads(run.stdout)["checks"]
    assert (check["name"], check["status"], check["diagnosis"]) == ("L", "fail", "missing-half")
    assert "1/2" in check["explanation"]


@pytest.mark.parametrize(
    ("answer", "code"), [("0.6845", 0), ("0.6846", 0), ("1.369", 1)], ids=["doc", "exact", "x2"]
)
def test_an_answers_file(loss_site: Path, course: Path, answer: str, code: int) -> None:
    (course / "answers.toml").write_text(f"[loss]\nL = {answer}\n")
    run = _check(loss_site, course, "answers.toml")
    assert run.returncode == code, run.stdout + run.stderr


def test_explain_shows_the_forward_pass_and_the_loss_only(loss_site: Path, course: Path) -> None:
    run = _grader(loss_site, course, "explain", "house-price-loss", "--exercises", "exercises")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Forward pass" in run.stdout and "Loss" in run.stdout
    assert "L = 1/2 (y_1 - h_1^2)^2" in run.stdout
    assert "dL/d" not in run.stdout  # Task.explained leaves out the backward pass


def test_grade_a_class(loss_site: Path, course: Path) -> None:
    args = ["grade", "class", "-e", "house-price-loss", "--exercises", "exercises"]
    run = _grader(loss_site, course, *args, "--jobs", "1", "--out", "out", "-f", "json,csv")
    assert run.returncode == 0, run.stdout + run.stderr  # graded: scores are in the reports
    rows = (course / "out" / "gradebook.csv").read_text().splitlines()
    assert rows[0] == "student,exercise,score,max_score,status,outcome,L"  # a column per quantity
    assert rows[1:] == [
        "alice,house-price-loss,1,1,graded,ok,1",
        "bob,house-price-loss,0,1,graded,ok,0",
    ]
    report = json.loads((course / "out" / "results.json").read_text())
    results = {r["student"]: r for r in report["results"]}
    assert results["bob"]["checks"][0]["diagnosis"] == "missing-half"


def test_without_the_package_the_task_is_unknown(course: Path) -> None:
    run = _grader(None, course, "validate", "exercises/house-price-loss.toml")
    assert run.returncode == 2
    assert "task: unknown task 'loss'" in run.stderr and "Traceback" not in run.stderr
