"""Per-run confinement end to end: the red team's state-passing attacks through the real
`grader check` and a `--jobs 2` `grader grade` class, with bubblewrap and in the fallback.

Each hostile student reports what it got in the message of the exception it raises, so the
report itself says whether the attack worked; the host is then searched for anything left by
the run's uid. Honest students graded before and after must keep full marks. Outcomes only:
nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.run import sandbox, sweep

if not sys.platform.startswith("linux"):
    pytest.skip("per-run confinement is Linux's", allow_module_level=True)

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "solutions" / "house-price-backprop.py"
EXERCISE = "house-price-backprop"

# Raw system calls (glibc has no wrappers for the keyring calls): numbers for both architectures.
SYSCALLS = """
import ctypes, os
_libc = ctypes.CDLL(None, use_errno=True)
_NR = {
    "x86_64": {"add_key": 248, "request_key": 249, "keyctl": 250, "shmget": 29},
    "aarch64": {"add_key": 217, "request_key": 218, "keyctl": 219, "shmget": 194},
}[os.uname().machine]


def call(name, *args):
    result = _libc.syscall(_NR[name], *args)
    return result, (os.strerror(ctypes.get_errno()) if result == -1 else "worked")
"""

PLANTER = (
    SYSCALLS
    + """
_, PLANTED = call("add_key", b"user", b"grader-e2e-plant", b"THE-ANSWERS", 11, -4)  # user keyring


def backward(params, x, y):
    raise RuntimeError(f"PLANTER add_key {PLANTED}")
"""
)

READER = (
    SYSCALLS
    + """
KEY, ASKED = call("request_key", b"user", b"grader-e2e-plant", None, 0)
FOUND = "nothing"
if KEY > 0:
    _buffer = ctypes.create_string_buffer(64)
    call("keyctl", 11, KEY, _buffer, 64)  # KEYCTL_READ
    FOUND = _buffer.value.decode()


def backward(params, x, y):
    raise RuntimeError(f"READER request_key {ASKED}, found {FOUND}")
"""
)

SQUATTER = (
    SYSCALLS
    + """
import time

UID = os.getuid()
_, SHM = call("shmget", 0, 1 << 20, 0o1000 | 0o600)  # IPC_PRIVATE, IPC_CREAT
try:
    os.close(os.open(f"/dev/shm/grader-e2e-{UID}", os.O_WRONLY | os.O_CREAT, 0o600))
    DEVSHM = "created"
except OSError as exc:
    DEVSHM = exc.strerror
try:
    if os.fork() == 0:  # a survivor, if it may
        os.setsid()
        time.sleep(60)
        os._exit(0)
    FORK = "forked"
except OSError as exc:
    FORK = exc.strerror


def backward(params, x, y):
    raise RuntimeError(f"SQUATTER uid {UID} shmget [{SHM}] /dev/shm [{DEVSHM}] fork [{FORK}]")
"""
)

FILLER = """
import os

BLOCK = b"\\xa5" * (1024 * 1024)
WRITTEN, WHY = 0, "never refused"
try:
    for n in range(160):  # 160 MiB, one new 1 MiB file each (each file is under its own cap)
        with open(f"fill-{n}.bin", "wb") as f:
            f.write(BLOCK)
        WRITTEN += 1
except OSError as exc:
    WHY = exc.strerror


def _filesystem(path):
    best, kind = "", "?"
    with open("/proc/self/mountinfo") as table:
        for line in table:
            fields = line.split()
            point, fstype = fields[4], fields[fields.index("-") + 1]
            inside = path == point or path.startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best):
                best, kind = point, fstype
    return kind


KIND = _filesystem(os.getcwd())


def backward(params, x, y):
    raise RuntimeError(f"FILLER wrote {WRITTEN} MiB into [{KIND}] then [{WHY}]")
"""

# Kills every run of its own grader it can find: the processes two levels below the grader
# (the lanes' fork servers, then their runs). Never anything outside this test's grader.
KILLER = """
import os, signal, time


def _parent(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def _targets(me):
    grader = _parent(_parent(me))
    servers = set()
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                table[int(name)] = _parent(int(name))
            except (OSError, ValueError, IndexError):
                pass
    servers = {pid for pid, parent in table.items() if parent == grader}
    return {pid for pid, parent in table.items() if parent in servers and pid != me} | servers


KILLED, REFUSED = 0, 0
_end = time.monotonic() + 2.0
while time.monotonic() < _end:
    for _pid in _targets(os.getpid()):
        try:
            os.kill(_pid, signal.SIGKILL)
            KILLED += 1
        except OSError:
            REFUSED += 1
    time.sleep(0.05)


def backward(params, x, y):
    raise RuntimeError(f"KILLER killed {KILLED}")
"""

# An honest classmate that takes a while at import: the killer's likeliest target.
VICTIM = "import time\ntime.sleep(1.5)\n" + SOLUTION.read_text(encoding="utf-8")


@pytest.fixture(params=["sandbox", "fallback"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """The environment for the grader: with bubblewrap, or GRADER_NO_SANDBOX=1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    if request.param == "fallback":
        env["GRADER_NO_SANDBOX"] = "1"
        monkeypatch.setenv("GRADER_NO_SANDBOX", "1")
    else:
        monkeypatch.delenv("GRADER_NO_SANDBOX", raising=False)
    sandbox.probe.cache_clear()
    box = sandbox.confirmed(sandbox.probe())  # per_run tried, not only allowed
    sandbox.probe.cache_clear()
    if request.param == "sandbox" and not box.enabled:
        pytest.skip(f"bubblewrap does not work here: {box.reason}")
    if not box.per_run:
        pytest.skip("this kernel refuses a run namespaces of its own: tests/test_confine.py")
    if request.param == "fallback" and not box.as_root:
        pytest.skip("as a normal user the fallback's runs share your uid (grade refuses it)")
    yield env


def grader(env: dict, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=cwd,
    )


# A limit no file here reaches by accident, however loaded the machine: none is meant to time out.
def check(env: dict, path: Path) -> subprocess.CompletedProcess[str]:
    return grader(env, "check", str(path), "-e", EXERCISE, "--timeout", "30")


def honest_full_marks(env: dict) -> None:
    done = check(env, SOLUTION)
    assert done.returncode == 0 and "9 / 9" in done.stdout, done.stdout + done.stderr


def assert_refused(said: str) -> None:
    """What each hostile student says it got: every attack refused."""
    assert "THE-ANSWERS" not in said
    assert "PLANTER add_key Operation not permitted" in said, said
    assert "READER request_key Operation not permitted, found nothing" in said, said
    squat = re.search(
        r"SQUATTER uid (\d+) shmget \[(.*?)\] /dev/shm \[(.*?)\] fork \[(.*?)\]", said
    )
    assert squat, said
    assert squat[2] == "Operation not permitted", said  # System V: denied by the filter
    assert squat[3] != "created" and squat[4] != "forked", said
    fill = re.search(r"FILLER wrote (\d+) MiB into \[(.*?)\] then \[(.*?)\]", said)
    assert fill, said
    # Stopped by its own 64 MiB tmpfs, long before 100 MiB, never on the host's disk.
    assert int(fill[1]) <= 64 and fill[2] == "tmpfs" and fill[3] == "No space left on device", said
    assert nothing_left(int(squat[1])) == [], said


def nothing_left(uid: int) -> list[str]:
    """Whatever of that uid is still on the host: processes, System V objects, /dev/shm files."""
    if uid < sandbox.UID_BASE:
        return []  # the grader's own uid (not root): its own processes are expected
    left = [f"process {pid}" for pid in sweep._processes_of(uid)]
    for kind in ("shm", "sem", "msg"):
        rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        left += [f"{kind}: {row}" for row in rows if str(uid) in row.split()]
    left += [str(p) for p in Path("/dev/shm").iterdir() if p.lstat().st_uid == uid]
    left += [str(p) for p in Path("/tmp").glob("fill-*.bin")]
    return left


def test_check_refuses_every_state_passing_attack(mode: dict, tmp_path: Path) -> None:
    honest_full_marks(mode)
    said = ""
    for name, source in (
        ("planter", PLANTER),
        ("reader", READER),  # a separate `grader check`, after the plant
        ("squatter", SQUATTER),
        ("filler", FILLER),
    ):
        path = tmp_path / f"{name}.py"
        path.write_text(source)
        done = check(mode, path)
        assert done.returncode == 1, done.stdout + done.stderr  # graded, not full marks
        assert "Traceback" not in done.stdout + done.stderr
        said += done.stdout
    assert_refused(said)
    honest_full_marks(mode)


def test_a_jobs_2_class_keeps_every_run_to_itself(mode: dict, tmp_path: Path) -> None:
    honest = SOLUTION.read_text(encoding="utf-8")
    students = {
        "a_honest": honest,
        "b_planter": PLANTER,
        "c_reader": READER,
        "d_squatter": SQUATTER,
        "e_filler": FILLER,
        "f_killer": KILLER,
        "g_victim": VICTIM,
        "h_honest": honest,
        "i_victim": VICTIM,
        "z_honest": honest,
    }
    (tmp_path / "class").mkdir()
    for name, source in students.items():
        (tmp_path / "class" / f"{name}.py").write_text(source)
    done = grader(
        mode,
        *("grade", "class", "--jobs", "2", "--timeout", "30", "--out", "out", "-f", "json"),
        *("--exercise", EXERCISE),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())["results"]
    by_student = {r["student"]: r for r in results}
    assert sorted(by_student) == sorted(students)
    for name in ("a_honest", "g_victim", "h_honest", "i_victim", "z_honest"):
        assert by_student[name]["score"] == by_student[name]["max_score"], by_student[name]
    said = json.dumps(results)
    assert_refused(said)
    killer = json.dumps(by_student["f_killer"])
    assert "KILLER killed 0" in killer, killer
    shutil.rmtree(tmp_path / "class")
