"""Shared fixtures for the test suite."""

from __future__ import annotations

import copy
import functools
import textwrap
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from grader.errors import ExerciseError
from grader.exercise import LoadedExercise, load_exercise


def pytest_sessionstart(session: pytest.Session) -> None:
    """The grader's bytecode, written once: hundreds of tests start `grader` as a process of
    its own, and where PYTHONDONTWRITEBYTECODE is set (as in some CI images) each of them
    would compile the whole package from source again. Up-to-date files are left alone."""
    import compileall

    import grader

    for folder in grader.__path__:
        compileall.compile_dir(folder, quiet=2)


# --- runner, pipeline, scoring, cli and report tests: submissions and bundled exercises -------


@pytest.fixture
def write_submission(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny submission (dedented source) into tmp_path and return its path."""

    def write(source: str, name: str = "submission.py") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"))
        return path

    return write


@pytest.fixture(scope="session")
def bundled_exercise() -> Callable[[str], LoadedExercise]:
    """Load a bundled exercise by id, once per session (a LoadedExercise is never changed)."""
    return functools.cache(load_exercise)


@pytest.fixture(scope="session")
def worker_run() -> Iterator[Callable[..., Any]]:
    """One worker's `run` for a whole test process, as `grader grade` keeps one per lane: pass
    it as check_submission's `run` in the tests about grading, not about what one run leaves to
    the next or about the process boundary (tests/test_worker.py holds that a worker's run gets
    what a fresh `grader check` gives). Each submission still runs in a fresh, confined process
    of its own; only the fork server's start (an interpreter and numpy) is paid once."""
    from grader.run.worker import Worker

    with Worker() as worker:
        yield worker.run


# --- end of the runner/pipeline block ----------------------------------------------------------


# --- exercise files (schema, loader, consistency, printed tests): write_exercise ---------------

# A small valid exercise: the lecture's house-price network (2 inputs, 2 sigmoid, 1 linear).
# Floats are written with repr (0.3 as 0.3); write a Decimal("0.30") where the printed
# precision matters. Strings are written as TOML strings.
EXERCISE_DEFAULTS: dict = {
    "id": "tiny",
    "title": "A tiny exercise",
    "source": "written by the test suite",
    "task": "backward",
    "network": {
        "inputs": 2,
        "loss": "half-squared-error",
        "layers": [
            {"units": 2, "activation": "sigmoid"},
            {"units": 1, "activation": "linear"},
        ],
    },
    "case": {
        "x": [-0.32, -0.66],
        "y": [-0.54],
        "params": {
            "W1": [[0.2, 0.15], [0.5, 0.6]],
            "b1": [0.1, 0.25],
            "W2": [[0.3, 0.2]],
            "b2": [0.4],
        },
    },
}


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (int, float, Decimal)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_table(table: dict, name: str = "") -> list[str]:
    """Scalars and arrays first, then one [section] per sub-table (so every key has a line)."""
    lines = [f"[{name}]"] if name else []
    lines += [f"{k} = {_toml_value(v)}" for k, v in table.items() if not isinstance(v, dict)]
    for key, value in table.items():
        if isinstance(value, dict):
            lines += ["", *_toml_table(value, f"{name}.{key}" if name else key)]
    return lines


def _set_path(data: dict, path: str, value: object) -> None:
    """Set (or, with `...`, delete) the key at a `__`-separated path; digits index lists."""
    *parents, leaf = path.split("__")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    key: Any = int(leaf) if leaf.isdigit() else leaf
    if value is ...:
        del node[key]
    else:
        node[key] = value


@pytest.fixture
def write_exercise(tmp_path: Path) -> Callable[..., Path]:
    """Write a small valid exercise TOML (EXERCISE_DEFAULTS) into tmp_path; return its path.

    The id is the file name's stem unless overridden ("tiny" for the default tiny.toml).

    Keyword overrides name a key by its path with `__` for dots and digits for list indices,
    and set it (a dict replaces the whole table); the value `...` deletes the key:

        write_exercise(network__layers__0__activation="sigmod", title=...)
        write_exercise("exercises/mine.toml", grading={"hidden_cases": 0})
    """

    def write(name: str = "tiny.toml", /, **overrides: object) -> Path:
        data = copy.deepcopy(EXERCISE_DEFAULTS)
        data["id"] = Path(name).stem  # the loader refuses an id that is not the file's stem
        for key, value in overrides.items():
            _set_path(data, key, value)
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(_toml_table(data)) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def exercise_problems() -> Callable[[Path], list[tuple[str, str]]]:
    """Load an exercise that must be broken; return its (key path, message) problems.

    Also holds the contract every problem keeps: ExerciseError, exit code 2, and every line
    of the message names the file.
    """

    def problems(path: Path) -> list[tuple[str, str]]:
        with pytest.raises(ExerciseError) as info:
            load_exercise(path)
        error = info.value
        assert error.exit_code == 2
        assert error.path == str(path)
        assert error.problems
        for line, (key, message) in zip(str(error).splitlines(), error.problems, strict=True):
            assert line == (f"{path}: {key}: {message}" if key else f"{path}: {message}")
        return error.problems

    return problems


# --- end of the exercise-files block -----------------------------------------------------------


# --- batch grading (`grader grade`: reports, gradebook, engine, cli): results and schemas ------

JUNIT_XSD = Path(__file__).parent / "schemas" / "junit.xsd"

# (name, points) of house-price-backprop's checks, in the order the grader reports them.
_CHECKS = (("dL/dW1", 4.0), ("dL/db1", 2.0), ("dL/dW2", 2.0), ("dL/db2", 1.0))


def _check(name: str, points: float, status: str = "pass", **changes: Any) -> Any:
    from grader.result import Check, WrongEntry

    fields: dict[str, Any] = {
        "name": name,
        "quantity": f"gradients.{name[3:]}",
        "score": points,
        "max_score": points,
        "status": status,
        "message": "correct on every case",
        "cases_passed": 5,
        "cases": 5,
        "tolerance": "within one printed unit of the exact or the printed value",
    }
    if status == "partial":
        fields.update(score=points / 2, cases_passed=3, message="hidden case 2: 2 of 4 wrong")
    if status == "fail":
        fields.update(
            score=0.0,
            cases_passed=0,
            message=f"worked case: {name}: expected -0.018290, got 0.018290",
            wrong=[WrongEntry(label=name, case="worked case", expected=-0.01829, got=0.01829)],
            diagnosis="sign-flipped",
            explanation="the sign of the loss derivative is flipped",
        )
    return Check(**(fields | changes))


@pytest.fixture
def class_result() -> Callable[..., Any]:
    """A CheckResult of one kind, as `grader grade` stores it; keyword arguments override fields.

    Kinds: "full" (9/9), "partial" (5/9: one check partial, one failed), "timeout" (graded,
    0/9), "missing" (nothing to grade) and "error" (the grader failed on it).
    """
    from grader import __version__
    from grader.result import CheckResult

    def make(
        kind: str = "full",
        student: str = "alice",
        exercise: str = "house-price-backprop",
        **changes: Any,
    ) -> CheckResult:
        fields: dict[str, Any] = {
            "student": student,
            "exercise": exercise,
            "title": "Backpropagation on the house-price network",
            "submission": f"class/{student}.py",
            "max_score": 9.0,
            "seed": 979659953,
            "hidden_cases": 4,
            "elapsed": 0.25,
            "grader_version": __version__,
        }
        if kind == "full":
            fields.update(score=9.0, checks=[_check(n, p) for n, p in _CHECKS])
        elif kind == "partial":
            statuses = ("partial", "pass", "fail", "pass")
            checks = [_check(n, p, s) for (n, p), s in zip(_CHECKS, statuses, strict=True)]
            fields.update(score=sum(c.score for c in checks), checks=checks)
        elif kind == "timeout":
            message = "did not finish within 3 s of wall-clock time"
            checks = [_check(n, p, "fail", message=f"every case: {message}") for n, p in _CHECKS]
            fields.update(outcome="timeout", score=0.0, checks=checks, problems=[message])
        elif kind in ("missing", "error"):
            problem = {
                "missing": f"{student}/ is empty",
                "error": "the grader failed on this submission (RuntimeError: boom)",
            }[kind]
            fields.update(
                status=kind,
                outcome=kind,
                score=0.0,
                seed=0,
                hidden_cases=0,
                problems=[problem],
                submission="" if kind == "missing" else fields["submission"],
                elapsed=0.0,
            )
        else:
            raise ValueError(f"unknown kind of result {kind!r}")
        return CheckResult(**(fields | changes))

    return make


# --- the html report: hand-built results with entries, and a page parser ------------------------

LECTURE_SKETCH: dict[str, Any] = {
    "inputs": 2,
    "layers": [{"units": 2, "activation": "sigmoid"}, {"units": 1, "activation": "linear"}],
    "loss": "half-squared-error",
    "x": [-0.32, -0.66],
    "h": [[0.4843, 0.4241], [0.6301]],
}


def _entry_check(
    quantity: str, shape: tuple[int, ...], wrong: set[tuple[int, ...]] = frozenset(), **changes: Any
) -> Any:
    """A check of `quantity` whose worked-case entries at `wrong` are wrong (got = -expected)."""
    import numpy as np

    from grader import notation
    from grader.result import Check, Entry

    name = quantity.split(".")[-1]
    entries = [
        Entry(
            index=list(index),
            label=notation.symbol(name, index),
            expected=0.1 * (n + 1),
            got=-0.1 * (n + 1) if index in wrong else 0.1 * (n + 1),
            passed=index not in wrong,
        )
        for n, index in enumerate(np.ndindex(shape))
    ]
    status = "fail" if wrong else "pass"
    fields: dict[str, Any] = {
        "name": f"dL/d{name}" if quantity.startswith("gradients.") else name,
        "quantity": quantity,
        "score": 0.0 if wrong else 1.0,
        "max_score": 1.0,
        "status": status,
        "message": "worked case: wrong" if wrong else "correct on every case",
        "cases_passed": 0 if wrong else 3,
        "cases": 3,
        "tolerance": "relabs",
        "shape": list(shape),
        "by_case": [not wrong] * 3,
        "entries": entries,
    }
    return Check(**(fields | changes))


@pytest.fixture
def html_result() -> Callable[..., Any]:
    """A graded CheckResult on the lecture's network, with `checks` (default: the backward
    task's four, dL/dW1[1, 0] and dL/db1[0] wrong) and the network sketch."""
    from grader.result import CheckResult, Sketch

    def make(checks: list[Any] | None = None, **changes: Any) -> CheckResult:
        if checks is None:
            checks = [
                _entry_check("gradients.W1", (2, 2), {(1, 0)}, diagnosis="sign-flipped"),
                _entry_check("gradients.b1", (2,), {(0,)}),
                _entry_check("gradients.W2", (1, 2)),
                _entry_check("gradients.b2", (1,)),
            ]
        fields: dict[str, Any] = {
            "student": "alice",
            "exercise": "house-price-backprop",
            "title": "Backpropagation on the house-price network",
            "submission": "class/alice.py",
            "score": sum(c.score for c in checks),
            "max_score": float(len(checks)),
            "seed": 7,
            "hidden_cases": 2,
            "checks": checks,
            "grader_version": "test",
            "network": Sketch.model_validate(LECTURE_SKETCH),
        }
        return CheckResult(**(fields | changes))

    return make


def _parse_page(page: str) -> Any:
    """A page checked the way the HTML specification parses it (html5lib, strict: any parse
    error fails) and as XML (well-formed, SVG in its namespace); returns the XML root."""
    import xml.etree.ElementTree as ET

    import html5lib

    html5lib.HTMLParser(strict=True).parse(page)
    doctype, _, markup = page.partition("\n")
    if doctype != "<!DOCTYPE html>":
        raise AssertionError(f"the page starts {doctype[:40]!r}, not with the HTML5 doctype")
    return ET.fromstring(markup)


def _marked_entries(root: Any) -> list[tuple[str, str, str]]:
    """(data-quantity, data-entry, data-status) of every marked element, in document order."""
    return [
        (e.get("data-quantity"), e.get("data-entry"), e.get("data-status"))
        for e in root.iter()
        if e.get("data-entry") is not None
    ]


@pytest.fixture(scope="session")
def entry_check() -> Callable[..., Any]:
    """entry_check(quantity, shape, wrong={index, ...}, **fields): a Check with its entries."""
    return _entry_check


@pytest.fixture(scope="session")
def parse_page() -> Callable[[str], Any]:
    """parse_page(html): validated (HTML5 strict, well-formed XML); the XML root."""
    return _parse_page


@pytest.fixture(scope="session")
def marked_entries() -> Callable[[Any], list[tuple[str, str, str]]]:
    """marked_entries(root): (data-quantity, data-entry, data-status) of each marked element."""
    return _marked_entries


# --- end of the html report block ----------------------------------------------------------------


@pytest.fixture(scope="session")
def junit_schema() -> Any:
    """tests/schemas/junit.xsd, the JUnit XML format as Jenkins and Surefire read it."""
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(JUNIT_XSD)


# A `python -m grader` whose interpreter start and imports are paid once per test process: it
# forks, and the child is the command (its own process, working folder, environment with
# PYTHONPATH's folders on sys.path, stdin, stdout, stderr, exit status). Plugins are found when a
# command asks for them, so a package on PYTHONPATH is found as in a fresh interpreter. What only
# a fresh interpreter shows (start-up, a folder named like a module) is tested with real
# `python -m grader` processes: tests/test_cli.py, test_sandbox.py, test_confinement_e2e.py.
_LAUNCHER = r"""
import atexit, json, os, sys, threading, traceback
import grader.cli, grader.pipeline, grader.batch.engine  # what check and grade import first

MAIN = os.path.join(os.path.dirname(grader.__file__), "__main__.py")


def command(request):
    code = 1
    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            os.dup2(os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
        sys.stdin = open(0, closefd=False)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [MAIN, *request["args"]]
        sys.path[0] = os.getcwd()  # as `python -m` sets it
        # PYTHONPATH's folders where the interpreter puts them: after the first, before the rest
        added = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[1:1] = [os.path.abspath(p) for p in added if os.path.abspath(p) not in sys.path]
        try:
            grader.cli.main(request["args"])
            code = 0
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
        threading._shutdown()  # what the interpreter does at exit, in its order
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


for line in sys.stdin:
    request = json.loads(line)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        command(request)
    print(json.dumps({"pid": pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)
"""


class _Launcher:
    """One warm `python -m grader` per test process; one command at a time."""

    def __init__(self, folder: Path) -> None:
        import subprocess
        import sys

        self.folder = folder
        self.count = 0
        self.buffer = b""
        with (folder / "launcher-stderr.txt").open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _LAUNCHER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                bufsize=0,
            )

    def _line(self, deadline: float | None = None) -> dict | None:
        """The launcher's next line (JSON), or None when the deadline passes first."""
        import json
        import os
        import select
        import time

        assert self.proc.stdout is not None
        while b"\n" not in self.buffer:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.proc.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"the launcher ended: see {self.folder}/launcher-stderr.txt")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def run(self, args: list[str], cwd: Path | None, env: dict[str, str], timeout: float) -> Any:
        import json
        import os
        import signal
        import subprocess
        import time

        assert self.proc.stdin is not None
        self.count += 1
        out, err = (self.folder / f"{self.count}.{n}" for n in ("out", "err"))
        request = {
            "args": args,
            "cwd": str(cwd or Path.cwd()),
            "env": env,
            "stdout": str(out),
            "stderr": str(err),
        }
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        started = self._line()
        assert started is not None
        ended = self._line(time.monotonic() + timeout)
        if ended is None:
            os.kill(started["pid"], signal.SIGKILL)  # as subprocess.run does on a timeout
            self._line()
            raise subprocess.TimeoutExpired(["grader", *args], timeout)
        stdout, stderr = (p.read_text(encoding="utf-8") for p in (out, err))
        out.unlink()
        err.unlink()
        return subprocess.CompletedProcess(["grader", *args], ended["returncode"], stdout, stderr)

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


@pytest.fixture(scope="session")
def run_grader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Any]]:
    """Run `python -m grader ARGS...` as a user would (a process of its own, forked from an
    interpreter that has imported the grader already); return a CompletedProcess.

    `env` adds variables to this process's environment (None removes one); `cwd` defaults to
    the current folder.
    """
    import os

    launcher = _Launcher(tmp_path_factory.mktemp("launcher"))

    def run(
        *args: str,
        cwd: Path | None = None,
        env: dict[str, str | None] | None = None,
        timeout: float = 60,
    ) -> Any:
        merged = {**os.environ, **(env or {})}
        environment = {k: v for k, v in merged.items() if v is not None}
        return launcher.run(list(args), cwd, environment, timeout)

    yield run
    launcher.close()


# --- end of the batch-grading block ------------------------------------------------------------


# --- personal variants ([variants]: plan/variants.py, worksheets, class runs) -----------------

VARIANT_SECRET = "course secret"


@pytest.fixture
def course_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """GRADER_SECRET set for the test, and no --secret-file's secret left behind after it."""
    from grader.plan import cases

    monkeypatch.setenv("GRADER_SECRET", VARIANT_SECRET)
    yield VARIANT_SECRET
    cases.use_secret(None)


@pytest.fixture
def hand_answers() -> Callable[[LoadedExercise, str], str]:
    """A student's answers file to an exercise with [variants], worked by hand at the
    worksheet's decimals (every value rounded before it is reused): the answer key."""
    from grader.plan.cases import worked_case
    from grader.plan.variants import student_variant
    from grader.tasks.rounding import hand_calculation
    from grader.worksheet.template import answers_template, fill

    def answers(exercise: LoadedExercise, student: str) -> str:
        variant = student_variant(exercise, student)
        spec = variant.spec.variants
        decimals = spec.decimals if spec is not None else 4
        written = hand_calculation(variant.task, variant.network, worked_case(variant), decimals)
        return fill(answers_template(variant, student, decimals), written, decimals)

    return answers


@pytest.fixture
def hand_answers_file(
    hand_answers: Callable[[LoadedExercise, str], str], tmp_path: Path
) -> Callable[[LoadedExercise, str], Path]:
    """hand_answers written to tmp_path/<student>.toml."""

    def write(exercise: LoadedExercise, student: str) -> Path:
        path = tmp_path / f"{student}.toml"
        path.write_text(hand_answers(exercise, student), encoding="utf-8")
        return path

    return write


# --- end of the personal-variants block --------------------------------------------------------
