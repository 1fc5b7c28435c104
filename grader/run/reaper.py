"""Kill a child and every process it started, including ones that left its process group.

In the sandbox the PID namespace takes every process down with the child. Without it, an
escaped process is found two ways: by the run's marker in its initial environment, and, on
Linux, because the grader is a child subreaper: an orphan is re-parented to the grader
instead of init, so any child of ours that we did not start ourselves is a survivor.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import threading
from pathlib import Path

_PR_SET_CHILD_SUBREAPER = 36
_started: set[int] = set()  # pids of the processes we started and still supervise
_lock = threading.Lock()


def _become_subreaper() -> None:
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def start(argv: list[str], adopt_orphans: bool, **popen) -> subprocess.Popen:
    """Popen, recorded as ours before any sweep can see it (sweeps hold the same lock).

    `adopt_orphans` (no sandbox): become a child subreaper, so that escaped processes come
    back to us; with the sandbox the PID namespace already takes care of them.
    """
    with _lock:
        if adopt_orphans:
            _become_subreaper()
        proc = subprocess.Popen(argv, **popen)
        _started.add(proc.pid)
        return proc


def forget(proc: subprocess.Popen) -> None:
    with _lock:
        _started.discard(proc.pid)


def _stat(entry: Path) -> list[str]:
    return (entry / "stat").read_text().rsplit(")", 1)[1].split()


def _survivors(marker: str) -> list[int]:
    """Marked processes, and our children that we did not start (orphans of a run)."""
    needle, me, found = f"GRADER_RUN={marker}".encode(), os.getpid(), []
    for entry in Path("/proc").glob("[0-9]*"):
        pid = int(entry.name)
        with contextlib.suppress(OSError, IndexError, ValueError):
            marked = needle in (entry / "environ").read_bytes().split(b"\0")
            if marked or (int(_stat(entry)[1]) == me and pid not in _started):
                found.append(pid)
    return [pid for pid in found if pid != me]


def kill_tree(proc: subprocess.Popen, marker: str) -> None:
    """SIGKILL the child's process group, then every survivor (a bounded number of sweeps)."""
    with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
    if not Path("/proc/self/stat").exists():
        return
    for _ in range(50):
        with _lock:
            survivors = _survivors(marker)
            for pid in survivors:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError, OSError):
                    os.waitpid(pid, os.WNOHANG)  # a re-parented orphan is ours to reap
        if not survivors:
            return
