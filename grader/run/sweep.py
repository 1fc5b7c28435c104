"""After a run: remove what it may have left outside its own namespaces, found by its uid.

A run with a uid of its own (the grader is root) is found everywhere by that uid: its
processes, its System V IPC objects, its files in the machine's shared scratch folders. Only
uids the grader allocated for that run are ever swept. Folder trees are removed by
grader/run/tree.py (the fork server's own implementation): no depth or shape defeats it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from pathlib import Path

from grader.run.tree import remove_entry

SHARED_SCRATCH = ("/dev/shm", "/tmp", "/var/tmp")
_IPC_RMID = 0
_SWEEPS = 100  # a run cannot fork (RLIMIT_NPROC, a uid of its own); this is a bound, not a wait


def kill_uid(uid: int) -> None:
    """SIGKILL every live process whose real, effective or saved uid is `uid`."""
    for _ in range(_SWEEPS):
        found = _processes_of(uid)
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if not found:
            return


def _processes_of(uid: int) -> list[int]:
    # After every run, over every process of the machine: bytes and os.listdir, not pathlib
    # and text (that made this a third of the grader's own time per submission).
    found = []
    wanted = str(uid).encode()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{name}/status", "rb") as status:
                text = status.read()
            if wanted not in text:
                continue  # the uid is nowhere in it, so not among its uids
            fields = dict(line.split(b":", 1) for line in text.splitlines() if b":" in line)
            if fields[b"State"].split()[0] in (b"Z", b"X"):
                continue  # already dead, waiting for its parent to reap it
            if uid in (int(u) for u in fields[b"Uid"].split()[:3]):
                found.append(int(name))
    return found


def remove_ipc(uid: int) -> None:
    """Remove the shared memory segments, semaphore sets and message queues `uid` owns."""
    libc = ctypes.CDLL(None, use_errno=True)
    removers = {
        "shm": lambda ident: libc.shmctl(ident, _IPC_RMID, None),
        "sem": lambda ident: libc.semctl(ident, 0, _IPC_RMID),
        "msg": lambda ident: libc.msgctl(ident, _IPC_RMID, None),
    }
    for kind, remove in removers.items():
        with contextlib.suppress(OSError):
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
            header = lines[0].split()
            for line in lines[1:]:
                row = dict(zip(header, line.split(), strict=False))
                if str(uid) in (row.get("uid"), row.get("cuid")):
                    remove(int(row[header[1]]))  # shmid, semid or msqid


def remove_files_of(uid: int, folders: tuple[str, ...] = SHARED_SCRATCH) -> None:
    """Remove every entry `uid` owns at the top of the machine's shared scratch folders."""
    for folder in folders:
        with contextlib.suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            try:
                for entry in os.scandir(dir_fd):
                    with contextlib.suppress(OSError):
                        if entry.stat(follow_symlinks=False).st_uid == uid:
                            remove_entry(dir_fd, entry.name)
            finally:
                os.close(dir_fd)


def remove_tree(path: str | Path) -> None:
    """Remove what is at `path`, however deep, never following a link; nothing there is fine
    (a run may have removed or replaced its own folder: that must not fail the grader)."""
    path = Path(path)
    with contextlib.suppress(FileNotFoundError):
        parent = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            remove_entry(parent, path.name)
        finally:
            os.close(parent)
