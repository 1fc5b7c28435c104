"""After a run: remove what it may have left outside its own namespaces, found by its uid.

A run with a uid of its own (the grader is root) is found everywhere by that uid: its
processes, its System V IPC objects, its files in the machine's shared scratch folders. Only
uids the grader allocated for that run are ever swept. Folder trees are removed iteratively
and relative to open folders, so no depth or shape of tree defeats the removal.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import stat
from pathlib import Path

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
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = dict(
                line.split(":", 1) for line in (entry / "status").read_text().splitlines()
            )
            if fields["State"].split()[0] in ("Z", "X"):
                continue  # already dead, waiting for its parent to reap it
            if uid in (int(u) for u in fields["Uid"].split()[:3]):
                found.append(int(entry.name))
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
                            _remove_entry(dir_fd, entry.name)
            finally:
                os.close(dir_fd)


def remove_tree(path: str | Path) -> None:
    """Remove a folder and everything in it, however deep, without following any link."""
    path = Path(path)
    with contextlib.suppress(FileNotFoundError):
        parent = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            _remove_entry(parent, path.name)
        finally:
            os.close(parent)


def _remove_entry(dir_fd: int, name: str) -> None:
    """Remove `name` in `dir_fd`: a file at once, a folder depth-first with one fd open at
    a time (the names on the way down are the only stack)."""
    if not stat.S_ISDIR(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode):
        os.unlink(name, dir_fd=dir_fd)
        return
    names: list[str] = []
    current = _enter(dir_fd, name)
    while True:
        child = _empty_out(current)
        if child is not None:  # a folder inside: go down into it
            names.append(child)
            below = _enter(current, child)
            os.close(current)
            current = below
            continue
        up = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=current)
        os.close(current)
        if not names:
            os.close(up)
            os.rmdir(name, dir_fd=dir_fd)
            return
        os.rmdir(names.pop(), dir_fd=up)
        current = up


def _enter(dir_fd: int, name: str) -> int:
    # A grader that is not root cannot list or empty a folder the run made mode 0. The run is
    # dead by now, so `name` is still the folder scandir saw, never a link put in its place.
    with contextlib.suppress(OSError):
        os.chmod(name, 0o700, dir_fd=dir_fd)
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)


def _empty_out(dir_fd: int) -> str | None:
    """Unlink every non-folder in `dir_fd`; return one folder left inside, or None."""
    folder = None
    for entry in os.scandir(dir_fd):
        if entry.is_dir(follow_symlinks=False):
            folder = folder or entry.name
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.name, dir_fd=dir_fd)
    return folder
