"""Hostile submissions (tests/hostile/*.py) against every isolation layer, with and without bwrap.

Each hostile file is graded through the whole pipeline, once in the bubblewrap sandbox and once in
the fallback (`GRADER_NO_SANDBOX=1`: rlimits, process-group kill, the fork server a subreaper).
For each run: less than full marks, a short message naming what happened, the run ends within its
limits, no process of the run survives, nothing outside the run's private folder changes, and the
model solution graded right after earns full marks. tests/hostile/README.md says what each file
tries.

Runs sequentially, in 60-110 s on two cores (the slow cases are the few that hit a limit).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

if not sys.platform.startswith("linux"):
    pytest.skip(
        "the hostile suite watches processes through Linux's /proc", allow_module_level=True
    )

import fcntl  # Linux only, like /proc

from grader.exercise import LoadedExercise, load_exercise
from grader.pipeline import check_submission, limits_for
from grader.report.json_report import JsonReporter
from grader.report.text import TextReporter
from grader.result import CheckResult
from grader.run import sandbox, worker
from grader.run.limits import Limits
from grader.run.request import RunRequest
from grader.run.runner import run_submission
from grader.run.worker import Worker

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "hostile"
EXERCISE = "house-price-backprop"
SOLUTION = REPO / "solutions" / f"{EXERCISE}.py"
CORRECT = sorted((REPO / "tests" / "submissions" / EXERCISE).glob("correct_*.py"))
WATCHED = [
    REPO / d for d in ("exercises", "solutions", "grader", "tests/hostile", "tests/submissions")
]
CANARY_DIR = Path("/tmp/grader-canary-hostile")  # fixed: a submission cannot be told a path
DROPPED = [Path(p) / "grader-hostile-dropped.txt" for p in ("/tmp", "/dev/shm", "/var/tmp")]
LISTEN_PORT = 48213  # network.py tries to connect here
TAG = b"grader-hostile"  # in the command line of a survivor that hides its environment
# One hostile test at a time on this machine, across test runs (several sessions may run the
# suite at once): they share the canary, the port and the survivor tag. Not under /tmp/grader*,
# which deleting_files.py attacks.
LOCK = Path("/tmp/backprop-grader-hostile-tests.lock")
# The files that use those shared things (the canary folder, the dropped files, the listening
# port, the hiding survivor's tag) take the lock; every other one runs alongside the rest.
SHARED = {"deleting_files", "filling_disk", "network", "survivor_clean_env", "writing_files"}
# Seconds past the wall limit before the grader itself counts as hung: a hang, never a slow or
# loaded machine (issue 9: no outcome may depend on the machine's speed).
MARGIN = 30.0
ZEROS = ("got 0.000000",)  # what the report says about a submission that answers with zeros
ISOLATED_FILES = (
    "only a run with a mount namespace of its own claims file isolation; in a fallback where "
    "the kernel refuses it one, this attack would really change files outside the run's folder"
)
# No run is root on Linux any more (a uid of its own, or the grader's own user): a fork fails.
NO_FORK = ("BlockingIOError",)


# --- what each hostile file must produce -----------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    words: tuple[str, ...] = ()  # in the message, in every mode (case-insensitive)
    sandbox_words: tuple[str, ...] = ()
    fallback_words: tuple[str, ...] = ()
    # Only a file that is meant to run out of time gets a short limit; every other one gets a
    # limit it cannot reach by accident, however loaded the machine (its outcome is not a timeout).
    wall: float = 30.0
    cpu: int | None = None
    memory_mb: int | None = None
    # Where this case is meaningful (or safe): "sandbox" only, "isolated" (the sandbox, or a
    # fallback whose runs get namespaces of their own), "own-uid" (the sandbox, or a fallback
    # whose runs get a uid of their own: the grader is root).
    only: str | None = None
    why: str = ""
    zero: bool = False  # a policy violation scores exactly 0


HOSTILES: dict[str, Hostile] = {
    "infinite_loop": Hostile(("CPU time",), wall=3, cpu=1),
    "infinite_loop_ignoring_signals": Hostile(("CPU time",), wall=3, cpu=1),
    "sleep_past_wall": Hostile(("wall-clock",), wall=2),
    "memory_bomb": Hostile(("memory", "512 MiB"), memory_mb=512),
    "fork_bomb": Hostile(("wall-clock",), wall=2),
    "survivor": Hostile(NO_FORK),
    "survivor_clean_env": Hostile(NO_FORK),
    "survivor_hopping": Hostile(NO_FORK),
    "exit_at_import": Hostile(("sys.exit(0)",)),
    "os_exit_in_call": Hostile(("exit status 0", "before returning results")),
    "raising": Hostile(("NotImplementedError", "line 3")),
    "raising_nasty": Hostile(("raised",)),
    "syntax_error": Hostile(("SyntaxError", "line 5")),
    "binary_garbage": Hostile(("SyntaxError",)),
    "missing_function": Hostile(("no function 'backward'",)),
    "missing_import": Hostile(("NameError", "'np'")),
    "missing_module": Hostile(("ModuleNotFoundError", "backprop_helpers")),
    "nan_inf": Hostile(("got nan", "got inf", "got -inf")),
    "wrong_shapes": Hostile(("has shape (4,), expected (2, 2)", "has shape (), expected (1,)")),
    "missing_keys": Hostile(("no key 'W2'", "no key 'b2'", "unexpected key 'dW2'")),
    "returns_none": Hostile(("NoneType",)),
    "strings": Hostile(("text", "bytes", "not real numbers")),
    "object_arrays": Hostile(("objects", "not real numbers")),
    "huge_array": Hostile(("memory",), memory_mb=512),
    "ndarray_liar": Hostile(("has shape (4,), expected (2, 2)", *ZEROS)),
    "output_flood": Hostile(("printed more than",)),
    "output_spoofing": Hostile(("ValueError",)),
    "inplace_mutation": Hostile(("changed its input",)),
    "stack_overflow": Hostile(("SIGSEGV",)),
    # It looks through the file system first (the sandbox shows nothing; without it the
    # audit hook stops the first read of the grader's files), then asks where the grader is.
    "reading_exercise_files": Hostile(
        sandbox_words=("imported grader",), fallback_words=("the grader's own files",), zero=True
    ),
    "importing_solver": Hostile(("imported grader",), zero=True),
    # Its first step, find_spec("grader"), is already an import attempt.
    "importing_solver_sneaky": Hostile(("imported grader",), zero=True),
    "deleting_files": Hostile(ZEROS, only="isolated", why=ISOLATED_FILES),
    # Without bubblewrap the child script it tries to write is the grader's own file, which the
    # audit hook refuses first: a violation, scored 0.
    "writing_files": Hostile(
        sandbox_words=ZEROS,
        fallback_words=("the grader's own files",),
        only="isolated",
        why=ISOLATED_FILES,
    ),
    "filling_disk": Hostile(only="isolated", why=ISOLATED_FILES),
    # The fallback claims nothing about the network. Where the interpreter is private (under
    # /root) its run cannot load the idna codec that a connection to a named host needs (only
    # policy.PRELOADED is there): it ends at import instead of answering zeros.
    "network": Hostile(sandbox_words=ZEROS),
    "killing_parent": Hostile(
        ("SIGKILL",),
        only="own-uid",
        why="in a fallback whose runs share the grader's own user, a run could kill the "
        "worker's fork server: test_killing_parent_in_the_fallback runs it under a `grader "
        "check` subprocess",
    ),
    "forbidden_torch": Hostile(("imported torch",), zero=True),
    "forbidden_jax_importlib": Hostile(("imported jax",), zero=True),
    "forbidden_tensorflow_dunder": Hostile(("imported tensorflow",), zero=True),
    "forging_results": Hostile(ZEROS, zero=True),
    "many_keys": Hostile(("keys, expected a dict with keys W1",)),
}


# --- checks that only some files need (mode, result, context) -> list of failures ------------


@dataclass
class Context:
    mode: str
    listener: Listener | None


def _stdout_has(text: str) -> Callable[[str, CheckResult, Context], list[str]]:
    def check(mode: str, result: CheckResult, ctx: Context) -> list[str]:
        if mode == "sandbox" and text not in result.stdout:
            return [
                f"the sandboxed submission saw something: expected {text!r} in its output:\n"
                f"{result.stdout[-1500:]}"
            ]
        return []

    return check


def _network_contained(mode: str, result: CheckResult, ctx: Context) -> list[str]:
    if mode != "sandbox":
        return []
    failures = []
    if ctx.listener is not None and ctx.listener.accepted:
        failures.append(f"a sandboxed submission reached 127.0.0.1:{LISTEN_PORT} on the host")
    line = next((x for x in result.stdout.splitlines() if x.startswith("NETWORK: ")), None)
    if line is None:
        return [*failures, f"network.py printed no NETWORK line:\n{result.stdout[-1500:]}"]
    seen = json.loads(line.removeprefix("NETWORK: "))
    interfaces = seen.pop("interfaces")
    failures += [
        f"connected to {where} from the sandbox"
        for where, how in seen.items()
        if how == "connected"
    ]
    if interfaces != ["lo"]:
        failures.append(f"the sandbox has network interfaces {interfaces}, expected only lo")
    return failures


def _nothing_dropped(mode: str, result: CheckResult, ctx: Context) -> list[str]:
    return [f"the submission created {p}" for p in DROPPED if p.exists()]


def _disk_bounded(mode: str, result: CheckResult, ctx: Context) -> list[str]:
    written = [int(m) for m in re.findall(r"WROTE-MIB: (\d+)", result.stdout)]
    most = max(written, default=0)
    if most > 64:
        return [
            f"the submission wrote {most} MiB to the grader's disk before it was stopped "
            "(its working folder is a bind mount of a host folder with no size limit; "
            "only each file is capped at 16 MiB)"
        ]
    return []


def _report_not_spoofed(mode: str, result: CheckResult, ctx: Context) -> list[str]:
    text = io.StringIO()
    TextReporter(text).add(result)
    report = text.getvalue()
    failures = []
    controls = sorted({repr(c) for c in re.findall(r"[\x00-\x08\x0b-\x1f\x7f]", report)})
    if controls:
        failures.append(
            f"the text report carries the submission's control characters {controls}"
            " (terminal escapes can erase lines, move the cursor, hide the score)"
        )
    scores = [line for line in report.splitlines() if line.strip().startswith("score:")]
    if scores != [report.rstrip("\n").splitlines()[-1]]:
        failures.append(f"the text report has {len(scores)} 'score:' lines: {scores}")
    return failures


EXTRA: dict[str, Callable[[str, CheckResult, Context], list[str]]] = {
    "reading_exercise_files": _stdout_has("FOUND: []"),
    "network": _network_contained,
    "writing_files": _nothing_dropped,
    "filling_disk": _disk_bounded,
    "output_spoofing": _report_not_spoofed,
}


# --- helpers ---------------------------------------------------------------------------------


def everything_said(result: CheckResult) -> str:
    return "\n".join([*result.problems, *result.notes, *(c.message for c in result.checks)])


def _processes() -> dict[int, tuple[list[bytes], bytes]]:
    """pid -> (environment entries, command line) of every process we may read."""
    found = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError):
            environ = (entry / "environ").read_bytes().split(b"\0")
            found[int(entry.name)] = (environ, (entry / "cmdline").read_bytes())
    return found


def _of_run(
    markers: list[str], ignore: set[int] = frozenset(), tagged: bool = True
) -> dict[int, str]:
    """Live processes started by these runs: their marker, or (`tagged`, for the tests that
    hold the lock) the hiding survivor's tag."""
    needles = {f"GRADER_RUN={m}".encode() for m in markers}
    found = {}
    for pid, (environ, cmdline) in _processes().items():
        if pid == os.getpid() or pid in ignore:
            continue
        if (tagged and TAG in cmdline) or needles.intersection(environ):
            found[pid] = cmdline.replace(b"\0", b" ").decode(errors="replace")[:150]
    return found


def _tagged() -> set[int]:
    return {pid for pid, (_, cmdline) in _processes().items() if TAG in cmdline}


def _survivors(
    markers: list[str], ignore: set[int], grace: float = 1.0, tagged: bool = True
) -> dict[int, str]:
    """What is still alive after `grace` seconds (a killed process takes a moment to go)."""
    deadline = time.monotonic() + grace
    while (left := _of_run(markers, ignore, tagged)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _kill_all(markers: list[str], tagged: bool = True) -> None:
    """Take down whatever a failed containment left, group first (a pid-hopper keeps its group)."""
    for _ in range(100):
        left = _of_run(markers, tagged=tagged)
        if not left:
            return
        for pid in left:
            with contextlib.suppress(OSError):
                group = os.getpgid(pid)
                if group != os.getpgrp():
                    os.killpg(group, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


def _snapshot(with_canary: bool = True) -> dict[str, str]:
    """sha256 of every file that a run must not change (bytecode caches left out); the canary
    folder only for a test that holds the lock (another test may be making it)."""
    files: dict[str, str] = {}
    for top in [*WATCHED, *([CANARY_DIR] if with_canary else [])]:
        if not top.exists():
            files[str(top)] = "missing"
            continue
        for path in sorted(top.rglob("*")):
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            with contextlib.suppress(OSError):
                files[str(path)] = (
                    hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
                )
    return files


def _changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    changed = [p for p in before.keys() & after.keys() if before[p] != after[p]]
    return sorted(
        [f"changed {p}" for p in changed]
        + [f"removed {p}" for p in before.keys() - after.keys()]
        + [f"created {p}" for p in after.keys() - before.keys()]
    )


class Listener:
    """A TCP listener on 127.0.0.1:LISTEN_PORT that records whoever connects."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", LISTEN_PORT))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.accepted: list[tuple[str, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted.append(peer)
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exercise() -> LoadedExercise:
    return load_exercise(EXERCISE)


MODES = ("sandbox", "fallback")


@contextlib.contextmanager
def _module_mode(mode: str) -> Iterator[None]:
    """GRADER_NO_SANDBOX as `mode` has it, for a module fixture (monkeypatch is per test), with
    a fresh probe; the variable and the probe's cache are put back afterwards."""
    saved = os.environ.get("GRADER_NO_SANDBOX")
    if mode == "sandbox":
        os.environ.pop("GRADER_NO_SANDBOX", None)
    else:
        os.environ["GRADER_NO_SANDBOX"] = "1"
    sandbox.probe.cache_clear()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("GRADER_NO_SANDBOX", None)
        else:
            os.environ["GRADER_NO_SANDBOX"] = saved
        sandbox.probe.cache_clear()


@pytest.fixture(scope="module")
def probed() -> dict[str, sandbox.Sandbox]:
    """`sandbox.probe()`'s answer in each mode, asked once per module: the fallback's probe is
    a trial run of an interpreter of its own, and its answer is the machine's, not a test's
    (the grader too asks once per process)."""
    boxes = {}
    for mode in MODES:
        with _module_mode(mode):
            boxes[mode] = sandbox.probe()
    return boxes


@pytest.fixture
def isolation(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    probed: dict[str, sandbox.Sandbox],
) -> Iterator[str]:
    """The mode: sandbox (skipped where bwrap does not work) or fallback (GRADER_NO_SANDBOX=1).
    The probe answers with this module's answer for the mode (`probed`)."""
    mode = request.param
    if mode == "sandbox":
        monkeypatch.delenv("GRADER_NO_SANDBOX", raising=False)
    else:
        monkeypatch.setenv("GRADER_NO_SANDBOX", "1")
    sandbox.probe.cache_clear()
    box = probed[mode]
    monkeypatch.setattr(sandbox, "_probe", functools.cache(lambda: box))
    assert sandbox.probe() is box  # cached now: presume() asks it and starts no probe of its own
    if mode == "sandbox" and not box.enabled:
        pytest.skip(f"the bubblewrap sandbox does not work here: {box.reason}")
    assert box.enabled == (mode == "sandbox")
    yield mode
    sandbox.probe.cache_clear()


@pytest.fixture(scope="module")
def honest(exercise: LoadedExercise) -> Iterator[dict[str, Worker]]:
    """A worker per mode for the honest student graded after each hostile one: started here,
    before any test's spy sees its server (a fresh worker per test cost a server start each,
    inside the one-at-a-time lock). Each honest run is still a fresh, confined process."""
    workers: dict[str, Worker] = {}
    for mode in MODES:
        with _module_mode(mode):
            if sandbox.probe().enabled == (mode == "sandbox"):
                workers[mode] = Worker()
                check_submission(exercise, SOLUTION, run=workers[mode].run)  # starts its server
    yield workers
    for each in workers.values():
        each.close()


@pytest.fixture
def exclusive() -> Iterator[None]:
    with open(LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def markers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The GRADER_RUN marker of every run in this test; their leftovers are killed at the end.
    A test's markers are its own, so tests with markers may run at once."""
    seen: list[str] = []
    original = worker.child_environment

    def spy(marker: str) -> dict[str, str]:
        seen.append(marker)
        return original(marker)

    monkeypatch.setattr(worker, "child_environment", spy)
    yield seen
    _kill_all(seen, tagged=False)


@pytest.fixture
def canary(exclusive: None) -> Iterator[Path]:
    """A world-writable file in a world-writable folder: only isolation protects it."""
    shutil.rmtree(CANARY_DIR, ignore_errors=True)
    CANARY_DIR.mkdir()
    CANARY_DIR.chmod(0o777)
    path = CANARY_DIR / "canary.txt"
    path.write_text("the grader's canary: a submission must not touch this\n")
    path.chmod(0o666)
    yield path
    shutil.rmtree(CANARY_DIR, ignore_errors=True)
    for dropped in DROPPED:
        with contextlib.suppress(OSError):
            dropped.unlink()


def _cases() -> Iterator[object]:
    for stem in sorted(HOSTILES):
        spec = HOSTILES[stem]
        for mode in ("sandbox", "fallback"):
            marks = [pytest.mark.skip(reason=spec.why)] if spec.only == "sandbox" != mode else []
            yield pytest.param(stem, mode, id=f"{stem}-{mode}", marks=marks)


def _skip_unless_meaningful(spec: Hostile, mode: str) -> None:
    """The fallback's own conditions, known only once the mode's probe has run."""
    if mode == "sandbox":
        return
    if spec.only == "isolated" and not sandbox.probe().per_run:
        pytest.skip(spec.why)
    if spec.only == "own-uid" and not sandbox.is_root():
        pytest.skip(spec.why)


# --- the hostile files -----------------------------------------------------------------------


def test_every_hostile_file_is_listed_and_says_what_it_tries() -> None:
    stems = sorted(p.stem for p in HOSTILE.glob("*.py"))
    assert stems == sorted(HOSTILES)
    assert len(stems) >= 25
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    for stem in stems:
        first = (HOSTILE / f"{stem}.py").read_bytes().split(b"\n", 1)[0]
        assert re.fullmatch(rb"# [A-Z][^\n]{10,}", first), f"{stem}.py: {first[:80]!r}"
        assert f"`{stem}.py`" in readme, f"{stem}.py is not described in tests/hostile/README.md"


@pytest.mark.parametrize(("stem", "isolation"), list(_cases()), indirect=["isolation"])
def test_a_hostile_submission_is_contained(
    stem: str,
    isolation: str,
    exercise: LoadedExercise,
    markers: list[str],
    honest: dict[str, Worker],
    request: pytest.FixtureRequest,
) -> None:
    spec = HOSTILES[stem]
    mode = isolation
    _skip_unless_meaningful(spec, mode)
    shared = stem in SHARED  # the lock, the canary, the dropped files and the tag are its
    if shared:
        request.getfixturevalue("canary")
    limits = limits_for(
        exercise, wall_seconds=spec.wall, cpu_seconds=spec.cpu, memory_mb=spec.memory_mb
    )
    listener = None
    if stem == "network":
        try:
            listener = Listener()
        except OSError as exc:
            pytest.skip(f"cannot listen on 127.0.0.1:{LISTEN_PORT} for network.py: {exc}")
    before, hiding_already = _snapshot(shared), _tagged()
    try:
        started = time.monotonic()
        result = check_submission(exercise, HOSTILE / f"{stem}.py", limits=limits)
        elapsed = time.monotonic() - started
        left = _survivors(markers, ignore=hiding_already, tagged=shared)
    finally:
        if listener is not None:
            listener.close()
        if shared:  # a survivor that hid its environment carries only the tag
            _kill_all(markers)
    said = everything_said(result)
    failures = []

    if result.full_marks:
        failures.append(f"full marks ({result.score:g} / {result.max_score:g})")
    if spec.zero and result.score != 0:
        failures.append(f"scored {result.score:g}, a policy violation scores 0")
    if not said.strip():
        failures.append("no message at all")
    words = (*spec.words, *(spec.sandbox_words if mode == "sandbox" else spec.fallback_words))
    missing = [w for w in words if w.lower() not in said.lower()]
    if missing:
        failures.append(f"the message does not say {missing}")
    if len(result.problems) > 10 or len(said) > 20_000:
        failures.append(
            f"the message is not short: {len(result.problems)} problems, {len(said)} characters"
        )
    if elapsed > limits.wall_seconds + MARGIN:
        failures.append(f"took {elapsed:.1f} s with a {limits.wall_seconds:g} s wall limit")
    if left:
        failures.append(f"processes survived the run: {left}")
    if changes := _changes(before, _snapshot(shared)):
        failures.append(
            "files outside the run's folder changed (or someone edited them "
            f"meanwhile): {changes[:10]}"
        )
    for reporter in (TextReporter, JsonReporter):
        out = reporter(io.StringIO())
        out.add(result)
        out.close()
    if stem in EXTRA:
        failures += EXTRA[stem](mode, result, Context(mode, listener))

    after = check_submission(exercise, SOLUTION, run=honest[mode].run)
    if not after.full_marks:
        failures.append(f"the model solution graded next lost marks: {everything_said(after)}")

    header = f"{stem}.py [{mode}]:\n  - " + "\n  - ".join(failures)
    assert not failures, (
        f"{header}\n\nwhat it was told:\n{said[:3000]}\n\n"
        f"its stdout (tail):\n{result.stdout[-1500:]}\nits stderr (tail):\n{result.stderr[-1500:]}"
    )


def _grader(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    """`python -m grader` in a fresh interpreter, with none of this process's GRADER_ settings."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**environ, **(env or {})},
        cwd=REPO,
    )


@pytest.fixture
def command(run_grader: Callable[..., Any]) -> Callable[..., Any]:
    """The same through conftest's run_grader (a process of its own per command, forked from an
    interpreter that has imported the grader): for the tests about what the command says."""

    def run(*args: str, env: dict[str, str] | None = None) -> Any:
        unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("GRADER_")}
        return run_grader(*args, env={**unset, **(env or {})}, cwd=REPO)

    return run


def _running_from(source: bytes) -> set[int]:
    """Marked processes whose working folder holds a submission.py of exactly `source`."""
    found = set()
    for pid, (environ, _) in _processes().items():
        if not any(e.startswith(b"GRADER_RUN=") for e in environ):
            continue
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cwd/submission.py").read_bytes() == source:
                found.add(pid)
    return found


def test_killing_parent_in_the_fallback(
    exercise: LoadedExercise, canary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_NO_SANDBOX", "1")
    sandbox.probe.cache_clear()
    fallback = sandbox.probe()
    sandbox.probe.cache_clear()
    if not fallback.as_root:
        pytest.skip(
            "as your own user, the fallback's run shares your uid and can signal the worker's "
            "fork server (grader grade refuses that without --no-isolation)"
        )
    # In the fallback the run shares the grader's machine view: run that grader as a subprocess.
    source = (HOSTILE / "killing_parent.py").read_bytes()
    # No worker folder to leak any more: the fallback's worker keeps none, and the run's
    # folder is a tmpfs of its own (tests/test_worker.py, no folder outlives its run).
    before = _snapshot()
    started = time.monotonic()
    run = _grader(
        "check",
        str(HOSTILE / "killing_parent.py"),
        "-e",
        EXERCISE,
        "--timeout",
        "2",
        env={"GRADER_NO_SANDBOX": "1"},
    )
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    left = _running_from(source)
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    output = run.stdout + run.stderr
    failures = []
    if run.returncode != 1:
        failures.append(
            f"the grader ended with status {run.returncode} instead of 1 (graded, not full "
            "marks): the submission killed it"
        )
    if "SIGKILL" not in run.stdout:
        failures.append("the report does not say the run was killed by SIGKILL")
    if "Traceback" in output:
        failures.append("a traceback")
    if elapsed > 2 + MARGIN + 1:  # + the interpreter's start-up
        failures.append(f"took {elapsed:.1f} s with a 2 s wall limit")
    if left:
        failures.append(f"processes survived: {left}")
    if changes := _changes(before, _snapshot()):
        failures.append(f"files outside the run's folder changed: {changes[:10]}")
    if not check_submission(exercise, SOLUTION).full_marks:
        failures.append("the model solution graded next lost marks")
    assert not failures, (
        "killing_parent.py [fallback]:\n  - "
        + "\n  - ".join(failures)
        + (f"\n\nthe grader's output:\n{output[-3000:]}")
    )


@pytest.mark.parametrize(
    ("stem", "flags", "words"),
    [
        ("binary_garbage", [], "SyntaxError"),
        ("output_flood", [], "printed more than"),
        ("forbidden_torch", [], "imported torch"),
        ("sleep_past_wall", ["--timeout", "2"], "wall-clock"),
    ],
    ids=["binary_garbage", "output_flood", "forbidden_torch", "sleep_past_wall"],
)
def test_the_command_line_exits_1_with_a_message(
    stem: str, flags: list[str], words: str, command: Callable[..., Any]
) -> None:
    run = command("check", str(HOSTILE / f"{stem}.py"), "-e", EXERCISE, *flags)
    assert run.returncode == 1, run.stdout + run.stderr
    assert words in run.stdout
    assert "not full marks" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert "internal error" not in run.stderr


# --- the sandbox itself ----------------------------------------------------------------------


@pytest.fixture
def sandboxed(monkeypatch: pytest.MonkeyPatch) -> Iterator[sandbox.Sandbox]:
    monkeypatch.delenv("GRADER_NO_SANDBOX", raising=False)
    sandbox.probe.cache_clear()
    box = sandbox.probe()
    if not box.enabled:
        pytest.skip(f"the bubblewrap sandbox does not work here: {box.reason}")
    yield box
    sandbox.probe.cache_clear()


PROBE = """
import importlib.util
import json
import os
import socket

facts = {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": os.getgroups()}
with open("/proc/self/status") as f:
    facts["CapEff"] = [line.split()[1] for line in f if line.startswith("CapEff")][0]
try:
    import grader
    facts["import grader"] = getattr(grader, "__file__", "?")
except ImportError as exc:
    facts["import grader"] = type(exc).__name__
spec = importlib.util.find_spec("grader")
facts["grader spec"] = None if spec is None else [
    p for p in (spec.submodule_search_locations or []) if os.path.isdir(p)
]
facts["visible"] = [p for p in REPO_PATHS if os.path.exists(p)]
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
    facts["network"] = "connected"
except OSError as exc:
    facts["network"] = type(exc).__name__
facts["interfaces"] = [name for _, name in socket.if_nameindex()]
print("FACTS " + json.dumps(facts))


def f(x):
    return {"ok": 1.0}
"""


def test_the_sandboxed_child_is_isolated(
    sandboxed: sandbox.Sandbox, exclusive: None, tmp_path: Path
) -> None:
    repo_paths = [str(REPO / d) for d in ("exercises", "solutions", "grader", "tests")]
    repo_paths += [str(p) for p in sandbox._hidden_paths(())]
    probe = tmp_path / "probe.py"
    source = PROBE.replace("REPO_PATHS", repr(repo_paths)).replace("PORT", str(LISTEN_PORT))
    probe.write_text(source)
    listener = Listener()
    try:
        # No import policy here: what stops `import grader` must be the sandbox itself.
        report = run_submission(
            RunRequest(probe.read_bytes(), "f", [[[1.0]]], Limits(wall_seconds=10))
        )
    finally:
        listener.close()
    assert report.status == "ok", (report.message, report.stderr)
    line = next(x for x in report.stdout.splitlines() if x.startswith("FACTS "))
    facts = json.loads(line.removeprefix("FACTS "))
    assert facts["import grader"] == "ModuleNotFoundError", facts
    assert not facts["grader spec"], facts
    assert facts["visible"] == [], facts
    assert facts["network"] != "connected" and not listener.accepted, facts
    assert facts["interfaces"] == ["lo"], facts
    if os.geteuid() == 0:  # a uid of its own for this run, no longer the shared nobody
        assert facts["uid"] == facts["euid"] == facts["gid"] >= sandbox.UID_BASE, facts
        assert facts["groups"] == [], facts
        assert int(facts["CapEff"], 16) == 0, facts


@pytest.mark.parametrize("path", [*CORRECT, SOLUTION], ids=lambda p: p.stem)
def test_a_correct_submission_earns_full_marks_in_the_sandbox(
    sandboxed: sandbox.Sandbox, exercise: LoadedExercise, path: Path
) -> None:
    result = check_submission(exercise, path)
    assert result.full_marks, everything_said(result)
    assert result.problems == []


# --- the command line when the sandbox is off ------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "env"),
    [(["--require-sandbox"], {}), ([], {"GRADER_REQUIRE_SANDBOX": "1"})],
    ids=["flag", "environment"],
)
def test_require_sandbox_refuses_when_it_is_off(
    flags: list[str], env: dict[str, str], command: Callable[..., Any]
) -> None:
    run = command(
        "check", str(SOLUTION), "-e", EXERCISE, *flags, env={"GRADER_NO_SANDBOX": "1", **env}
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert "the sandbox is required" in run.stderr
    assert "GRADER_NO_SANDBOX" in run.stderr  # says why it is off
    assert "Traceback" not in run.stderr
    assert "score:" not in run.stdout  # nothing was graded


def test_a_one_line_notice_says_the_sandbox_is_off(command: Callable[..., Any]) -> None:
    run = command("check", str(SOLUTION), "-e", EXERCISE, env={"GRADER_NO_SANDBOX": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    notices = [line for line in run.stderr.splitlines() if line.startswith("note:")]
    assert len(notices) == 1, run.stderr
    assert "sandbox" in notices[0] and "GRADER_NO_SANDBOX" in notices[0]
    assert "--require-sandbox" in notices[0]


def test_in_gradescopes_container_the_notice_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    # Gradescope's Docker usually refuses bubblewrap: the instructor is told where, and what holds.
    off = sandbox.Sandbox(False, "bubblewrap is refused here (no namespaces)", as_root=True)
    monkeypatch.setattr(sandbox, "probe", lambda: off)
    monkeypatch.setattr(sandbox, "is_root", lambda: True)  # as Gradescope runs the autograder
    monkeypatch.setattr(sandbox, "in_gradescope", lambda: True)
    notice = sandbox.require(required=False)
    assert notice.startswith("note (Gradescope's container): bubblewrap is refused here")
    assert "a user of its own" in notice and "\n" not in notice
    monkeypatch.setattr(sandbox, "in_gradescope", lambda: False)
    assert sandbox.require(required=False).startswith("note: bubblewrap is refused here")


def test_no_notice_when_the_sandbox_is_on(
    sandboxed: sandbox.Sandbox, command: Callable[..., Any]
) -> None:
    run = command("check", str(SOLUTION), "-e", EXERCISE)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "note:" not in run.stderr


LOOK_FOR_XMLSCHEMA = """
import os
import sys

def f(x):
    site = [p for p in sys.path if p.endswith("site-packages")]
    seen = {name: any(os.path.exists(os.path.join(p, name)) for p in site)
            for name in ("xmlschema", "numpy")}
    return {"xmlschema": float(seen["xmlschema"]), "numpy": float(seen["numpy"])}
"""


def test_a_forbidden_package_is_not_there_in_the_sandbox(
    sandboxed: sandbox.Sandbox, exclusive: None, tmp_path: Path
) -> None:
    # The structural half of the policy: the package's folder is absent, so tampering with the
    # in-process hook gains nothing. xmlschema stands in for torch (the test extra installs it).
    probe = tmp_path / "look.py"
    probe.write_text(LOOK_FOR_XMLSCHEMA)
    report = run_submission(
        RunRequest(probe.read_bytes(), "f", [[[1.0]]], Limits(wall_seconds=10), ("xmlschema",))
    )
    assert report.status == "ok", report.message
    values = report.events[0]["values"]
    assert values["xmlschema"]["data"] == [0.0]
    assert values["numpy"]["data"] == [1.0]


@pytest.mark.parametrize(
    ("enabled", "contained", "searched"),
    [(True, True, False), (True, False, True), (False, True, True), (False, False, True)],
    ids=["sandbox-seen-dying", "sandbox-unclean", "fallback-seen-dying", "fallback-unclean"],
)
def test_only_a_run_seen_dying_in_bubblewraps_pid_namespace_skips_the_search_for_its_uid(
    monkeypatch: pytest.MonkeyPatch, enabled: bool, contained: bool, searched: bool
) -> None:
    found: list[int] = []
    monkeypatch.setattr(sandbox.sweep, "kill_uid", found.append)
    monkeypatch.setattr(sandbox.sweep, "remove_ipc", lambda uid: None)
    monkeypatch.setattr(sandbox.sweep, "remove_files_of", lambda uid: None)
    uid = sandbox.UID_BASE + 7
    box = sandbox.Sandbox(enabled, "", as_root=True)
    sandbox.cleanup(box, {"uid": uid, "host_folder": None}, contained=contained)
    assert found == ([uid] if searched else [])


@pytest.fixture
def uid_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh stock and set of uids in use for the test (restored after it)."""
    monkeypatch.setattr(sandbox, "_stock", [])
    monkeypatch.setattr(sandbox, "_uids_in_use", set())
    monkeypatch.setattr(sandbox, "is_root", lambda: True)
    monkeypatch.setattr(sandbox.sys, "platform", "linux")


def test_a_uid_checked_ahead_goes_to_the_next_run_and_to_no_other(uid_state: None) -> None:
    for _ in range(sandbox.STOCK + 3):
        sandbox.stock_uid()
    assert len(sandbox._stock) == sandbox.STOCK  # checked ahead, but only so many
    stocked = list(sandbox._stock)
    given = [sandbox._fresh_uid() for _ in range(sandbox.STOCK + 2)]
    assert sorted(given[: sandbox.STOCK]) == sorted(stocked)
    assert len(set(given)) == len(given)  # never the same uid twice while in use
    assert set(given) <= sandbox._uids_in_use


def test_a_uid_a_user_or_group_has_is_never_given_to_a_run(
    uid_state: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import grp
    import pwd

    drawn = iter([5, 5, 6, 7])  # UID_BASE + 5 belongs to a user, + 6 to a group
    monkeypatch.setattr(sandbox.secrets, "randbelow", lambda n: next(drawn))

    def user(uid: int) -> object:
        if uid == sandbox.UID_BASE + 5:
            return object()
        raise KeyError(uid)

    def group(uid: int) -> object:
        if uid == sandbox.UID_BASE + 6:
            return object()
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", user)
    monkeypatch.setattr(grp, "getgrgid", group)
    sandbox.stock_uid()
    assert sandbox._fresh_uid() == sandbox.UID_BASE + 7
