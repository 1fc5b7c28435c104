"""Read a submission safely: through no symbolic link, regular files only, size-capped, once.

The grader reads a submission with its own rights, before any sandbox exists, so a path the
student controls must not lead it anywhere else: a link to the model solution or to a
classmate's folder, a FIFO that never ends, /proc/self/pagemap. Every folder on the way is
opened relative to the previous one with O_NOFOLLOW, the file last; what is read once is what
is hashed, seeded and run (`Submission.data`).

`root` is the one part of a path that is followed as given: the class folder the operator named
in `grader grade`. For `grader check` there is none: the whole path must be free of links.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionNotFound, SubmissionRefused

MAX_BYTES = 1024 * 1024  # far above any hand-written backpropagation

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_COMMON = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_SAFE_OPEN = bool(_NOFOLLOW) and os.open in os.supports_dir_fd


@dataclass(frozen=True)
class Submission:
    path: Path  # the file graded, as the reports name it
    data: bytes  # exactly the bytes run, seeded and hashed

    @functools.cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@functools.cache
def _pseudo_devices() -> frozenset[int]:
    """Devices of /proc and /sys: their 'regular files' are views of the kernel."""
    devices = set()
    for folder in ("/proc", "/sys"):
        with contextlib.suppress(OSError):
            devices.add(os.stat(folder).st_dev)
    return frozenset(devices)


def _kind(mode: int) -> str:
    for test, name in [
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ]:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def _refuse_link(shown: Path) -> SubmissionRefused:
    return SubmissionRefused(
        f"{shown}: is a symbolic link; a submission is read only through real folders and "
        "files, never through a link (give the path of what it points to if it is yours)"
    )


def _lstat(name: str, dir_fd: int | None, shown: Path) -> os.stat_result:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        raise SubmissionNotFound(f"{shown}: no such submission file or folder") from None
    except OSError as exc:
        raise SubmissionRefused(f"{shown}: cannot be read ({exc.strerror})") from None


def _open_below(dir_fd: int | None, name: str, shown: Path, folder: bool) -> int:
    """Open `name` in the folder `dir_fd` (None: the working folder) without following links."""
    info = _lstat(name, dir_fd, shown)
    if stat.S_ISLNK(info.st_mode):
        raise _refuse_link(shown)
    wanted = stat.S_ISDIR if folder else stat.S_ISREG
    if not wanted(info.st_mode):
        what = "a folder" if folder else "a regular file"
        raise SubmissionRefused(f"{shown}: is {_kind(info.st_mode)}, not {what}")
    flags = _COMMON | _NOFOLLOW | (_DIRECTORY if folder else getattr(os, "O_NONBLOCK", 0))
    try:
        fd = os.open(name, flags, dir_fd=dir_fd) if _SAFE_OPEN else os.open(name, flags)
    except OSError as exc:  # swapped for a link since the lstat: still refused, never followed
        raise SubmissionRefused(f"{shown}: cannot be opened ({exc.strerror})") from None
    now = os.fstat(fd)
    if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino) or now.st_dev in _pseudo_devices():
        os.close(fd)
        raise SubmissionRefused(f"{shown}: changed while it was opened, or is a kernel file")
    return fd


def _start(path: Path, root: Path | None) -> tuple[int, Path, tuple[str, ...]]:
    """The folder to walk from (followed as given) and the names below it."""
    if root is not None:
        try:
            below = path.relative_to(root).parts
        except ValueError:
            raise SubmissionRefused(f"{path}: is not inside {root}") from None
        return os.open(root, _COMMON | _DIRECTORY), root, below
    if path.is_absolute():
        return os.open(path.anchor, _COMMON | _DIRECTORY), Path(path.anchor), path.parts[1:]
    return os.open(".", _COMMON | _DIRECTORY), Path(), path.parts


@contextlib.contextmanager
def _walk(path: Path, root: Path | None, last_is_folder: bool) -> Iterator[int]:
    """An open descriptor of `path`, every name below `root` opened without following links."""
    if not _SAFE_OPEN:  # no dir_fd (Windows): refuse links by lstat, racy but never followed
        for prefix in [path, *path.parents]:
            if prefix == root:
                break  # the class folder and above are followed as given
            if prefix.is_symlink():
                raise _refuse_link(prefix)
        nonblocking = getattr(os, "O_NONBLOCK", 0)  # a FIFO must not hang the grader
        fd = os.open(path, _COMMON | (_DIRECTORY if last_is_folder else nonblocking))
    else:
        fd, shown, names = _start(path, root)
        for index, name in enumerate(names):
            shown = shown / name
            folder = last_is_folder or index < len(names) - 1
            try:
                fd_next = _open_below(fd, name, shown, folder)
            finally:
                os.close(fd)
            fd = fd_next
    try:
        yield fd
    finally:
        os.close(fd)


def _read(fd: int, shown: Path, limit: int) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise SubmissionRefused(f"{shown}: is {_kind(info.st_mode)}, not a regular file")
    too_big = SubmissionRefused(
        f"{shown}: is larger than {limit // 1024} KiB; a submission is a hand-written program"
    )
    if info.st_size > limit:
        raise too_big
    chunks, size = [], 0
    while chunk := os.read(fd, min(65536, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:  # a file that grew, or a kernel file that lies about its size
            raise too_big
    return b"".join(chunks)


def read_submission(path: Path, root: Path | None = None, limit: int = MAX_BYTES) -> Submission:
    """The bytes of one submission file, read once; SubmissionNotFound / Refused otherwise."""
    with _walk(path, root, last_is_folder=False) as fd:
        return Submission(path, _read(fd, path, limit))


def read_trusted(path: Path, limit: int = MAX_BYTES) -> Submission:
    """An instructor's file (a model solution): links followed, still a capped regular file."""
    try:
        fd = os.open(path, _COMMON | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise SubmissionNotFound(f"{path}: no such file") from None
    except OSError as exc:
        raise SubmissionRefused(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return Submission(path, _read(fd, path, limit))
    finally:
        os.close(fd)


def folder_names(path: Path, root: Path | None = None) -> list[str]:
    """The names in a submission folder (the folder itself reached without links)."""
    with _walk(path, root, last_is_folder=True) as fd:
        if os.scandir in os.supports_fd:
            with os.scandir(fd) as entries:
                return sorted(entry.name for entry in entries)
        return sorted(os.listdir(path))


def is_folder(path: Path) -> bool:
    """Whether `path` is a real folder (a link to one is not)."""
    return path.is_dir() and not path.is_symlink()
