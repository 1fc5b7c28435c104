"""Tests for grader.run.worker and grader.run.zygote: one fork server, many submissions.

A submission graded through a worker must get exactly what a fresh `grader check` gives it
(`check_submission` with its default one-off runner), whatever the submissions before it did;
a server that hangs or dies costs the current run a WorkerFailed (an "error" result: the
grader's failure, not the student's) and is replaced for the next; nothing one submission
leaves behind, in files or in memory, is visible to the next; nothing outside the worker is
signalled or reaped. Linux only: the tests watch processes through /proc.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

if not sys.platform.startswith("linux"):
    pytest.skip("the worker tests watch processes through /proc", allow_module_level=True)

from grader.batch.discover import Job
from grader.batch.engine import grade_job
from grader.exercise import LoadedExercise
from grader.pipeline import LimitOverrides, check_submission, limits_for
from grader.result import CheckResult
from grader.run import sandbox
from grader.run import supervise as supervise_module
from grader.run import worker as worker_module
from grader.run.limits import Limits
from grader.run.request import RunRequest
from grader.run.worker import SCRATCH, Worker, WorkerFailed

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "tests" / "submissions" / "house-price-backprop"
HOSTILE = REPO / "tests" / "hostile"
EXERCISE = "house-price-backprop"

# (file, limit overrides): each graded through one worker, in this order, and afresh.
CASES: dict[str, tuple[Path, dict[str, Any]]] = {
    "correct": (SUBMISSIONS / "correct_vectorized.py", {}),
    "buggy": (SUBMISSIONS / "buggy_transposed.py", {}),
    "timeout": (HOSTILE / "sleep_past_wall.py", {"wall_seconds": 1}),
    "after-timeout": (SUBMISSIONS / "buggy_sign-flipped.py", {}),
    "cpu-limit": (HOSTILE / "infinite_loop.py", {"wall_seconds": 4, "cpu_seconds": 1}),
    "flood": (HOSTILE / "output_flood.py", {"wall_seconds": 3}),
    "after-flood": (SUBMISSIONS / "correct_loops.py", {}),
    "crash": (HOSTILE / "os_exit_in_call.py", {}),
    "kills-itself-and-its-parent": (HOSTILE / "killing_parent.py", {}),
    "forbidden-import": (HOSTILE / "forbidden_torch.py", {}),
    "exit-at-import": (HOSTILE / "exit_at_import.py", {}),
    "after-all-that": (SUBMISSIONS / "correct_class.py", {}),
}
SMALL = {"wall_seconds": 3}  # for the runs that only need to finish


# --- processes ---------------------------------------------------------------------------------


def _argv(pid: int) -> list[bytes]:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return []


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    return children


def server_pid(worker: Worker) -> int:
    """The fork server: the topmost `zygote.py` interpreter under the worker's process."""
    assert worker._proc is not None, "the worker has no server"
    children, todo = _children(), [worker._proc.pid]
    while todo:
        pid = todo.pop(0)
        argv = _argv(pid)
        script = any(Path(os.fsdecode(a)).name == "zygote.py" for a in argv[1:4])
        if script and not Path(os.fsdecode(argv[0])).name.startswith("bwrap"):
            return pid
        todo += children.get(pid, [])
    raise AssertionError("no fork server found under the worker")


def marked(marker: str) -> list[int]:
    """Processes whose initial environment carries GRADER_RUN=marker."""
    needle, found = f"GRADER_RUN={marker}".encode(), []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
    return found


def wait_gone(pids: list[int], seconds: float = 5.0) -> list[int]:
    """The pids still alive (not zombies) after waiting up to `seconds`."""

    def alive(pid: int) -> bool:
        with contextlib.suppress(OSError, IndexError):
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        return False

    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


# --- comparing with a fresh check -----------------------------------------------------------------


def graded(result: CheckResult) -> dict[str, Any]:
    """What a grade is made of: everything but timing and captured output."""
    return result.model_dump(include={"score", "outcome", "status", "seed", "problems", "checks"})


def through(worker: Worker, exercise: LoadedExercise, path: Path, **limits: Any) -> CheckResult:
    return check_submission(exercise, path, limits=limits_for(exercise, **limits), run=worker.run)


def fresh(exercise: LoadedExercise, path: Path, **limits: Any) -> CheckResult:
    return check_submission(exercise, path, limits=limits_for(exercise, **limits))


@pytest.fixture(scope="module")
def exercise() -> LoadedExercise:
    from grader.exercise import load_exercise

    return load_exercise(EXERCISE)


@pytest.fixture(scope="module")
def sandboxed() -> None:
    sandbox.probe.cache_clear()
    if not sandbox.probe().enabled:
        pytest.skip(f"bubblewrap does not work here ({sandbox.probe().reason})")


@pytest.fixture
def no_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GRADER_NO_SANDBOX", "1")
    sandbox.probe.cache_clear()
    assert not sandbox.probe().enabled
    yield
    monkeypatch.delenv("GRADER_NO_SANDBOX")
    sandbox.probe.cache_clear()


@pytest.fixture
def new_worker() -> Iterator[Callable[[], Worker]]:
    """Workers made in a test, closed (and checked for leftovers) at its end."""
    made: list[Worker] = []

    def make() -> Worker:
        made.append(Worker())
        return made[-1]

    yield make
    for worker in made:
        marker = getattr(worker, "_marker", None)
        worker.close()
        if marker:
            assert wait_gone(marked(marker)) == [], "a process of the worker outlived close()"


@pytest.fixture(scope="module")
def shared_worker(sandboxed: None) -> Iterator[tuple[Worker, dict[str, int]]]:
    worker = Worker()
    yield worker, {}
    worker.close()


# --- one worker, many submissions ----------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_submission_gets_what_a_fresh_check_gives_it(
    case: str, shared_worker: tuple[Worker, dict[str, int]], exercise: LoadedExercise
) -> None:
    worker, seen = shared_worker
    path, limits = CASES[case]
    expected = fresh(exercise, path, **limits)
    got = through(worker, exercise, path, **limits)
    assert graded(got) == graded(expected)
    # The same server graded every submission so far: none of them cost the worker its life.
    assert server_pid(worker) == seen.setdefault("server", server_pid(worker))


def test_a_worker_run_ends_within_its_wall_limit(
    shared_worker: tuple[Worker, dict[str, int]], exercise: LoadedExercise
) -> None:
    worker, _ = shared_worker
    started = time.monotonic()
    result = through(worker, exercise, HOSTILE / "sleep_past_wall.py", wall_seconds=1)
    assert result.outcome == "timeout"
    assert time.monotonic() - started < 1 + 30  # a hang of the worker, never a slow machine


# --- runs sent ahead: the server starts each as soon as the one before it is over --------------

SLEEPS = b"""
import time

def f(x):
    time.sleep(SECONDS)
    return {"total": x.sum()}
"""


def _sleeper(seconds: float, **limits: Any) -> RunRequest:
    source = SLEEPS.replace(b"SECONDS", str(seconds).encode())
    return RunRequest(source, "f", [[[1.0, 2.0]]], Limits(**limits), ("grader",))


def test_a_run_sent_ahead_gets_its_whole_wall_clock_from_when_it_starts(
    new_worker: Callable[[], Worker],
) -> None:
    worker = new_worker()
    first = worker.send(_sleeper(2.0, wall_seconds=30))
    # Sent now, run after the first: counted from the send, its clock would run out.
    second = worker.send(_sleeper(0.5, wall_seconds=2.0))
    one, two = worker.finish(first), worker.finish(second)
    assert (one.status, two.status) == ("ok", "ok"), (one.message, two.message)
    assert two.elapsed < 2.0


def test_a_run_holds_no_descriptor_of_the_runs_sent_after_it(
    new_worker: Callable[[], Worker],
) -> None:
    # The server holds the pipes of a run that waits while it forks the one before it: that
    # one closes every descriptor but its own before any student code.
    counts = b"""
import os

def f(x):
    return {"open": float(len(os.listdir("/proc/self/fd")))}
"""
    worker = new_worker()
    first = worker.send(_sleeper(0.5, **SMALL))
    looking = worker.send(RunRequest(counts, "f", [[[1.0]]], Limits(**SMALL), ("grader",)))
    waiting = [worker.send(_sleeper(0, **SMALL)) for _ in range(2)]
    assert worker.finish(first).status == "ok"
    report = worker.finish(looking)
    for sent in waiting:
        worker.finish(sent)
    assert report.status == "ok", report.message
    # stdin, stdout, stderr, its result pipe and the listing's own: nothing of the others
    assert report.events[0]["values"]["open"]["data"] == [5.0]


def test_a_run_sent_behind_one_whose_server_dies_is_graded_on_a_fresh_server(
    new_worker: Callable[[], Worker], sandboxed: None
) -> None:
    worker = new_worker()
    worker.run(_sleeper(0, **SMALL))  # the server is up
    old = server_pid(worker)
    first = worker.send(_sleeper(60, wall_seconds=90))
    second = worker.send(_sleeper(0, **SMALL))
    killer = threading.Timer(0.7, os.kill, (old, signal.SIGKILL))
    killer.start()
    try:
        with pytest.raises(WorkerFailed, match="fork server ended"):
            worker.finish(first)
    finally:
        killer.cancel()
    report = worker.finish(second)  # not the student's failure, nor the grader's: sent again
    assert report.status == "ok", report.message
    assert server_pid(worker) != old


def test_a_run_sent_behind_one_that_leaves_the_server_unclean_runs_on_a_fresh_server(
    new_worker: Callable[[], Worker], monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = new_worker()
    worker.run(_sleeper(0, **SMALL))
    old = server_pid(worker)
    first = worker.send(_sleeper(0, **SMALL))
    second = worker.send(_sleeper(0, **SMALL))
    real = supervise_module.Run.ended

    def unclean(run: Any) -> Any:
        return replace(real(run), clean=False)  # as if the server had left something behind

    monkeypatch.setattr(supervise_module.Run, "ended", unclean)
    assert worker.finish(first).status == "ok"  # and the worker replaces its server
    monkeypatch.setattr(supervise_module.Run, "ended", real)
    assert worker.finish(second).status == "ok"
    assert server_pid(worker) != old


def test_a_sent_run_that_is_forgotten_holds_no_descriptor(
    new_worker: Callable[[], Worker], sandboxed: None
) -> None:
    before = len(os.listdir("/proc/self/fd"))
    worker = new_worker()
    first = worker.send(_sleeper(0, **SMALL))
    second = worker.send(_sleeper(30, wall_seconds=60))
    assert worker.finish(first).status == "ok"
    worker.forget(second)  # a class run interrupted: it is not graded now
    assert len(os.listdir("/proc/self/fd")) == before  # the server that had it is gone too
    assert worker.run(_sleeper(0, **SMALL)).status == "ok"  # and the worker serves on


# --- a server that hangs or dies: the grader's failure, and a fresh server next -----------------


def test_a_hung_server_is_a_grader_failure_and_is_replaced(
    new_worker: Callable[[], Worker],
    exercise: LoadedExercise,
    sandboxed: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(supervise_module, "GRACE_SECONDS", 0.5)
    worker = new_worker()
    path = SUBMISSIONS / "correct_vectorized.py"
    assert through(worker, exercise, path, **SMALL).full_marks
    old = server_pid(worker)
    os.kill(old, signal.SIGSTOP)  # alive, but it will never answer
    with pytest.raises(WorkerFailed, match="stopped answering"):
        through(worker, exercise, path, wall_seconds=1)
    assert wait_gone([old]) == []
    after = through(worker, exercise, SUBMISSIONS / "buggy_transposed.py", **SMALL)
    assert graded(after) == graded(fresh(exercise, SUBMISSIONS / "buggy_transposed.py", **SMALL))
    assert server_pid(worker) != old


def test_a_server_that_dies_during_a_run_is_a_grader_failure(
    new_worker: Callable[[], Worker], exercise: LoadedExercise, sandboxed: None
) -> None:
    worker = new_worker()
    assert through(worker, exercise, SUBMISSIONS / "correct_loops.py", **SMALL).full_marks
    old = server_pid(worker)
    killer = threading.Timer(0.7, os.kill, (old, signal.SIGKILL))
    killer.start()
    try:
        # Told at once (not at the end of a 60 s wall limit), and never as the student's fault.
        with pytest.raises(WorkerFailed, match="fork server ended"):
            through(worker, exercise, HOSTILE / "sleep_past_wall.py", wall_seconds=60)
    finally:
        killer.cancel()
    after = through(worker, exercise, SUBMISSIONS / "correct_class.py", **SMALL)
    assert graded(after) == graded(fresh(exercise, SUBMISSIONS / "correct_class.py", **SMALL))
    assert server_pid(worker) != old


def test_a_worker_failure_is_an_error_result_for_the_class(
    new_worker: Callable[[], Worker], exercise: LoadedExercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # grader/batch/engine.py reports it as the grader's failure ("error", regraded on resume),
    # never as a score the student earned.
    worker = new_worker()

    def broken(*args: object) -> None:
        raise OSError("the control socket is gone")

    monkeypatch.setattr("grader.run.worker.supervise", broken)
    job = Job("mallory", exercise, SUBMISSIONS / "correct_loops.py")
    result = grade_job(job, worker, LimitOverrides(**SMALL))
    assert (result.status, result.outcome, result.score) == ("error", "error", 0)
    assert "WorkerFailed" in result.problems[0]
    monkeypatch.undo()
    assert through(worker, exercise, SUBMISSIONS / "correct_loops.py", **SMALL).full_marks


def test_a_run_that_cannot_be_confined_is_a_grader_failure_not_the_students(
    mode: str,
    new_worker: Callable[[], Worker],
    exercise: LoadedExercise,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # policy.confine() ends such a run with exit 71 before any student code: never a crash of
    # the student's (which a class would cache), always a WorkerFailed (an "error", regraded).
    worker = new_worker()
    original = sandbox.isolation

    def unusable(box: sandbox.Sandbox, hide: Any = ()) -> dict:
        settings = original(box, hide)
        return {**settings, "unshare": False, "workdir": "/nonexistent/grader-test-workdir"}

    monkeypatch.setattr(sandbox, "isolation", unusable)
    job = Job("mallory", exercise, SUBMISSIONS / "correct_loops.py")
    result = grade_job(job, worker, LimitOverrides(**SMALL))
    assert (result.status, result.outcome, result.score) == ("error", "error", 0)
    assert "could not be isolated" in result.problems[0], result.problems
    monkeypatch.undo()
    assert through(worker, exercise, SUBMISSIONS / "correct_loops.py", **SMALL).full_marks


def test_a_student_who_exits_71_crashed_on_their_own(
    new_worker: Callable[[], Worker], exercise: LoadedExercise
) -> None:
    # After the run's "confined" event, exit status 71 is the student's doing, not ours.
    worker = new_worker()
    source = b"import os\nos._exit(71)\n"
    report = worker.run(RunRequest(source, "backward", CALL, Limits(wall_seconds=5)))
    assert report.status == "crashed" and "exit status 71" in report.message, report.message


@pytest.mark.parametrize(
    ("results", "flooded", "grader_failed"),
    [
        (b"", False, True),  # nothing sent: confine() refused, no student code ran
        (b'{"event": "confined"}\n', False, False),  # the student's own os._exit(71)
        (b"", True, False),  # a flood past the cap (not kept): student code ran
        (b'{"event": "done"}\n', False, True),  # a confined run never writes anything else first
    ],
    ids=["refused", "after-confined", "flooded", "no-confined-event-first"],
)
def test_exit_71_is_the_graders_only_before_the_confined_event(
    results: bytes, flooded: bool, grader_failed: bool
) -> None:
    ended = supervise_module.Ended(results, "", "the run could not be isolated (x)", 71, 0.0, 0.0,
                                   False, flooded, True)  # fmt: skip
    if grader_failed:
        with pytest.raises(worker_module.NotConfined, match="could not be isolated"):
            worker_module._require_confined(ended)
    else:
        worker_module._require_confined(ended)


def test_a_server_that_died_between_runs_costs_nobody_a_grade(
    new_worker: Callable[[], Worker], exercise: LoadedExercise, sandboxed: None
) -> None:
    worker = new_worker()
    path = SUBMISSIONS / "buggy_scaled.py"
    first = through(worker, exercise, path, **SMALL)
    old = server_pid(worker)
    os.kill(old, signal.SIGKILL)
    assert worker._proc is not None
    worker._proc.wait(timeout=5)  # the sandbox goes down with its server
    second = through(worker, exercise, path, **SMALL)
    assert graded(second) == graded(first) == graded(fresh(exercise, path, **SMALL))
    assert server_pid(worker) != old


def test_close_leaves_no_process(
    new_worker: Callable[[], Worker], exercise: LoadedExercise
) -> None:
    worker = new_worker()
    through(worker, exercise, HOSTILE / "fork_bomb.py", wall_seconds=1)
    marker = worker._marker
    assert marker is not None and marked(marker)  # the server, waiting for the next submission
    worker.close()
    assert wait_gone(marked(marker)) == []


def isolations(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every run's `sandbox.isolation()` settings, as the worker made them."""
    made: list[dict] = []
    original = sandbox.isolation

    def spy(box: sandbox.Sandbox, hide: Any = ()) -> dict:
        made.append(original(box, hide))
        return made[-1]

    monkeypatch.setattr(sandbox, "isolation", spy)
    return made


def without_namespaces(worker: Worker) -> None:
    """As where the kernel refuses a run namespaces of its own: its folder is the grader's to
    remove (the sandbox's scratch, or a host folder)."""
    box = worker.box
    worker.box = sandbox.Sandbox(box.enabled, box.reason, box.as_root, per_run=False)


@pytest.mark.parametrize("per_run", [True, False], ids=["own-tmpfs", "host-folder"])
def test_without_the_sandbox_no_folder_outlives_its_run(
    per_run: bool,
    no_sandbox: None,
    new_worker: Callable[[], Worker],
    exercise: LoadedExercise,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The worker itself keeps no host folder any more: a run's folder is its own tmpfs, or (no
    # namespaces) a host folder of its own that sandbox.cleanup() removes after it.
    if per_run and not sandbox.probe().per_run:
        pytest.skip("this kernel refuses a run namespaces of its own")
    worker = new_worker()  # first: its probe makes settings of its own
    made = isolations(monkeypatch)
    if not per_run:
        without_namespaces(worker)
    assert through(worker, exercise, SUBMISSIONS / "correct_loops.py", **SMALL).full_marks
    (settings,) = made
    if per_run:
        # Its own tmpfs over /tmp (over /var/tmp where the interpreter lies in /tmp).
        mount = sandbox.run_mount(worker.box)
        assert settings["workdir"] == mount and settings["host_folder"] is None
    else:
        assert settings["host_folder"] and not Path(settings["host_folder"]).exists()


def test_a_server_whose_trial_run_gets_no_namespaces_gives_its_runs_none(
    sandboxed: None,
    new_worker: Callable[[], Worker],
    exercise: LoadedExercise,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # sandbox.probe() only says that a run may try namespaces of its own; the server's trial
    # decides. A trial that cannot confine itself (here: no such folder) leaves its runs none.
    refused = {"isolation": {"workdir": "/no/such/folder", "unshare": False}, "limits": {}}
    monkeypatch.setattr(sandbox, "trial", lambda box: refused)
    worker = new_worker()
    made = isolations(monkeypatch)
    assert worker.box.per_run
    assert through(worker, exercise, SUBMISSIONS / "correct_loops.py", **SMALL).full_marks
    (settings,) = made
    assert not settings["unshare"] and settings["workdir"].startswith(f"{sandbox.SCRATCH}/run-")


def test_a_server_whose_trial_run_confines_itself_gives_its_runs_namespaces(
    sandboxed: None,
    new_worker: Callable[[], Worker],
    exercise: LoadedExercise,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not sandbox.confirmed(sandbox.probe()).per_run:
        pytest.skip("this machine refuses a run namespaces of its own inside bubblewrap")
    worker = new_worker()
    made = isolations(monkeypatch)
    assert through(worker, exercise, SUBMISSIONS / "correct_loops.py", **SMALL).full_marks
    (settings,) = made
    assert settings["unshare"] and settings["workdir"] == sandbox.run_mount(worker.box)


# --- nothing of one submission is visible to the next --------------------------------------------

PLACES = """
import os

up = os.path.dirname(os.getcwd())
PLACES = {
    "working-folder": os.getcwd(),
    "its-parent": up,
    "tmp": "/tmp",
    "tmpdir": os.environ.get("TMPDIR", "/tmp"),
    "home": os.path.expanduser("~"),
    "dev-shm": "/dev/shm",
}
"""

LEAVE = (
    PLACES
    + """

def backward(params, x, y):
    try:
        with open(os.path.join(PLACES["WHERE"], "NAME"), "w") as f:
            f.write("left by the first student")
        wrote = 1.0
    except OSError:
        wrote = 0.0
    print("FIRST-STUDENT-OUTPUT")
    return {"wrote": [wrote]}
"""
)

LOOK = (
    PLACES
    + """
import glob


def backward(params, x, y):
    patterns = [os.path.join(place, "NAME") for place in PLACES.values()] + [
        os.path.join(up, "*", "NAME"),
        os.path.join(os.path.dirname(up), "*", "*", "NAME"),
        os.path.join(os.path.dirname(up), "*", "*", "*", "NAME"),
        "/tmp/*/NAME",
    ]
    found = sorted({match for pattern in patterns for match in glob.glob(pattern)})
    print("FOUND", found)
    return {"found": [float(len(found))]}
"""
)

WHERE = ["working-folder", "tmp", "tmpdir", "home", "dev-shm", "its-parent"]


@pytest.mark.parametrize(
    "where",
    WHERE,
    ids=WHERE,
)
def test_a_submission_cannot_see_what_the_previous_one_left(
    where: str,
    new_worker: Callable[[], Worker],
    write_submission: Callable[..., Path],
    sandboxed: None,
) -> None:
    name = f"left-behind-{uuid.uuid4().hex}.txt"  # no other run can have made it
    leave = LEAVE.replace("WHERE", where).replace("NAME", name)
    first = write_submission(leave, "first.py")
    second = write_submission(LOOK.replace("NAME", name), "second.py")
    worker = new_worker()
    call = [[{"W1": [[0.0]]}, [0.0], [0.0]]]
    left = worker.run(RunRequest(first.read_bytes(), "backward", call, Limits(wall_seconds=5)))
    assert left.status == "ok", left.message
    if where == "working-folder":  # the one place a run may write: the test must mean it
        assert left.events[0]["values"]["wrote"]["data"] == [1.0]
    looked = worker.run(RunRequest(second.read_bytes(), "backward", call, Limits(wall_seconds=5)))
    assert looked.status == "ok", looked.message
    assert "FIRST-STUDENT-OUTPUT" in left.stdout
    assert "FIRST-STUDENT-OUTPUT" not in looked.stdout
    assert looked.events[0]["values"]["found"]["data"] == [0.0], looked.stdout


# --- without the sandbox (GRADER_NO_SANDBOX=1) the worker still works ----------------------------

FALLBACK = ["correct", "buggy", "timeout", "crash", "after-all-that"]


def test_without_the_sandbox_the_worker_grades_like_a_fresh_check(
    no_sandbox: None, new_worker: Callable[[], Worker], exercise: LoadedExercise
) -> None:
    worker = new_worker()
    assert not worker.box.enabled
    for case in FALLBACK:
        path, limits = CASES[case]
        expected = fresh(exercise, path, **limits)
        assert graded(through(worker, exercise, path, **limits)) == graded(expected), case


def test_without_the_sandbox_a_survivor_does_not_outlive_its_run(
    no_sandbox: None, new_worker: Callable[[], Worker], exercise: LoadedExercise
) -> None:
    worker = new_worker()
    forking = replace(limits_for(exercise, **SMALL), processes=4)  # else its fork is refused
    check_submission(exercise, HOSTILE / "survivor.py", limits=forking, run=worker.run)
    server = server_pid(worker)
    assert wait_gone([p for p in marked(worker._marker) if p != server], 2.0) == []
    after = through(worker, exercise, SUBMISSIONS / "correct_helpers.py", **SMALL)
    assert after.full_marks


def test_in_the_sandbox_the_servers_own_sweep_ends_a_survivor(
    sandboxed: None,
    new_worker: Callable[[], Worker],
    exercise: LoadedExercise,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Inside bubblewrap's PID namespace the server (a subreaper) kills and reaps every process
    # of the run before it says "exited": no search of the machine's processes is needed.
    worker = new_worker()
    assert through(worker, exercise, SUBMISSIONS / "correct_helpers.py", **SMALL).full_marks
    server = server_pid(worker)  # started, and its trial run swept like any run without one
    searched: list[int] = []
    monkeypatch.setattr(sandbox.sweep, "kill_uid", searched.append)
    forking = replace(limits_for(exercise, **SMALL), processes=4)  # a daemon's double fork
    check_submission(exercise, HOSTILE / "survivor.py", limits=forking, run=worker.run)
    runs = [p for p in marked(worker._marker) if p != server and not _is_bwrap(p)]
    assert wait_gone(runs, 0) == []
    assert searched == []
    assert through(worker, exercise, SUBMISSIONS / "correct_helpers.py", **SMALL).full_marks
    assert server_pid(worker) == server  # the run was clean: the same server goes on


def _is_bwrap(pid: int) -> bool:
    argv = _argv(pid)
    return bool(argv) and Path(os.fsdecode(argv[0])).name.startswith("bwrap")


def test_the_sandbox_probe_is_restored_after_the_fallback_tests() -> None:
    # The no_sandbox fixture clears the cached probe both ways; a later test sees the truth.
    assert sandbox.probe().enabled == (
        not os.environ.get("GRADER_NO_SANDBOX") and sandbox.probe.__wrapped__().enabled
    )


# --- both modes: memory, folders, processes -------------------------------------------------------


@pytest.fixture(params=["sandbox", "fallback"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "sandbox":
        monkeypatch.delenv("GRADER_NO_SANDBOX", raising=False)
    else:
        monkeypatch.setenv("GRADER_NO_SANDBOX", "1")
    sandbox.probe.cache_clear()
    if request.param == "sandbox" and not sandbox.probe().enabled:
        pytest.skip(f"bubblewrap does not work here ({sandbox.probe().reason})")
    yield request.param
    sandbox.probe.cache_clear()


CALL = [[{"W1": [[0.0]]}, [0.0], [0.0]]]

# Scans every writable mapping of its own memory for "SECRET-" and 32 hex digits whose sha256 is
# WANTED. The source holds only the hash: the secret itself is in memory only if it came from
# somewhere. /proc/self/mem first; a non-dumpable process under another uid may not open it,
# and then it reads the mappings through ctypes.
SCAN = """
import ctypes, hashlib, re

WANTED = "HASH"


def _writable():
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if fields[1].startswith("rw") and not (len(fields) > 5 and fields[5].startswith("[v")):
                yield start, end


def _found():
    pattern, hits = re.compile(rb"SECRET-[0-9a-f]{32}"), 0
    try:
        mem = open("/proc/self/mem", "rb", 0)
    except OSError:
        mem = None
    for start, end in list(_writable()):
        try:
            if mem is not None:
                mem.seek(start)
                data = mem.read(end - start)
            else:
                data = ctypes.string_at(start, end - start)
        except (OSError, ValueError, OverflowError):
            continue
        hits += sum(hashlib.sha256(m.group()).hexdigest() == WANTED for m in pattern.finditer(data))
    return hits
"""


def test_a_run_holds_nothing_of_the_previous_run_in_its_memory(
    mode: str, new_worker: Callable[[], Worker]
) -> None:
    secret = f"SECRET-{uuid.uuid4().hex}"
    scan = SCAN.replace("HASH", hashlib.sha256(secret.encode()).hexdigest())
    first = (
        scan
        + f"""
ANSWER = {secret!r}
print(ANSWER)


def backward(params, x, y):
    print("returning", ANSWER)
    return {{"found": [float(_found())], "answer": [float(len(ANSWER))]}}
"""
    )
    second = (
        scan
        + """

def backward(params, x, y):
    return {"found": [float(_found())]}
"""
    )
    worker = new_worker()
    limits = Limits(wall_seconds=30, cpu_seconds=30)
    told = worker.run(RunRequest(first.encode(), "backward", CALL, limits))
    assert told.status == "ok", told.message
    assert secret in told.stdout
    # The scan works: the first run finds the secret it holds.
    assert told.events[0]["values"]["found"]["data"][0] >= 1
    looked = worker.run(RunRequest(second.encode(), "backward", CALL, limits))
    assert looked.status == "ok", looked.message
    assert looked.events[0]["values"]["found"]["data"] == [0.0]


DEEP = """
import os

ESCAPE = "CANARY"


def backward(params, x, y):
    os.symlink(ESCAPE, "escape")  # links out of its folder: to be removed, never followed
    for depth in range(3000):  # "d/" 3000 times: paths of 6000 characters, past PATH_MAX
        os.mkdir("d")
        os.chdir("d")
        if depth % 500 == 0:
            with open("file", "w") as f:
                f.write("x")
            os.symlink(ESCAPE, "escape")
    os.mkdir("locked")
    os.chmod("locked", 0)  # unreadable to everyone but root
    os.chmod(".", 0o500)  # its entries cannot be removed until its mode is given back
    return {"depth": [3000.0]}
"""


def test_a_3000_deep_tree_is_removed_and_the_next_student_keeps_full_marks(
    mode: str,
    new_worker: Callable[[], Worker],
    exercise: LoadedExercise,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("not the run's to remove")
    tmp_path.chmod(0o755)  # the run may see it: the test is that nothing follows the link
    worker = new_worker()  # first: its probe makes settings of its own
    made = isolations(monkeypatch)
    # A run with a tmpfs of its own takes its tree along when it ends: here the tree lies where
    # the grader must remove it (the server's scratch in the sandbox, a host folder without).
    without_namespaces(worker)
    before = through(worker, exercise, SUBMISSIONS / "correct_loops.py", **SMALL)
    assert before.full_marks, before.problems
    server = server_pid(worker)
    deep = DEEP.replace("CANARY", str(canary)).encode()
    report = worker.run(RunRequest(deep, "backward", CALL, Limits(wall_seconds=30)))
    assert report.status == "ok", report.message
    after = through(worker, exercise, SUBMISSIONS / "correct_loops.py", **SMALL)
    assert after.full_marks, after.problems
    assert server_pid(worker) == server  # cleaned up, so the same server goes on
    assert (canary / "keep.txt").read_text() == "not the run's to remove"
    if mode == "sandbox":
        assert list(Path(f"/proc/{server}/root{SCRATCH}").iterdir()) == []
    else:
        assert made and not any(Path(s["host_folder"]).exists() for s in made)


def test_an_escaped_process_is_killed_by_the_server_not_the_caller(
    mode: str, new_worker: Callable[[], Worker], exercise: LoadedExercise
) -> None:
    # The caller's own children are not the grader's: a run leaves them alone, and the caller
    # does not become a subreaper (grader embedded in pytest, Jupyter, a course's own tool).
    ours = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        worker = new_worker()
        for stem in ("survivor", "survivor_clean_env", "survivor_hopping"):
            through(worker, exercise, HOSTILE / f"{stem}.py", **SMALL)
            server = server_pid(worker)
            assert worker._marker is not None
            # Marked (its environment), or tagged (the one that cleared its environment); the
            # worker's own processes (bwrap, the server) are marked too.
            found = {*marked(worker._marker), *tagged()} - {server, ours.pid}
            left = [p for p in found if not os.fsdecode((_argv(p) or [b""])[0]).endswith("bwrap")]
            assert wait_gone(left, 2.0) == [], stem
        assert ours.poll() is None, "the grader killed a process it did not start"
        assert not is_subreaper(), "the caller became a child subreaper"
    finally:
        ours.kill()
        ours.wait()


def tagged() -> list[int]:
    """Processes of the hostile survivors (their tag or their file in the command line)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            line = (entry / "cmdline").read_bytes()
            if b"grader-hostile" in line:
                found.append(int(entry.name))
    return found


def is_subreaper() -> bool:
    value = ctypes.c_int(0)
    ctypes.CDLL(None).prctl(37, ctypes.byref(value), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
    return bool(value.value)


@pytest.mark.parametrize(
    ("stem", "limits"),
    [
        ("infinite_loop", {"wall_seconds": 20, "cpu_seconds": 1}),
        ("sleep_past_wall", {"wall_seconds": 1, "cpu_seconds": 1}),
    ],
    ids=["cpu-fires", "wall-fires"],
)
def test_either_time_limit_is_a_timeout_with_both_limits_named(
    stem: str,
    limits: dict[str, Any],
    mode: str,
    new_worker: Callable[[], Worker],
    exercise: LoadedExercise,
) -> None:
    worker = new_worker()
    result = through(worker, exercise, HOSTILE / f"{stem}.py", **limits)
    assert result.outcome == "timeout"
    wall, cpu = limits["wall_seconds"], limits["cpu_seconds"]
    assert result.problems == [
        f"did not finish within its time limits ({wall:g} s of wall-clock time, {cpu} s of CPU "
        "time): an infinite loop, a very long loop or waiting on input are the usual causes"
    ]


def test_a_worker_looks_up_the_next_runs_uid_while_a_run_runs(
    new_worker: Callable[[], Worker], exercise: LoadedExercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not sandbox.is_root():
        pytest.skip("runs get a uid of their own only when the grader is root")
    monkeypatch.setattr(sandbox, "_stock", [])
    worker = new_worker()
    assert through(worker, exercise, SUBMISSIONS / "correct_helpers.py", **SMALL).full_marks
    (stocked,) = sandbox._stock
    assert through(worker, exercise, SUBMISSIONS / "correct_helpers.py", **SMALL).full_marks
    assert stocked not in sandbox._stock  # the second run was given it


def test_a_run_has_no_signal_blocked_even_from_a_server_started_by_a_class_runs_lane(
    new_worker: Callable[[], Worker], write_submission: Callable[..., Path]
) -> None:
    # A lane blocks Ctrl-C for itself (grader/batch/signals.py); a server it starts inherits
    # that mask, and must not pass it on to the runs.
    from grader.batch.signals import leave_ctrl_c_to_the_main_thread

    path = write_submission("""
        import signal

        def f(x):
            return {"blocked": float(len(signal.pthread_sigmask(signal.SIG_BLOCK, [])))}
    """)
    found: list[Any] = []

    def lane() -> None:
        leave_ctrl_c_to_the_main_thread()
        worker = new_worker()
        found.append(worker.run(RunRequest(path.read_bytes(), "f", [[[1.0]]], Limits())))

    thread = threading.Thread(target=lane)
    thread.start()
    thread.join()
    (report,) = found
    assert report.status == "ok", report.message
    assert report.events[0]["values"]["blocked"]["data"] == [0.0]
