"""The run's seccomp filter (grader/run/seccomp.py): every denied call fails with EPERM (clone3
with ENOSYS), everything an honest submission does still works.

seccomp.py is a child-side script: it is loaded by path, and installed only in fresh
interpreters (a filter cannot be removed from the process that installs it).
"""

from __future__ import annotations

import importlib.util
import signal
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SECCOMP = Path(__file__).resolve().parent.parent / "grader" / "run" / "seccomp.py"
spec = importlib.util.spec_from_file_location("seccomp_under_test", SECCOMP)
seccomp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seccomp)

ARCH = seccomp.machine()
SUPPORTED = sys.platform.startswith("linux") and ARCH in seccomp._DENIED
needs_filter = pytest.mark.skipif(not SUPPORTED, reason=f"no seccomp table for {ARCH}")
REQUIRED = {
    "add_key", "request_key", "keyctl",
    "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl",
    "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend",
    "mq_timedreceive", "mq_notify", "mq_getsetattr",
    "ptrace", "process_vm_readv", "process_vm_writev", "unshare", "setns",
    "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsmount", "move_mount", "open_tree",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open",
    "userfaultfd", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "reboot", "swapon", "swapoff", "acct", "quotactl",
}  # fmt: skip


def filtered(body: str) -> subprocess.CompletedProcess:
    """A fresh interpreter that installs the filter, then runs `body`."""
    script = (
        f"import ctypes, os, sys\nsys.path.insert(0, {str(SECCOMP.parent)!r})\n"
        "import numpy as np\nimport seccomp\nseccomp.install()\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n" + textwrap.dedent(body)
    )
    env = {"OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, timeout=60, env=env
    )


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_both_tables_deny_what_the_issue_lists(arch: str) -> None:
    assert set(seccomp._DENIED[arch]) >= REQUIRED
    assert len(set(seccomp._DENIED[arch].values())) == len(seccomp._DENIED[arch])


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_every_jump_fits_and_lands_on_a_return(arch: str) -> None:
    program = seccomp._program(arch)
    assert len(program) < 256
    for at, (code, jt, jf, _) in enumerate(program):
        if code in (seccomp._JEQ, seccomp._JGE, seccomp._JSET):
            for offset in (jt, jf):
                assert at + 1 + offset < len(program)
    assert program[-1][0] == seccomp._RET


@needs_filter
def test_the_filter_is_compiled_once_when_the_module_loads() -> None:
    """A fork server loads the module once; its runs install what it compiled then."""
    prog, buffer = seccomp._COMPILED[ARCH]
    packed = b"".join(struct.pack("=HBBI", *op) for op in seccomp._program(ARCH))
    assert prog.len == len(seccomp._program(ARCH)) and buffer.raw == packed


def test_an_unknown_architecture_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seccomp, "machine", lambda: "mips")
    with pytest.raises(OSError, match="no seccomp table for mips"):
        seccomp.install()  # refused before anything is installed in this process


@needs_filter
def test_every_denied_call_fails_with_eperm_and_nothing_else() -> None:
    table = seccomp._DENIED[ARCH]
    run = filtered(
        f"""
        for name, nr in sorted({table!r}.items()):
            result = libc.syscall(nr, 0, 0, 0, 0, 0, 0)
            print(name, result, ctypes.get_errno())
        """
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == len(table)
    assert [line for line in lines if not line.endswith(" -1 1")] == []


@needs_filter
def test_clone3_is_enosys_and_clone_into_a_namespace_is_eperm() -> None:
    clone = seccomp._CLONE[ARCH]
    run = filtered(
        f"""
        print("clone3", libc.syscall(435, 0, 0), ctypes.get_errno())
        for flag in (0x00020000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
            print("clone", libc.syscall({clone}, flag | 17, 0, 0, 0, 0), ctypes.get_errno())
        """
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "clone3 -1 38"
    assert lines[1:] == ["clone -1 1"] * 5


@needs_filter
def test_honest_work_goes_on_numpy_threads_fork_files() -> None:
    run = filtered(
        """
        import threading, tempfile
        print("solve", round(float(np.linalg.solve(np.eye(3) * 2, np.ones(3)).sum()), 3))
        box = []
        worker = threading.Thread(target=lambda: box.append(1))
        worker.start(); worker.join()
        print("thread", box)
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        print("fork", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        with tempfile.TemporaryFile() as f:
            f.write(b"x"); f.seek(0); print("file", f.read())
        """
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["solve", "1.5", "thread", "[1]", "fork", "7", "file", "b'x'"]


@pytest.mark.skipif(ARCH != "x86_64" or not SUPPORTED, reason="x32 exists only on x86_64")
def test_an_x32_call_kills_the_process() -> None:
    run = filtered("libc.syscall(0x40000000 | 39)\nprint('survived')\n")  # x32 getpid
    assert run.returncode == -signal.SIGSYS
    assert "survived" not in run.stdout
