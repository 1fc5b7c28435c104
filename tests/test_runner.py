"""Tests for grader.run.runner (a worker with one request; child.py, limits.py): a submission in
its own process.

Every submission is a few lines written to tmp_path; each run starts one interpreter (~0.1 s).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grader.run.limits import Limits
from grader.run.report import RunReport
from grader.run.request import RunRequest
from grader.run.runner import run_submission

Write = Callable[..., Path]


SUMMING = """
    def f(x):
        return {"total": x.sum()}
"""  # a submission that sums its one argument


def run(path: Path, calls: list[list], function: str = "f", **limits: float) -> RunReport:
    return run_submission(RunRequest(path.read_bytes(), function, calls, Limits(**limits)))


def values(report: RunReport, case: int) -> dict[str, list[float]]:
    """The numbers a result event carries, by key."""
    event = report.events[case]
    assert event["event"] == "result", event
    return {key: encoded["data"] for key, encoded in event["values"].items()}


# --- results and arguments -------------------------------------------------------------------


def test_a_result_arrives_for_every_case(write_submission: Write) -> None:
    path = write_submission("""
        def f(x):
            return {"total": x.sum(), "first": x[0]}
    """)
    report = run(path, [[[1, 2]], [[3, 4]], [[5, 6, 7]]])
    assert report.status == "ok", report.message
    assert sorted(report.events) == [0, 1, 2]
    assert [values(report, n)["total"] for n in range(3)] == [[3.0], [7.0], [18.0]]


def test_arguments_arrive_positionally_as_float64_arrays(write_submission: Write) -> None:
    # Parameter names differ from the task's (params, x, y, learning_rate): only order counts.
    path = write_submission("""
        import numpy as np

        def f64(a):
            return float(isinstance(a, np.ndarray) and a.dtype == np.float64)

        def f(p, X, Y, lr):
            return {"p": f64(p["W1"]), "X": f64(X), "Y": f64(Y), "lr": float(type(lr) is float),
                    "W1": p["W1"], "shape": np.array(p["W1"].shape)}
    """)
    report = run(path, [[{"W1": [[1, 2, 3], [4, 5, 6]]}, [1, 2], [3], 0.5]])
    assert report.status == "ok", report.message
    got = values(report, 0)
    assert (got["p"], got["X"], got["Y"], got["lr"]) == ([1.0], [1.0], [1.0], [1.0])
    assert got["W1"] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert got["shape"] == [2.0, 3.0]


def test_every_case_gets_fresh_inputs(write_submission: Write) -> None:
    # Changing the arguments in place (as correct_inplace does) must not leak into the next case.
    path = write_submission("""
        def f(p):
            p["a"] += 1
            return {"a": p["a"]}
    """)
    report = run(path, [[{"a": [1.0]}], [{"a": [1.0]}]])
    assert values(report, 0)["a"] == values(report, 1)["a"] == [2.0]


def test_the_original_file_is_never_modified(write_submission: Write) -> None:
    # It may run from a read-only copy (the sandbox) or a writable one: either way, not ours.
    source = """
        import os
        print(__file__)
        try:
            with open(__file__, "a") as me:
                me.write("TAMPERED = True\\n")
        except OSError:
            pass

        def f(x):
            try:
                os.remove(__file__)
            except OSError:
                pass
            return {}
    """
    path = write_submission(source)
    before = path.read_bytes()
    report = run(path, [[[1.0]]])
    assert report.status == "ok", report.message
    assert path.read_bytes() == before
    assert report.events[0]["event"] == "result"
    assert Path(report.stdout.strip()) != path  # it ran from a staged copy


# --- a submission that cannot be imported or has no function -----------------------------------


@pytest.mark.parametrize(
    ("source", "fragments"),
    [
        ("x = 1\ndef f(:\n    pass\n", ["SyntaxError", "line 2"]),
        ("x = 1\nraise ValueError('boom at import')\n", ["ValueError: boom at import", "line 2"]),
        ("def helper():\n    return 1 / 0\n\nhelper()\n", ["ZeroDivisionError", "line 2"]),
        ("import sys\nsys.exit(0)\ndef f(x):\n    return {}\n", ["sys.exit(0)"]),
        ("import numpy_that_does_not_exist\n", ["ModuleNotFoundError", "line 1"]),
    ],
    ids=["syntax-error", "raises", "raises-in-helper", "sys-exit-0", "missing-module"],
)
def test_import_error_names_the_cause_and_line(
    write_submission: Write, source: str, fragments: list[str]
) -> None:
    report = run(write_submission(source), [[[1.0]], [[2.0]]])
    assert report.status == "import-error"
    for fragment in fragments:
        assert fragment in report.message
    assert report.events == {}


@pytest.mark.parametrize(
    "source",
    ["def g(x):\n    return {}\n", "f = 3\n"],
    ids=["absent", "not-callable"],
)
def test_missing_function(write_submission: Write, source: str) -> None:
    report = run(write_submission(source), [[[1.0]]])
    assert report.status == "missing-function"
    assert "'f'" in report.message


# --- a call that fails -------------------------------------------------------------------------


def test_an_exception_in_one_call_is_reported_and_the_others_still_run(
    write_submission: Write,
) -> None:
    path = write_submission("""
        def f(x):
            if x[0] < 0:
                raise ValueError(f"negative input {x[0]}")
            return {"x": x}
    """)
    report = run(path, [[[1.0]], [[-2.0]], [[3.0]]])
    assert report.status == "ok"
    assert report.events[1] == {
        "event": "call-error",
        "case": 1,
        "error": "ValueError: negative input -2.0 (line 3)",
    }
    assert values(report, 0)["x"] == [1.0]
    assert values(report, 2)["x"] == [3.0]


def test_sys_exit_in_a_call_is_a_call_error(write_submission: Write) -> None:
    path = write_submission("""
        import sys

        def f(x):
            sys.exit(2)
    """)
    report = run(path, [[[1.0]], [[2.0]]])
    assert report.status == "ok"
    assert [report.events[n]["error"] for n in (0, 1)] == ["called sys.exit(2)"] * 2


# --- a submission that misbehaves --------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    ["def f(x):\n    while True:\n        pass\n", "while True:\n    pass\n"],
    ids=["in-call", "at-import"],
)
def test_an_infinite_loop_times_out(write_submission: Write, where: str) -> None:
    started = time.monotonic()
    report = run(write_submission(where), [[[1.0]]], wall_seconds=1)
    assert time.monotonic() - started < 1 + 30  # a hang of the grader, never a slow machine
    assert report.status == "timeout"
    assert "1 s" in report.message


def test_os_exit_in_a_call_is_a_crash(write_submission: Write) -> None:
    path = write_submission("""
        import os

        def f(x):
            os._exit(3)
    """)
    report = run(path, [[[1.0]]])
    assert report.status == "crashed"
    assert "exit status 3" in report.message
    assert report.events == {}


def test_printing_10_mb_hits_the_output_limit(write_submission: Write) -> None:
    # It then sleeps far past the wall limit: "output-limit" and not "timeout" shows it was
    # stopped by the flood, whatever the machine's speed. (Were it to return at once, it might
    # finish before the flood is noticed; see the report on that race.)
    path = write_submission("""
        import time

        def f(x):
            print("x" * (10 * 1024 * 1024))
            time.sleep(600)
            return {}
    """)
    report = run(path, [[[1.0]]], wall_seconds=60)
    assert report.status == "output-limit"
    assert "1024 KiB" in report.message
    assert report.stdout.endswith("xxxx")
    assert len(report.stdout) <= 4096 + len("...\n")


def test_stdout_and_stderr_tails_are_captured(write_submission: Write) -> None:
    path = write_submission("""
        import sys

        def f(x):
            print("to stdout", x[0])
            print("to stderr", x[0], file=sys.stderr)
            return {}
    """)
    report = run(path, [[[1.0]], [[2.0]]])
    assert report.stdout == "to stdout 1.0\nto stdout 2.0\n"
    assert report.stderr == "to stderr 1.0\nto stderr 2.0\n"


def test_a_long_output_keeps_only_its_tail(write_submission: Write) -> None:
    path = write_submission("""
        for n in range(2000):
            print(f"line {n}")

        def f(x):
            return {}
    """)
    report = run(path, [[[1.0]]])
    assert report.status == "ok"
    assert report.stdout.startswith("...\n")
    assert report.stdout.endswith("line 1998\nline 1999\n")
    assert "line 0\n" not in report.stdout
    assert len(report.stdout) <= 4096 + len("...\n")


def test_the_child_sees_none_of_the_parents_environment(
    write_submission: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_TEST_SECRET", "s3cr3t-token-value")
    path = write_submission("""
        import json, os
        print(json.dumps(dict(os.environ)))

        def f(x):
            return {}
    """)
    report = run(path, [[[1.0]]])
    child_env = json.loads(report.stdout)
    assert "GRADER_TEST_SECRET" not in child_env
    assert "s3cr3t-token-value" not in report.stdout
    # Whatever the child shares with us must be a constant the runner sets on purpose, or one
    # of the few variables it passes through (numpy's CPU detection, Windows' SYSTEMROOT).
    inherited = {k for k, v in child_env.items() if os.environ.get(k) == v}
    assert inherited <= {
        "LANG",
        "LC_CTYPE",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONHASHSEED",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_CORETYPE",
        "OPENBLAS_L2_SIZE",
        "SYSTEMROOT",
    }


# --- the request carries the submission; nothing of a run is staged on the host ---------------


def test_a_request_larger_than_a_pipe_buffer_arrives_whole(write_submission: Write) -> None:
    padding = "# " + "x" * 98 + "\n"
    path = write_submission(padding * 5000 + "def f(x):\n    return {'x': x}\n")  # 500 kB
    report = run(path, [[[4.0]]])
    assert report.status == "ok", report.message
    assert values(report, 0)["x"] == [4.0]


def test_the_run_writes_its_own_read_only_copy_in_its_working_folder(
    write_submission: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_submission("""
        import os
        import stat

        def f(x):
            here = os.path.dirname(__file__) == os.getcwd() == os.environ["HOME"]
            mode = stat.S_IMODE(os.stat(__file__).st_mode)
            return {"here": float(here), "mode": float(mode)}
    """)
    # A temporary folder of this test's own: other programs use the machine's at the same time.
    temporary = Path(tempfile.mkdtemp(prefix="runner-test-"))
    temporary.chmod(0o711)  # a run that gives up root reaches its folder (without the sandbox)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    try:
        report = run(path, [[[1.0]]])
        assert report.status == "ok", report.message
        assert values(report, 0) == {"here": [1.0], "mode": [float(0o444)]}
        assert list(temporary.iterdir()) == []  # nothing of the run is left behind
    finally:
        temporary.rmdir()


# --- grader check's early worker ---------------------------------------------------------------


def test_the_early_runner_starts_its_server_before_the_first_run(write_submission: Write) -> None:
    # `grader check` loads the exercise while the server starts: it is running before any run.
    from grader.run.runner import early_runner
    from grader.run.worker import Worker

    path = write_submission(SUMMING)
    started: list[Worker] = []
    original = Worker.launch

    def launch(worker: Worker, forbidden: tuple[str, ...]) -> None:
        original(worker, forbidden)
        started.append(worker)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Worker, "launch", launch)
        with early_runner(path) as runner:
            (worker,) = started
            assert worker._proc is not None and worker._proc.poll() is None
            request = RunRequest(path.read_bytes(), "f", [[[1, 2]]], Limits(), ("grader",))
            report = runner(request)
        assert worker._proc is None  # closed with the block
    assert report.status == "ok", report.message
    assert values(report, 0)["total"] == [3.0]


def test_the_early_runner_starts_nothing_for_a_file_of_answers(tmp_path: Path) -> None:
    from grader.run.runner import early_runner

    with early_runner(tmp_path / "answers.toml") as runner:
        assert runner is run_submission


BWRAP = """#!/bin/sh
LOG={log}
echo "$$" >> "$LOG"
{then}
"""
REFUSE = 'echo "bwrap: No permissions to create a new namespace" >&2; exit 1'


@pytest.fixture
def fake_bwrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Path]]:
    """Installs a `bwrap` first on PATH that logs each start to the file returned ($LOG), then
    runs `then` (shell). The cached probe is forgotten before and after."""
    from grader.run import sandbox

    def install(then: str) -> Path:
        log, folder = tmp_path / "bwrap-calls", tmp_path / "bin"
        log.touch()
        folder.mkdir()
        (folder / "bwrap").write_text(BWRAP.format(log=log, then=then))
        (folder / "bwrap").chmod(0o755)
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
        return log

    monkeypatch.delenv("GRADER_NO_SANDBOX", raising=False)
    sandbox.probe.cache_clear()
    yield install
    sandbox.probe.cache_clear()


@pytest.fixture
def real_bwrap() -> str:
    """The real bubblewrap's path (skips where it does not work)."""
    import shutil

    from grader.run import sandbox

    sandbox.probe.cache_clear()
    works = sandbox.probe().enabled
    sandbox.probe.cache_clear()
    found = shutil.which("bwrap")
    if not found or not works:
        pytest.skip("bubblewrap does not work here")
    return found


def starts(log: Path) -> int:
    return len(log.read_text().split())


def test_no_run_starts_on_a_presumed_sandbox_bubblewrap_refuses(
    write_submission: Write, fake_bwrap: Callable[[str], Path]
) -> None:
    # presume() answers at once; the server started on it fails, so bubblewrap itself is
    # asked (it says why), and the run gets a server without bubblewrap.
    from grader.run import sandbox
    from grader.run.worker import Worker

    path = write_submission(SUMMING)
    log = fake_bwrap(REFUSE)
    presumed = sandbox.presume()
    assert presumed.enabled
    with Worker(presumed) as worker:
        worker.launch(("grader",))
        report = worker.run(RunRequest(path.read_bytes(), "f", [[[1, 2]]], Limits()))
        assert not worker.box.enabled
        assert worker.box.reason == (
            "bubblewrap is refused here (bwrap: No permissions to create a new namespace)"
        )
    assert sandbox.probe() == worker.box
    assert starts(log) == 2  # the server's, then the probe's (which said why)
    assert report.status == "ok", report.message
    assert values(report, 0)["total"] == [3.0]


def test_a_presumed_sandbox_starts_one_bubblewrap_only(
    write_submission: Write, fake_bwrap: Callable[[str], Path], real_bwrap: str
) -> None:
    # The server that became ready in the presumed sandbox is the probe's answer.
    from grader.run import sandbox
    from grader.run.runner import early_runner

    path = write_submission(SUMMING)
    log = fake_bwrap(f'exec {real_bwrap} "$@"')
    with early_runner(path) as runner:
        assert sandbox.require(True) == ""  # as `grader check --require-sandbox` asks
        report = runner(RunRequest(path.read_bytes(), "f", [[[1, 2]]], Limits(), ("grader",)))
    assert sandbox.probe().enabled
    assert starts(log) == 1
    assert report.status == "ok", report.message


def _summing(write_submission: Write) -> RunRequest:
    """A request to run SUMMING."""
    path = write_submission(SUMMING)
    return RunRequest(path.read_bytes(), "f", [[[1, 2]]], Limits(), ("grader",))


def test_a_class_runs_early_workers_start_one_bubblewrap_per_lane_and_no_probe(
    write_submission: Write, fake_bwrap: Callable[[str], Path], real_bwrap: str
) -> None:
    from grader.run import sandbox
    from grader.run.runner import early_workers

    request = _summing(write_submission)
    log = fake_bwrap(f'exec {real_bwrap} "$@"')
    with early_workers(2) as workers:
        assert sandbox.require(True) == ""  # as `grader grade --require-sandbox` asks
        reports = [worker.run(request) for worker in workers]
    assert starts(log) == 2
    assert [r.status for r in reports] == ["ok", "ok"], [r.message for r in reports]


def test_a_class_runs_early_workers_fall_back_where_bubblewrap_refuses(
    write_submission: Write, fake_bwrap: Callable[[str], Path]
) -> None:
    from grader.run import sandbox
    from grader.run.runner import early_workers

    request = _summing(write_submission)
    log = fake_bwrap(REFUSE)
    with early_workers(2) as workers:
        assert not sandbox.probe().enabled  # no run started on the presumption
        reports = [worker.run(request) for worker in workers]
        assert not any(worker.box.enabled for worker in workers)
    assert starts(log) == 3  # each lane's server, then the probe's (which said why)
    assert [r.status for r in reports] == ["ok", "ok"], [r.message for r in reports]


def test_a_one_off_run_on_a_presumed_sandbox_starts_one_bubblewrap_only(
    write_submission: Write, fake_bwrap: Callable[[str], Path], real_bwrap: str
) -> None:
    path = write_submission(SUMMING)
    log = fake_bwrap(f'exec {real_bwrap} "$@"')
    report = run(path, [[[1, 2]]])
    assert starts(log) == 1
    assert report.status == "ok", report.message


def test_a_server_that_does_not_start_where_bubblewrap_works_is_a_grader_failure(
    write_submission: Write, fake_bwrap: Callable[[str], Path], real_bwrap: str
) -> None:
    # Only the first bubblewrap (the server's) fails: the probe then says bubblewrap works,
    # and the run fails as the grader's failure rather than run anywhere else.
    from grader.run import sandbox
    from grader.run.worker import Worker, WorkerFailed

    path = write_submission(SUMMING)
    log = fake_bwrap(f'[ "$(wc -l < "$LOG")" -gt 1 ] || exit 1; exec {real_bwrap} "$@"')
    with Worker(sandbox.presume()) as worker:
        worker.launch(("grader",))
        with pytest.raises(WorkerFailed, match="the fork server ended"):
            worker.run(RunRequest(path.read_bytes(), "f", [[[1, 2]]], Limits()))
        assert worker.box.enabled
    assert sandbox.probe().enabled
    assert starts(log) == 2


def test_a_closed_worker_no_longer_answers_the_probe(
    monkeypatch: pytest.MonkeyPatch, fake_bwrap: Callable[[str], Path], real_bwrap: str
) -> None:
    from grader.run import sandbox
    from grader.run.worker import Worker

    fake_bwrap(f'exec {real_bwrap} "$@"')
    asked: list[list[str]] = []
    ask = sandbox._ask_bubblewrap
    monkeypatch.setattr(sandbox, "_ask_bubblewrap", lambda argv: asked.append(argv) or ask(argv))
    with Worker(sandbox.presume()) as worker:
        worker.launch(("grader",))
    assert sandbox.probe().enabled
    assert len(asked) == 1  # the server was gone: bubblewrap itself was asked
