"""Plugins come from real entry points: the built-ins, a pip-installed third-party package, and
broken ones that must be named, never silently skipped."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader import plugins
from grader.errors import PluginError

PACKAGE = Path(__file__).parent / "plugin_package"

# An exercise and its model solution for the softplus plugin, shared with test_diagnose_run.py.
SOFTPLUS = Path(__file__).parent / "softplus"
SOFTPLUS_EXERCISE = (SOFTPLUS / "softplus-backprop.toml").read_text()
SOFTPLUS_SOLUTION = (SOFTPLUS / "softplus-backprop.py").read_text()


# conftest's run_grader: a `python -m grader` process per command, forked from one that has
# imported the grader (entry points are read when a command asks for them, after PYTHONPATH).
_RUN_GRADER: list[Callable[..., Any]] = []


@pytest.fixture(scope="module", autouse=True)
def _launcher(run_grader: Callable[..., Any]) -> None:
    _RUN_GRADER[:] = [run_grader]


def _grader(*args: str, path: Path | None = None, cwd: Path | None = None):
    env = {} if path is None else {"PYTHONPATH": str(path)}
    return _RUN_GRADER[0](*args, env=env, cwd=cwd, timeout=120)


@pytest.mark.parametrize("kind", list(plugins.KINDS), ids=list(plugins.KINDS))
def test_builtins_come_from_this_projects_entry_points(kind):
    registry = plugins.registry(kind)
    assert registry, f"no {kind} registered"
    assert all(p.distribution == "backprop-grader" for p in registry.values())


def test_distributions_are_read_without_importing_a_plugin():
    from grader import __version__

    plugins._loaded.cache_clear()
    assert f"backprop-grader=={__version__}" in plugins.distributions()
    assert plugins._loaded.cache_info().currsize == 0  # a class run imports what it uses


def test_unknown_name_suggests_a_near_miss():
    with pytest.raises(
        PluginError, match=r"unknown activation 'sigmod' \(did you mean 'sigmoid'\?\)"
    ):
        plugins.get("activations", "sigmod")


@pytest.fixture(scope="module")
def installed_softplus(tmp_path_factory) -> Path:
    """pip-install the third-party package into a folder of its own (not this environment).

    Built from a copy: setuptools writes build/ into the source folder, where two test
    workers building at once would race.
    """
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    source = build / "package"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=build,
    )
    return target


def test_installed_plugin_is_listed_with_its_distribution(installed_softplus):
    run = _grader("plugins", path=installed_softplus)
    assert run.returncode == 0, run.stderr
    assert "softplus" in run.stdout and "grader-softplus 0.1.0" in run.stdout


def test_exercise_with_installed_plugin_validates_and_grades(installed_softplus, tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "solutions").mkdir()
    exercise = tmp_path / "exercises" / "softplus-backprop.toml"
    exercise.write_text(SOFTPLUS_EXERCISE)
    (tmp_path / "solutions" / "softplus-backprop.py").write_text(SOFTPLUS_SOLUTION)
    validated = _grader("validate", str(exercise), path=installed_softplus)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "model solution: 4/4" in validated.stdout
    graded = _grader(
        "check",
        "solutions/softplus-backprop.py",
        "--exercise",
        "softplus-backprop",
        "--exercises",  # the course folder by name: the working folder is never searched
        "exercises",
        path=installed_softplus,
        cwd=tmp_path,
    )
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "score: 4 / 4 (full marks)" in graded.stdout


def test_without_the_plugin_the_exercise_is_refused_by_name(tmp_path):
    exercise = tmp_path / "softplus-backprop.toml"
    exercise.write_text(SOFTPLUS_EXERCISE)
    run = _grader("validate", str(exercise))
    assert run.returncode == 2
    assert "network.layers[0].activation: unknown activation 'softplus'" in run.stderr
    assert "Traceback" not in run.stderr


def _fake_distribution(site: Path, name: str, entry_points: str, module: str = "") -> None:
    """What pip leaves behind: a dist-info folder with METADATA and entry_points.txt."""
    info = site / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    if module:
        (site / f"{name.replace('-', '_')}.py").write_text(textwrap.dedent(module))


@pytest.mark.parametrize(
    ("entry_points", "module", "expected"),
    [
        (
            "[grader.activations]\nbroken = no_such_module:thing\n",
            "",
            "plugin grader.activations[broken] from grader-broken 0.1 failed to load",
        ),
        (
            "[grader.activations]\nbroken = grader_broken:thing\n",
            "thing = object()\n",
            "plugin grader.activations[broken] from grader-broken 0.1 does not implement "
            "Activation: missing 'backward', 'forward'",
        ),
        (
            "[grader.activations]\nsigmoid = grader_broken:thing\n",
            "thing = object()\n",
            "two plugins are named grader.activations[sigmoid]",
        ),
    ],
    ids=["import-fails", "breaks-contract", "name-conflict"],
)
def test_broken_plugin_is_named_with_exit_2(tmp_path, entry_points, module, expected):
    _fake_distribution(tmp_path, "grader-broken", entry_points, module)
    run = _grader("plugins", path=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert expected in run.stderr
    assert "Traceback" not in run.stderr


# --- required and optional members (protocols.OPTIONAL) -----------------------------------


class _MinimalTask:
    """Only the required members of a Task: the optional ones take their defaults."""

    function = "loss"
    requires = ()

    def arguments(self, case):
        return {}

    def quantities(self, network):
        return []

    def reference(self, network, case):
        return {}


def test_a_task_needs_only_its_required_members():
    plugins._check("tasks", "grader.tasks[minimal] from test 0", _MinimalTask())


def test_a_task_missing_a_required_member_is_named():
    task = _MinimalTask()
    task.reference = None  # type: ignore[method-assign]
    with pytest.raises(PluginError, match=r"does not implement Task: missing 'reference \(not"):
        plugins._check("tasks", "grader.tasks[minimal] from test 0", task)


@pytest.mark.parametrize("member", ["sections", "exact", "by_hand", "plant"])
def test_an_optional_method_that_is_present_must_be_callable(member):
    task = _MinimalTask()
    setattr(task, member, 3)
    with pytest.raises(
        PluginError,
        match=rf"grader.tasks\[minimal\] from test 0 does not implement Task: "
        rf"missing '{member} \(not callable\)'",
    ):
        plugins._check("tasks", "grader.tasks[minimal] from test 0", task)


def test_only_the_documented_members_are_optional():
    from grader import protocols

    methods, attributes = plugins._protocol_members(protocols.Task)
    assert set(methods + attributes) - protocols.OPTIONAL[protocols.Task] == {
        "function",
        "requires",
        "arguments",
        "quantities",
        "reference",
    }


@pytest.mark.parametrize(
    ("explained", "message"),
    [
        (
            ("forward", "backwards"),
            r"unknown part 'backwards' in 'explained' \(did you mean 'backward'\?\)",
        ),
        ("loss", r"'explained' must be a tuple of names, not 'loss'"),
    ],
    ids=["misspelt", "a-string"],
)
def test_a_tasks_explained_parts_are_checked(explained, message):
    task = _MinimalTask()
    task.explained = explained  # type: ignore[attr-defined]
    with pytest.raises(
        PluginError, match=r"plugin grader.tasks\[minimal\] from test 0: " + message
    ):
        plugins._check("tasks", "grader.tasks[minimal] from test 0", task)
