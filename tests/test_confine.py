"""policy.confine() and sandbox.isolation()/cleanup(): nothing of a run survives it or reaches
past it, in the bubblewrap sandbox and in the fallback.

Each test starts a fresh interpreter that imports policy.py the way the run does, calls
confine() with a request built by `sandbox.isolation()`, then does what a hostile submission
would. Outcomes are checked by what the kernel answered, never by timing.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

if not sys.platform.startswith("linux"):
    pytest.skip("per-run namespaces and seccomp are Linux's", allow_module_level=True)

from grader.run import sandbox, sweep
from grader.run.limits import Limits

REPO = Path(__file__).resolve().parent.parent
RUN = REPO / "grader" / "run"
EXERCISES = REPO / "exercises"
SOLUTIONS = REPO / "solutions"
ROOT = os.geteuid() == 0
LIMITS = Limits().for_child(unprivileged=True)


def _fallback() -> sandbox.Sandbox:
    plain = sandbox.Sandbox(False, "test", None)
    return sandbox._with_per_run(plain)


# The machine's answer (a trial interpreter each time it is asked), asked once per test process
# by the tests that only need it; test_the_probe_agrees_with_the_kernel asks afresh.
_fallback_box = functools.cache(_fallback)


@pytest.fixture(params=["sandbox", "fallback"])
def box(request: pytest.FixtureRequest) -> sandbox.Sandbox:
    if request.param == "fallback":
        found = _fallback_box()
    else:
        found = sandbox.confirmed(sandbox.probe())  # per_run tried, not only allowed
        if not found.enabled:
            pytest.skip(f"bubblewrap does not work here ({found.reason})")
    if not found.per_run:
        pytest.skip("this machine refuses per-run namespaces")
    return found


@contextlib.contextmanager
def isolated(box: sandbox.Sandbox, **extra: object) -> Iterator[dict]:
    """A request for one run; afterwards, nothing of that run is left."""
    settings = sandbox.isolation(box)
    try:
        yield {"isolation": settings, "limits": LIMITS, **extra}
    finally:
        sandbox.cleanup(box, settings)
    uid = settings["uid"]
    if uid is not None:
        assert sweep._processes_of(uid) == []
        for kind in ("shm", "sem", "msg"):
            assert not [row for row in _sysv(kind) if str(uid) in (row["uid"], row["cuid"])]
        assert not [p for p in Path("/dev/shm").iterdir() if p.lstat().st_uid == uid]


def _sysv(kind: str) -> list[dict[str, str]]:
    """The kernel's System V objects of one kind, each as {column: value}."""
    try:
        header, *rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
    except (OSError, ValueError):
        return []
    return [dict(zip(header.split(), row.split(), strict=False)) for row in rows]


def _argv(box: sandbox.Sandbox, request: dict, body: str) -> list[str]:
    scripts = "/sandbox" if box.enabled else str(RUN)
    script = (
        f"import json, os, sys\nsys.path.insert(0, {scripts!r})\nimport numpy as np\n"
        "import policy\npolicy.confine(json.loads(sys.argv[1]))\nprint('CONFINED', flush=True)\n"
        + textwrap.dedent(body)
    )
    argv = [sys.executable, "-I", "-c", script, json.dumps(request)]
    if box.enabled:
        return sandbox.command(box, argv, [], cwd="/", scratch="/sandbox/scratch")
    return argv


def start(box: sandbox.Sandbox, request: dict, body: str) -> subprocess.Popen:
    env = {"PATH": os.defpath, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        _argv(box, request, body),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def run(box: sandbox.Sandbox, request: dict, body: str) -> subprocess.CompletedProcess:
    proc = start(box, request, body)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def confined(box: sandbox.Sandbox, body: str, **extra: object) -> str:
    with isolated(box, **extra) as request:
        done = run(box, request, body)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("CONFINED"), done.stdout + done.stderr
    return done.stdout


def test_the_probe_agrees_with_the_kernel() -> None:
    """The other tests skip where namespaces are refused: the probe must not say so wrongly."""
    attempt = (
        f"import os, sys\nsys.path.insert(0, {str(RUN)!r})\nimport confine\n"
        f"if os.geteuid() == 0:\n    confine.switch_user({sandbox.UID_BASE - 1})\n"
        "print(confine.unshare())\n"
    )
    kernel = subprocess.run(
        [sys.executable, "-I", "-c", attempt], capture_output=True, text=True, timeout=60
    )
    assert kernel.stdout.strip() in ("True", "False"), kernel.stderr
    assert _fallback().per_run == (kernel.stdout.strip() == "True")


# --- who the run is ------------------------------------------------------------------------


def test_the_run_is_a_user_of_its_own_without_capabilities(box: sandbox.Sandbox) -> None:
    out = confined(
        box,
        """
        status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines())
        print("UID", os.getuid(), os.geteuid(), os.getgid())
        for key in ("CapEff", "CapPrm", "CapBnd", "NoNewPrivs", "Seccomp"):
            print(key, status[key].strip())
        """,
    )
    uid, euid, gid = (int(x) for x in out.split("UID ")[1].split()[:3])
    assert 0 not in (uid, euid, gid)
    if ROOT:
        assert uid >= sandbox.UID_BASE and uid == euid == gid
    for key in ("CapEff", "CapPrm", "CapBnd"):
        assert f"{key} 0000000000000000" in out
    assert "NoNewPrivs 1" in out and "Seccomp 2" in out


def test_the_limits_are_in_force_after_the_user_switch(box: sandbox.Sandbox) -> None:
    # Nothing imported beforehand but what the run itself imports: `resource` must not be
    # needed after the run stops being able to read the interpreter's files.
    out = confined(box, 'print(open("/proc/self/limits").read())')
    table = {line[:26].strip(): line[26:].split()[:2] for line in out.splitlines()[2:]}
    assert table["Max address space"] == [str(LIMITS["memory_bytes"])] * 2
    assert table["Max file size"] == [str(LIMITS["file_bytes"])] * 2
    assert table["Max open files"] == [str(LIMITS["open_files"])] * 2
    assert table["Max processes"] == ["0", "0"]
    assert table["Max core file size"] == ["0", "0"]
    assert table["Max cpu time"] == [str(LIMITS["cpu_seconds"]), str(LIMITS["cpu_seconds"] + 1)]


def test_a_huge_allocation_is_a_memory_error(box: sandbox.Sandbox) -> None:
    out = confined(
        box,
        """
        try:
            np.ones((LIMIT // 8 + 1,))
            print("ALLOCATED")
        except MemoryError:
            print("MEMORY ERROR")
        """.replace("LIMIT", str(LIMITS["memory_bytes"])),
    )
    assert "MEMORY ERROR" in out


@pytest.mark.skipif(not ROOT, reason="per-run uids are allocated only by a root grader")
def test_two_runs_never_share_a_uid() -> None:
    box = _fallback_box()
    first, second = sandbox.isolation(box), sandbox.isolation(box)
    try:
        assert first["uid"] != second["uid"]
    finally:
        sandbox.cleanup(box, first)
        sandbox.cleanup(box, second)


# --- state that would outlive the run --------------------------------------------------------


def test_the_keyring_is_out_of_reach_so_nothing_planted_is_read_later(box) -> None:
    plant = """
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    KEY_SPEC_USER_KEYRING = -4
    r = libc.syscall(248, b"user", b"answers", b"W1=0.1", 6, KEY_SPEC_USER_KEYRING)
    print("ADD", r, ctypes.get_errno())
    r = libc.syscall(249, b"user", b"answers", None, 0)  # request_key
    print("REQUEST", r, ctypes.get_errno())
    r = libc.syscall(250, 0, KEY_SPEC_USER_KEYRING, 0, 0, 0)  # keyctl(GET_KEYRING_ID)
    print("KEYCTL", r, ctypes.get_errno())
    """
    for _ in range(2):  # a second run finds nothing either
        out = confined(box, plant)
        for call in ("ADD", "REQUEST", "KEYCTL"):
            assert f"{call} -1 1\n" in out, out


def test_system_v_shared_memory_is_denied(box: sandbox.Sandbox) -> None:
    out = confined(
        box,
        """
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        print("SHM", libc.shmget(0, 2**31, 0o1600), ctypes.get_errno())
        print("SEM", libc.semget(0, 1, 0o1600), ctypes.get_errno())
        print("MSG", libc.msgget(0, 0o1600), ctypes.get_errno())
        """,
    )
    assert "SHM -1 1\n" in out and "SEM -1 1\n" in out and "MSG -1 1\n" in out


def test_a_big_write_fills_the_runs_own_tmpfs_not_the_disk(box: sandbox.Sandbox) -> None:
    name = f"grader-confine-big-{os.getpid()}"
    out = confined(
        box,
        f"""
        written = 0
        try:
            for i in range(14):  # 112 MiB in 8 MiB files, each under the file-size limit
                with open("{name}-%d" % i, "wb") as f:
                    f.write(b"x" * (8 << 20))
                written += 8 << 20
        except OSError as exc:
            print("STOPPED", exc.errno)
        fs = os.statvfs(".")
        print("WRITTEN", written, "FS", fs.f_blocks * fs.f_frsize, "CWD", os.getcwd())
        """,
    )
    assert "STOPPED 28" in out  # ENOSPC
    written, size = int(out.split("WRITTEN ")[1].split()[0]), int(out.split("FS ")[1].split()[0])
    assert written <= size == sandbox.RUN_BYTES
    for folder in ("/tmp", "/var/tmp", "/dev/shm", str(REPO)):
        assert not list(Path(folder).glob(f"{name}*"))


def test_no_host_path_is_writable(box: sandbox.Sandbox) -> None:
    name = f"grader-planted-{os.getpid()}"  # nothing on the machine has it already
    places = [RUN / f"{name}.py", REPO / name, *(Path(d, name) for d in sweep.SHARED_SCRATCH)]
    # The run's own tmpfs is writable: /tmp, or /var/tmp where the interpreter lies in /tmp.
    own = Path(sandbox.run_mount(box))
    targets = [t for t in places if own not in t.parents]
    out = confined(
        box,
        f"""
        for path in {[str(t) for t in targets]!r}:
            try:
                open(path, "w").write("planted")
                print("WROTE", path)
            except OSError as exc:
                print("REFUSED", exc.errno)
        """,
    )
    assert "WROTE" not in out
    assert all(not t.exists() for t in targets)


def test_a_run_cannot_read_the_exercises_or_solutions(box: sandbox.Sandbox) -> None:
    protected = [] if box.enabled else [str(EXERCISES), str(SOLUTIONS)]
    body = f"""
    for path in ({str(EXERCISES)!r}, {str(SOLUTIONS / "house-price-backprop.py")!r}):
        try:
            data = os.listdir(path) if os.path.isdir(path) else open(path).read()
            print("READ" if data else "EMPTY", path)
        except OSError as exc:
            print("REFUSED", exc.errno)
    """
    out = confined(box, body, protected=protected)
    assert "READ" not in out, out


def test_one_run_cannot_signal_another(box: sandbox.Sandbox) -> None:
    if not ROOT:
        pytest.skip("without root, runs share the grader's uid (docs/sandbox.md)")
    with isolated(box) as victim_request:
        victim = start(box, victim_request, "import time\ntime.sleep(30)\n")
        try:
            assert victim.stdout.readline().startswith("CONFINED")
            pid = _pid_of_uid(victim_request["isolation"]["uid"])
            out = confined(
                box,
                f"""
                try:
                    os.kill({pid}, 9)  # SIGKILL
                    print("KILLED")
                except OSError as exc:
                    print("REFUSED", exc.errno)
                """,
            )
            # EPERM: another uid. Separate sandboxes also hide each other's pids (ESRCH).
            assert "REFUSED 1" in out or (box.enabled and "REFUSED 3" in out), out
            assert victim.poll() is None
        finally:
            victim.kill()
            victim.communicate()


def _pid_of_uid(uid: int) -> int:
    (pid,) = sweep._processes_of(uid)
    return pid


def test_numpy_and_an_honest_backward_still_work(box: sandbox.Sandbox) -> None:
    source = (SOLUTIONS / "house-price-backprop.py").read_text()
    out = confined(
        box,
        f"""
        namespace = {{}}
        exec(compile({source!r}, "submission.py", "exec"), namespace)
        params = {{"W1": np.array([[0.2, 0.15], [0.5, 0.6]]), "b1": np.array([0.1, 0.25]),
                  "W2": np.array([[0.3, 0.2]]), "b2": np.array([0.4])}}
        grads = namespace["backward"](params, np.array([-0.32, -0.66]), np.array([-0.54]))
        print("DB2", round(float(np.asarray(grads["b2"]).ravel()[0]), 4))
        """,
    )
    assert "DB2 1.17" in out  # the lecture's dL/db2


def test_in_a_sandbox_that_refuses_nested_namespaces_the_run_still_has_its_own_folder() -> None:
    found = sandbox.probe()
    if not found.enabled:
        pytest.skip(f"bubblewrap does not work here ({found.reason})")
    box = sandbox.Sandbox(True, "", found.as_root, per_run=False)  # as if unshare were refused
    out = confined(
        box,
        """
        st = os.stat(".")
        print("RUN", os.getuid(), st.st_uid, oct(st.st_mode & 0o777), os.getcwd())
        status = open("/proc/self/status").read()
        print("SECCOMP", status.split("Seccomp:")[1].split()[0])
        """,
    )
    uid, owner, mode, cwd = out.split("RUN ")[1].split()[:4]
    # On the worker's scratch tmpfs, which its fork server empties after every run.
    assert uid == owner != "0" and mode == "0o700" and cwd.startswith(f"{sandbox.SCRATCH}/run-")
    assert "SECCOMP 2" in out


# --- failing closed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "breakage",
    ["threads", "no-isolation"],
    ids=["a-threaded-process-cannot-unshare", "no-isolation-in-the-request"],
)
def test_a_run_that_cannot_be_confined_runs_no_student_code(breakage: str) -> None:
    box = _fallback_box()
    if not box.per_run:
        pytest.skip("this machine refuses per-run namespaces")
    with isolated(box) as request:
        if breakage == "no-isolation":
            del request["isolation"]
        prefix = "import threading, time\nthreading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"  # noqa: E501
        script = (
            (prefix if breakage == "threads" else "")
            + f"import json, sys\nsys.path.insert(0, {str(RUN)!r})\nimport policy\n"
            "policy.confine(json.loads(sys.argv[1]))\nprint('STUDENT CODE RAN')\n"
        )
        done = subprocess.run(
            [sys.executable, "-I", "-c", script, json.dumps(request)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 71
    assert "STUDENT CODE RAN" not in done.stdout
    assert done.stderr.count("\n") == 1 and "could not be isolated" in done.stderr


# --- what cleanup() sweeps ---------------------------------------------------------------------


@pytest.mark.skipif(not ROOT, reason="sweeping by uid needs a per-run uid (a root grader)")
def test_cleanup_leaves_nothing_of_a_degraded_run() -> None:
    """Where namespaces are refused (Docker), a run could leave processes, System V objects,
    files in /dev/shm and /tmp and a deep tree in its host folder: cleanup() removes them all."""
    box = sandbox.Sandbox(False, "test", None, per_run=False)
    settings = sandbox.isolation(box)
    uid, folder = settings["uid"], settings["host_folder"]
    assert Path(folder).stat().st_uid == uid and Path(folder).stat().st_mode & 0o777 == 0o700
    # Started as root, the interpreter (possibly under /root) is loaded before it becomes uid.
    leave = f"""
    import ctypes, os, time
    os.setgroups([])
    os.setgid({uid})
    os.setuid({uid})
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.shmget(0, 1 << 20, 0o1600) >= 0
    for place in ("/dev/shm", "/tmp"):
        open(place + "/grader-left-{uid}", "w").write("x")
    os.chdir({folder!r})
    for _ in range(3000):
        os.mkdir("d")
        os.chdir("d")
    if os.fork() == 0:
        os.setsid()
        time.sleep(60)
    print("LEFT", flush=True)
    time.sleep(60)
    """
    proc = subprocess.Popen(
        [sys.executable, "-I", "-c", textwrap.dedent(leave)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "LEFT"
        assert len(sweep._processes_of(uid)) == 2
        sandbox.cleanup(box, settings)
        proc.wait(timeout=10)
        assert sweep._processes_of(uid) == []
        assert str(uid) not in Path("/proc/sysvipc/shm").read_text()
        assert not Path(f"/dev/shm/grader-left-{uid}").exists()
        assert not Path(f"/tmp/grader-left-{uid}").exists()
        assert not Path(folder).exists()
    finally:
        proc.kill()
        sandbox.cleanup(box, settings)


def test_remove_tree_is_not_defeated_by_depth_and_follows_no_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("kept")
    tree = tmp_path / "tree"
    deep = tree
    for _ in range(3000):  # deeper than the recursion limit and than RLIMIT_NOFILE
        deep = deep / "d"
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        os.mkdir("tree", dir_fd=fd)
        current = os.open("tree", os.O_RDONLY, dir_fd=fd)
        for _ in range(3000):
            os.mkdir("d", dir_fd=current)
            below = os.open("d", os.O_RDONLY, dir_fd=current)
            os.close(current)
            current = below
        os.symlink(outside, "link", dir_fd=current)
        os.mkdir("locked", 0, dir_fd=current)
        os.close(current)
    finally:
        os.close(fd)
    sweep.remove_tree(tree)
    assert not tree.exists()
    assert (outside / "keep").read_text() == "kept"


def test_cleanup_kills_only_the_runs_uid() -> None:
    box = _fallback_box()
    settings = sandbox.isolation(box)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        started = time.monotonic()
        sandbox.cleanup(box, settings)
        assert bystander.poll() is None
        assert time.monotonic() - started < 30  # a bound, not a measure of speed
    finally:
        bystander.kill()
        bystander.wait()


def test_libc_is_reachable_for_the_sweep() -> None:
    assert ctypes.CDLL(None).shmctl is not None


# --- grader grade without isolation --------------------------------------------------------


def _unisolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """A laptop: no bubblewrap, not root."""
    box = sandbox.Sandbox(False, "bubblewrap (bwrap) is not installed", None, per_run=True)
    monkeypatch.setattr(sandbox, "probe", lambda: box)
    monkeypatch.setattr(sandbox, "is_root", lambda: False)


def test_grade_refuses_to_run_unisolated_submissions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from grader.cli import main

    _unisolated(monkeypatch)
    (tmp_path / "class").mkdir()
    with pytest.raises(SystemExit) as exit_:
        main(["grade", str(tmp_path / "class"), "-e", "house-price-backprop"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "without isolation" in err and "--no-isolation" in err and "bubblewrap" in err


def test_no_isolation_is_said_in_the_notice_and_the_summary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from grader.batch import run as batch_run
    from grader.cli import main

    _unisolated(monkeypatch)
    # The grading itself is not what this test is about; that every report says it is
    # (settings.unisolated) is test_grade_cli's and test_gradescope's.
    seen = []

    def grade_class(settings: object, workers: object = ()) -> _Done:
        seen.append(settings)
        return _Done("1 student graded")

    monkeypatch.setattr(batch_run, "grade_class", grade_class)
    (tmp_path / "class").mkdir()
    with pytest.raises(SystemExit) as exit_:
        main(["grade", str(tmp_path / "class"), "-e", "house-price-backprop", "--no-isolation"])
    assert exit_.value.code == 0
    err = capsys.readouterr().err
    assert "note: grading with --no-isolation" in err
    assert "1 student graded (graded with --no-isolation)" in err
    assert [getattr(s, "unisolated", None) for s in seen] == [True]


class _Done:
    def __init__(self, summary: str) -> None:
        self.summary, self.reports, self.grader_failed = summary, [], False


@pytest.mark.skipif(not ROOT, reason="a per-run uid needs a root grader")
def test_root_without_namespaces_is_isolated_only_if_the_grader_files_are_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    box = sandbox.Sandbox(False, "bubblewrap (bwrap) is not installed", None, per_run=False)
    monkeypatch.setattr(sandbox, "probe", lambda: box)
    private = tmp_path / "private"  # pytest's folders are reachable by root only
    private.mkdir()
    public = Path(tempfile.mkdtemp(prefix="grader-confine-public-"))  # /tmp is 1777
    try:
        public.chmod(0o755)
        assert "as a user of its own" in sandbox.require_isolation(False, [str(private)])
        with pytest.raises(sandbox.SandboxUnavailable, match="readable by every user"):
            sandbox.require_isolation(False, [str(public)])
        assert "--no-isolation" in sandbox.require_isolation(True, [str(public)])
    finally:
        public.rmdir()


@pytest.mark.parametrize(
    ("interpreter", "enabled", "mount"),
    [
        ("/usr/lib/python3", True, "/tmp"),
        ("/usr/lib/python3", False, "/tmp"),
        ("/tmp/ci/venv", True, "/sandbox/run"),
        ("/tmp/ci/venv", False, "/var/tmp"),
    ],
    ids=["usual-sandbox", "usual-fallback", "venv-in-tmp-sandbox", "venv-in-tmp-fallback"],
)
def test_a_runs_tmpfs_never_hides_the_interpreter(
    monkeypatch: pytest.MonkeyPatch, interpreter: str, enabled: bool, mount: str
) -> None:
    # A virtualenv under /tmp (as some CI jobs make) would vanish under a tmpfs over /tmp.
    monkeypatch.setattr(sandbox, "interpreter_paths", lambda: (Path(interpreter),))
    sandbox._holds_interpreter.cache_clear()  # asked once per process: here, per interpreter
    try:
        box = sandbox.Sandbox(enabled, "", as_root=True, per_run=True)
        assert sandbox.run_mount(box) == mount
    finally:
        sandbox._holds_interpreter.cache_clear()
