"""Tests for grader.batch.engine: jobs on workers, results committed as they come, the canary,
and a `grader grade` killed with SIGKILL that resumes to exactly the uninterrupted results."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from grader import __version__, plugins
from grader.batch import engine
from grader.batch.discover import Job, discover
from grader.batch.engine import canary, grade_all, grade_job
from grader.batch.gradebook import Gradebook
from grader.batch.settings import ClassRun
from grader.errors import InternalError, SubmissionNotFound
from grader.exercise import LoadedExercise, load_exercise
from grader.pipeline import LimitOverrides
from grader.result import CheckResult
from grader.run.worker import Worker

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "tests" / "submissions"
EXERCISE = "house-price-backprop"
STYLES = sorted((SUBMISSIONS / EXERCISE).glob("*.py"))


def lanes(workers: int, regrade: bool = False) -> ClassRun:
    """What grade_all reads of a class run: its workers, regrade and limits (the folders and
    exercises are the jobs', already discovered)."""
    return ClassRun(Path("class"), (), Path("out"), workers=workers, regrade=regrade)


@pytest.fixture
def make_class(tmp_path: Path) -> Callable[[dict[str, Path | None]], Path]:
    """A flat class from {student: fixture file}; None makes an empty folder."""

    def make(students: dict[str, Path | None]) -> Path:
        root = tmp_path / "class"
        root.mkdir()
        for student, source in students.items():
            if source is None:
                (root / student).mkdir()
            else:
                shutil.copyfile(source, root / f"{student}.py")
        return root

    return make


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Gradebook]:
    gradebook = Gradebook(tmp_path / "out" / "gradebook.sqlite")
    yield gradebook
    gradebook.close()


@pytest.fixture
def worker() -> Iterator[Worker]:
    made = Worker()
    yield made
    made.close()


class Recorder:
    """An on_result callback that remembers what it was told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def __call__(self, result: CheckResult, resumed: bool) -> None:
        self.calls.append((result.student, resumed))


# --- one job -------------------------------------------------------------------------------------


def test_a_job_with_nothing_to_grade_is_missing(
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    job = Job("judy", bundled_exercise(EXERCISE), None, "judy/ is empty")
    result = grade_job(job, None, LimitOverrides())  # type: ignore[arg-type]  # no worker is needed
    assert (result.student, result.status, result.outcome) == ("judy", "missing", "missing")
    assert (result.score, result.max_score) == (0, 9)
    assert result.problems == ["judy/ is empty"]


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (SubmissionNotFound("alice.py: unreadable"), "missing", "alice.py: unreadable"),
        (
            RuntimeError("boom"),
            "error",
            "the grader failed on this submission (RuntimeError: boom)",
        ),
    ],
    ids=["about-the-student", "the-grader-broke"],
)
@pytest.mark.parametrize("half", ["prepare", "score_run"])  # before the run, or after it
def test_a_job_never_raises(
    error: Exception,
    status: str,
    message: str,
    half: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    def broken(*args: Any, **kwargs: Any) -> CheckResult:
        raise error

    monkeypatch.setattr(engine, half, broken)
    path = tmp_path / "alice.py"
    path.write_text("")
    job = Job("alice", bundled_exercise(EXERCISE), path)
    ran = SimpleNamespace(run=lambda request: None)  # a run whose report nobody reads
    result = grade_job(job, ran, LimitOverrides())  # type: ignore[arg-type]
    assert (result.student, result.status, result.score) == ("alice", status, 0)
    assert result.problems == [message]


# --- the canary ----------------------------------------------------------------------------------


def course(tmp_path: Path, solution: str | None) -> LoadedExercise:
    """A copy of the exercise in a course folder, with `solution` as its model solution."""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "solutions").mkdir()
    toml = tmp_path / "exercises" / f"{EXERCISE}.toml"
    shutil.copyfile(REPO / "exercises" / f"{EXERCISE}.toml", toml)
    if solution is not None:
        (tmp_path / "solutions" / f"{EXERCISE}.py").write_text(solution)
    return load_exercise(toml)


def test_the_canary_passes_with_the_model_solution(tmp_path: Path, worker: Worker) -> None:
    exercise = course(tmp_path, (REPO / "solutions" / f"{EXERCISE}.py").read_text())
    canary(exercise, worker, LimitOverrides())  # no exception


@pytest.mark.parametrize(
    ("solution", "why"),
    [
        ("def backward(params, x, y):\n    return {}\n", "dL/dW1"),
        ("import time\n\ndef backward(params, x, y):\n    time.sleep(60)\n", "wall-clock"),
    ],
    ids=["wrong-answers", "too-slow-here"],
)
def test_the_canary_says_the_environment_is_broken(
    solution: str, why: str, tmp_path: Path, worker: Worker
) -> None:
    exercise = course(tmp_path, solution)
    with pytest.raises(InternalError) as info:
        canary(exercise, worker, LimitOverrides(wall_seconds=1))
    message = str(info.value)
    assert message.startswith("the environment is broken: the model solution ")
    assert str(exercise.solution_path()) in message
    assert "earns 0/9 here" in message
    assert why in message
    assert message.endswith("No submission was graded.")


# --- many jobs -----------------------------------------------------------------------------------


def test_results_come_in_job_order_and_are_committed(
    make_class: Callable[..., Path],
    book: Gradebook,
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    root = make_class(
        {
            "alice": SUBMISSIONS / EXERCISE / "correct_vectorized.py",
            "bob": SUBMISSIONS / EXERCISE / "buggy_transposed.py",
            "carol": None,
            "dan": SUBMISSIONS / EXERCISE / "correct_loops.py",
        }
    )
    jobs = discover(root, [bundled_exercise(EXERCISE)])
    told = Recorder()
    results = grade_all(jobs, book, lanes(2), told)
    assert [r.student for r in results] == ["alice", "bob", "carol", "dan"]
    assert [r.full_marks for r in results] == [True, False, False, True]
    assert sorted(told.calls) == [(s, False) for s in ("alice", "bob", "carol", "dan")]

    # Everything is in the gradebook now: a second pass grades nothing.
    def must_not_grade(*args: Any, **kwargs: Any) -> CheckResult:
        raise AssertionError("graded again although the gradebook has the result")

    again = Recorder()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "prepare", must_not_grade)
        assert grade_all(jobs, book, lanes(2), again) == results
    assert sorted(again.calls) == [(s, True) for s in ("alice", "bob", "carol", "dan")]

    regraded = Recorder()
    fresh = grade_all(jobs, book, lanes(1, regrade=True), regraded)
    assert [r.model_copy(update={"elapsed": 0}) for r in fresh] == [
        r.model_copy(update={"elapsed": 0}) for r in results
    ]
    assert [resumed for _, resumed in regraded.calls] == [False] * 4


@pytest.mark.parametrize("half", ["prepare", "score_run"])  # before bob's run, or after it
def test_a_grader_failure_on_one_job_spares_the_others(
    half: str,
    make_class: Callable[..., Path],
    book: Gradebook,
    monkeypatch: pytest.MonkeyPatch,
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    real = getattr(engine, half)

    # The engine prepares the bytes it read (and hashed): a Submission; scoring gets what
    # was prepared, with the run's report.
    def failing(first: Any, *args: Any, **kwargs: Any):
        read = first if half == "score_run" else args[0]
        if read.path.stem == "bob":
            raise RuntimeError("injected")
        return real(first, *args, **kwargs)

    monkeypatch.setattr(engine, half, failing)
    root = make_class(
        {
            "alice": SUBMISSIONS / EXERCISE / "correct_vectorized.py",
            "bob": SUBMISSIONS / EXERCISE / "correct_loops.py",
            "carol": SUBMISSIONS / EXERCISE / "correct_class.py",
        }
    )
    results = grade_all(discover(root, [bundled_exercise(EXERCISE)]), book, lanes(1), Recorder())
    assert [(r.student, r.status, r.full_marks) for r in results] == [
        ("alice", "graded", True),
        ("bob", "error", False),
        ("carol", "graded", True),
    ]
    # A grader failure is never final: the resume grades bob again (and only bob).
    monkeypatch.setattr(engine, half, real)
    resumed = Recorder()
    again = grade_all(discover(root, [bundled_exercise(EXERCISE)]), book, lanes(1), resumed)
    assert [(r.student, r.status, r.full_marks) for r in again] == [
        ("alice", "graded", True),
        ("bob", "graded", True),
        ("carol", "graded", True),
    ]
    assert resumed.calls == [("alice", True), ("bob", False), ("carol", True)]


def test_the_key_hashes_the_bytes_graded_and_the_grader(
    tmp_path: Path, bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    path = tmp_path / "alice.py"
    path.write_bytes(b"def backward(p, x, y):\n    return {}\n")
    job = Job("alice", bundled_exercise(EXERCISE), path)
    job, read = engine.read_job(job)
    assert read is not None
    key = engine.job_key(job, read)
    assert key[2] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert key[4] == engine.fingerprint() and key[4].startswith(__version__ + "+")


def test_the_fingerprint_changes_with_the_graders_code(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.batch import fingerprint as module

    before = module.fingerprint()
    module.fingerprint.cache_clear()
    monkeypatch.setattr(module, "_code_hash", lambda: "edited")
    try:
        assert module.fingerprint() != before
    finally:
        module.fingerprint.cache_clear()


def test_the_fingerprint_changes_with_the_plugin_distributions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from grader.batch import fingerprint as module

    before = module.fingerprint()
    module.fingerprint.cache_clear()
    installed = [*plugins.distributions(), "grader-softplus==0.1.0"]
    monkeypatch.setattr(plugins, "distributions", lambda: installed)
    try:
        assert module.fingerprint() != before
    finally:
        module.fingerprint.cache_clear()


@pytest.mark.parametrize("layout", ["file", "folder", "inside-folder"])
def test_a_linked_student_is_missing_with_the_reason(
    layout: str,
    make_class: Callable[..., Path],
    book: Gradebook,
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    solution = REPO / "solutions" / f"{EXERCISE}.py"
    root = make_class({"bob": SUBMISSIONS / EXERCISE / "correct_vectorized.py"})
    classmate = root.parent / "classmate"
    classmate.mkdir()
    (classmate / f"{EXERCISE}.py").write_bytes(solution.read_bytes())
    if layout == "file":
        (root / "mallory.py").symlink_to(solution)
    elif layout == "folder":
        (root / "mallory").symlink_to(classmate, target_is_directory=True)
    else:
        (root / "mallory").mkdir()
        (root / "mallory" / f"{EXERCISE}.py").symlink_to(solution)
    results = grade_all(discover(root, [bundled_exercise(EXERCISE)]), book, lanes(1), Recorder())
    mallory = next(r for r in results if r.student == "mallory")
    assert (mallory.status, mallory.score) == ("missing", 0)
    assert "symbolic link" in mallory.problems[0]
    assert next(r for r in results if r.student == "bob").full_marks


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_unreadable_file_is_reported_for_that_student(
    make_class: Callable[..., Path],
    book: Gradebook,
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    root = make_class({"bob": SUBMISSIONS / EXERCISE / "correct_vectorized.py"})
    (root / "alice.py").symlink_to(root / "nowhere.py")
    jobs = discover(root, [bundled_exercise(EXERCISE)])
    results = grade_all(jobs, book, lanes(1), Recorder())
    assert [r.student for r in results] == ["alice", "bob"]
    assert results[0].status in ("missing", "error")
    assert results[1].full_marks


# --- kill -9 in the middle, then resume ----------------------------------------------------------

STUDENTS = 40


def slow_class(root: Path) -> Path:
    """STUDENTS distinct submissions in every fixture style, each taking ~0.1 s to import."""
    root.mkdir()
    for number, style in zip(range(STUDENTS), itertools.cycle(STYLES)):
        pause = f"\nimport time as _time\n\n_time.sleep(0.1)  # student {number}\n"
        (root / f"s{number:02d}.py").write_text(style.read_text() + pause)
    return root


def grade_command(root: Path, out: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "grader", "grade", str(root)),
        *("--exercise", EXERCISE, "--jobs", "2", "--timeout", "5"),
        *("--out", str(out), "--format", "json", "--format", "csv"),
    ]


def rows(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as db:
            return db.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.Error:  # created but not yet initialised
        return 0


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def markers_of(pids: list[int]) -> set[bytes]:
    """The GRADER_RUN=... markers of these processes: every worker of the run has one."""
    found: set[bytes] = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            found |= {e for e in environ if e.startswith(b"GRADER_RUN=")}
    return found


def carrying(markers: set[bytes]) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if markers & set((entry / "environ").read_bytes().split(b"\0")):
                found.append(int(entry.name))
    return found


def comparable(out: Path) -> list[dict[str, Any]]:
    results = json.loads((out / "results.json").read_text())["results"]
    return [{k: v for k, v in r.items() if k != "elapsed"} for r in results]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watches processes in /proc")
def test_a_run_killed_midway_resumes_to_the_uninterrupted_results(tmp_path: Path) -> None:
    root = slow_class(tmp_path / "class")
    uninterrupted = subprocess.run(
        grade_command(root, tmp_path / "whole"), capture_output=True, text=True, timeout=120
    )
    assert uninterrupted.returncode == 0, uninterrupted.stderr

    out = tmp_path / "killed"
    database = out / "gradebook.sqlite"
    proc = subprocess.Popen(
        grade_command(root, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while rows(database) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        tree = descendants(proc.pid)
        markers = markers_of(tree)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(markers) == 2, "expected the two workers of --jobs 2 to be running"
    committed = rows(database)
    assert 0 < committed < STUDENTS, "the kill did not land in the middle of the run"

    # Its workers and their submissions died with it (bwrap's --die-with-parent).
    deadline = time.monotonic() + 5
    while (left := carrying(markers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == [], f"processes of the killed run are still alive: {left}"

    resumed = subprocess.run(grade_command(root, out), capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{STUDENTS} results in " in resumed.stderr
    assert f"({committed} from the gradebook)" in resumed.stderr  # only the rest was graded
    assert rows(database) == STUDENTS
    assert comparable(out) == comparable(tmp_path / "whole")
    assert (out / "gradebook.csv").read_text() == (tmp_path / "whole" / "gradebook.csv").read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watches processes in /proc")
def test_ctrl_c_ends_the_runs_in_progress_and_exits_130_with_what_was_scored_kept(
    tmp_path: Path,
) -> None:
    # Four quick students, then two whose import sleeps for 30 s: Ctrl-C lands while both
    # lanes run one of those, and ends them (it once waited for them, and the interpreter could
    # crash ending while the lanes still ran Python: exit -11).
    root = tmp_path / "class"
    root.mkdir()
    style = SUBMISSIONS / EXERCISE / "correct_loops.py"
    for number in range(6):
        pause = "\nimport time\ntime.sleep(30)\n" if number >= 4 else ""
        (root / f"s{number}.py").write_text(style.read_text() + pause)
    out = tmp_path / "out"
    command = [*grade_command(root, out)]
    command[command.index("--timeout") + 1] = "60"
    # Ctrl-C as a terminal delivers it, whatever this suite inherited: a shell's background
    # job ignores SIGINT, and so would the grader it starts (Python keeps an ignored SIGINT).
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while rows(out / "gradebook.sqlite") < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        markers = markers_of(descendants(proc.pid))
        interrupted = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, err
    assert time.monotonic() - interrupted < 25  # not after the sleepers' 30 s: a bound
    assert err.strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in err
    assert rows(out / "gradebook.sqlite") == 4  # what was scored is kept, nothing else
    assert carrying(markers) == []  # every worker and every run ended with it


@pytest.mark.parametrize("where", ["gradebook-read", "gradebook-write", "progress"])
def test_a_failure_of_the_class_run_itself_is_raised_and_no_thread_is_left_waiting(
    where: str,
    make_class: Callable[..., Path],
    book: Gradebook,
    monkeypatch: pytest.MonkeyPatch,
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    # Each of preparing (the gradebook read), scoring (its write) and running (the progress
    # told of a start) fails on the second student: grade_all raises that failure, after
    # every thread it started has ended (none waits on a queue nobody takes from any more).
    calls = {"n": 0}

    def second_fails(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(f"{where} failed")

    if where == "gradebook-read":
        real_get = book.get
        monkeypatch.setattr(book, "get", lambda key: second_fails() or real_get(key))
    elif where == "gradebook-write":
        real_put = book.put
        monkeypatch.setattr(book, "put", lambda k, r: second_fails() or real_put(k, r))
    students = {f"s{n}": SUBMISSIONS / EXERCISE / "correct_loops.py" for n in range(6)}
    jobs = discover(make_class(students), [bundled_exercise(EXERCISE)])
    before = set(threading.enumerate())
    on_start = second_fails if where == "progress" else None
    with pytest.raises(OSError, match=f"{where} failed"):
        grade_all(jobs, book, lanes(2), Recorder(), on_start)
    assert set(threading.enumerate()) <= before


@pytest.mark.parametrize("workers", [1, 2])
def test_a_class_run_whose_every_start_fails_ends_with_that_failure(
    workers: int,
    make_class: Callable[..., Path],
    book: Gradebook,
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    # No lane hands on a single result (each has a run sent ahead that it never finishes):
    # the thread that scores, waiting for one, must still hear of the failure (it once waited
    # for ever). A bound, not a measure of speed.
    def fails(job: Job) -> None:
        raise OSError("progress failed")

    students = {f"s{n}": SUBMISSIONS / EXERCISE / "correct_loops.py" for n in range(6)}
    jobs = discover(make_class(students), [bundled_exercise(EXERCISE)])
    raised: list[BaseException] = []

    def grade() -> None:
        try:
            grade_all(jobs, book, lanes(workers), Recorder(), fails)
        except BaseException as exc:
            raised.append(exc)

    grading = threading.Thread(target=grade, daemon=True)
    grading.start()
    grading.join(timeout=60)
    assert [str(e) for e in raised] == ["progress failed"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_class_with_nobody_to_grade_is_graded_at_once(book: Gradebook, workers: int) -> None:
    # An empty folder, or a shard that holds no student: every lane is told there is nothing
    # (it once waited for ever). A bound, not a measure of speed.
    got: list[list[CheckResult]] = []
    grading = threading.Thread(
        target=lambda: got.append(grade_all([], book, lanes(workers), Recorder())), daemon=True
    )
    grading.start()
    grading.join(timeout=60)
    assert got == [[]]


def test_an_interrupted_class_run_leaves_no_thread_and_no_run_behind(
    make_class: Callable[..., Path],
    book: Gradebook,
    bundled_exercise: Callable[[str], LoadedExercise],
    tmp_path: Path,
) -> None:
    # Ctrl-C in the thread that waits for the lanes (SIGALRM stands in for SIGINT here): each
    # lane's run is ended and each thread joined before grade_all raises, however long the
    # runs in progress would still take.
    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text(
        (SUBMISSIONS / EXERCISE / "correct_loops.py").read_text() + "\n"
        "import time\ntime.sleep(30)\n"
    )
    jobs = discover(make_class({"s1": sleeper, "s2": sleeper}), [bundled_exercise(EXERCISE)])
    settings = ClassRun(Path("class"), (), Path("out"), workers=2)
    settings = replace(settings, limits=LimitOverrides(wall_seconds=60))

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    runs: list[Job] = []

    def on_start(job: Job) -> None:  # in a lane; the signal goes to the waiting thread
        runs.append(job)
        if len(runs) == 2:  # both lanes are running a sleeper
            signal.setitimer(signal.ITIMER_REAL, 0.2)

    before = set(threading.enumerate())
    previous = signal.signal(signal.SIGALRM, interrupt)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            grade_all(jobs, book, settings, Recorder(), on_start)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 25  # the sleepers' runs were ended: a bound
    # Each lane has said it ended; the last steps of a thread's exit may take a moment.
    deadline = time.monotonic() + 5
    while not set(threading.enumerate()) <= before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert set(threading.enumerate()) <= before
