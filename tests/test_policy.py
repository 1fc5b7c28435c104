"""The child's policy (grader/run/policy.py): what counts as a violation, and its effects.

The module is a script that runs inside the child; it is loaded here by path, the way the child
loads it, and its hook is tested as a function (installing it would bind this test process).
"""

from __future__ import annotations

import builtins
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

POLICY = Path(__file__).resolve().parent.parent / "grader" / "run" / "policy.py"
spec = importlib.util.spec_from_file_location("policy_under_test", POLICY)
policy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(policy)

ROOTS = frozenset({"torch", "grader"})


def _code(path: str):
    return compile("0", path, "exec")


@pytest.mark.parametrize(
    ("event", "args", "expected"),
    [
        ("import", ("torch",), "imported torch"),
        ("import", ("torch.nn",), "imported torch.nn"),
        ("import", ("torchvision",), None),
        ("import", ("numpy",), None),
        ("exec", (_code("/site-packages/torch/__init__.py"),), "imported torch (running"),
        ("exec", (_code("/home/me/torchlight/x.py"),), None),
        ("open", ("/site-packages/torch/__init__.py",), None),  # exec decides, not open
        ("open", ("/protected/solutions/x.py",), "tried to read the grader's own files"),
        ("os.listdir", ("/protected",), "tried to read the grader's own files"),
        ("open", ("/protected-not/x",), None),
        ("compile", ("source",), None),
    ],
    ids=[
        "import",
        "submodule",
        "prefix-is-another-name",
        "allowed",
        "exec-of-package",
        "exec-elsewhere",
        "open-of-package",
        "open-protected",
        "listdir-protected",
        "sibling-of-protected",
        "other-event",
    ],
)
def test_violation(event: str, args: tuple, expected: str | None) -> None:
    what = policy._violation(event, args, ROOTS, ("/protected",))
    if expected is None:
        assert what is None
    else:
        assert what is not None and what.startswith(expected)


def _child(source: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """A fresh interpreter that installs the policy, then runs `source`."""
    script = tmp_path / "run.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(POLICY.parent)!r})\n"
        "from policy import install_policy\n"
        "def send(**event):\n    print('EVENT', event, flush=True)\n"
        "install_policy(['forbiddenpkg'], [], send)\n" + textwrap.dedent(source)
    )
    return subprocess.run(
        [sys.executable, "-I", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


@pytest.mark.parametrize(
    "attempt",
    [
        "import forbiddenpkg",
        "__import__('forbiddenpkg')",
        "import importlib; importlib.import_module('forbiddenpkg')",
        "import importlib.util; importlib.util.find_spec('forbiddenpkg')",
        # patching what the policy uses does not keep the run alive
        "import os, json; os._exit = lambda c: None; json.dumps = str; import forbiddenpkg",
    ],
    ids=["import", "dunder-import", "import-module", "find-spec", "patched-exit"],
)
def test_an_attempt_ends_the_run_with_the_policy_status(attempt: str, tmp_path: Path) -> None:
    run = _child(attempt + "\nprint('STILL RUNNING')", tmp_path)
    assert run.returncode == policy.POLICY_EXIT, run.stderr
    assert "imported forbiddenpkg" in run.stdout
    assert "STILL RUNNING" not in run.stdout


def test_a_forbidden_package_that_exists_is_caught_when_loaded_by_hand(tmp_path: Path) -> None:
    package = tmp_path / "forbiddenpkg"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 1\n")
    source = f"""
    import importlib.util, sys
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_Sentinel"]
    spec = importlib.util.spec_from_file_location("x", {str(package / "__init__.py")!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    print("LOADED", module.VALUE)
    """
    run = _child(source, tmp_path)
    assert run.returncode == policy.POLICY_EXIT, run.stdout + run.stderr
    assert "LOADED" not in run.stdout


def test_the_preloaded_modules_are_imported_once_per_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """confine() preloads; in a run forked from a server that preloaded, that costs nothing."""
    policy.preload()
    imported: list[str] = []
    real = builtins.__import__
    monkeypatch.setattr(
        builtins, "__import__", lambda name, *a, **k: imported.append(name) or real(name, *a, **k)
    )
    policy.preload()
    assert imported == []
    policy.preload(("json",))  # another list is imported as asked
    assert imported == ["json"]


def test_nothing_forbidden_installs_nothing(tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(POLICY.parent)!r})\n"
        "from policy import install_policy\n"
        "before = list(sys.meta_path)\n"
        "install_policy([], [], print)\n"
        "print(sys.meta_path == before)\n"
    )
    run = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, text=True)
    assert run.stdout.strip() == "True"


def _guarded_child(source: str, protected: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """A fresh interpreter whose policy guards `protected`, then runs `source`."""
    script = tmp_path / "guarded.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(POLICY.parent)!r})\n"
        "from policy import install_policy\n"
        "def send(**event):\n    print('EVENT', event, flush=True)\n"
        f"install_policy([], [{str(protected)!r}], send)\n" + textwrap.dedent(source)
    )
    return subprocess.run(
        [sys.executable, "-I", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fds are named by /proc")
@pytest.mark.parametrize(
    "attempt",
    [
        "fd = os.open(PARENT, os.O_RDONLY)\nos.open('secret/answers.toml', os.O_RDONLY, dir_fd=fd)",
        "fd = os.open(SECRET, os.O_RDONLY)\nos.listdir(fd)",
        "fd = os.open(SECRET, os.O_RDONLY)\nos.open('answers.toml', os.O_RDONLY, dir_fd=fd)",
        "os.chdir(SECRET)",
        # replacing what the hook uses, once installed, changes nothing
        "import policy\npolicy._violation = policy._checker = lambda *a: None\n"
        "os.path.realpath = lambda p: '/nowhere'\nopen(SECRET + '/answers.toml')",
    ],
    ids=["dir-fd-relative", "listdir-of-an-fd", "dir-fd-inside", "chdir", "patched-hook"],
)
def test_the_grader_files_are_guarded_however_they_are_named(attempt: str, tmp_path: Path) -> None:
    secret = tmp_path / "parent" / "secret"
    secret.mkdir(parents=True)
    (secret / "answers.toml").write_text("atol = 1e9\n")
    source = f"import os\nPARENT, SECRET = {str(secret.parent)!r}, {str(secret)!r}\n"
    run = _guarded_child(source + attempt + "\nprint('STILL RUNNING')", secret, tmp_path)
    assert run.returncode == policy.POLICY_EXIT, run.stdout + run.stderr
    assert "tried to read the grader's own files" in run.stdout
    assert "STILL RUNNING" not in run.stdout


def test_relative_names_elsewhere_are_allowed(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (tmp_path / "mine.txt").write_text("mine")
    run = _guarded_child("print(open('mine.txt').read())", secret, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "mine"
