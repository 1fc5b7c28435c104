"""Removing what a run wrote: no recursion, no path longer than a name, no link followed.

The one implementation, used by the fork server (grader/run/zygote.py, which imports it from
beside itself) and by the grader's sweep after a run (grader/run/sweep.py). Child-side like
zygote.py: stdlib only, imports nothing from the grader.
"""

import contextlib
import os
import stat

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def _open_folder(name, parent):
    try:
        fd = os.open(name, _DIR, dir_fd=parent)
    except PermissionError:
        if not hasattr(os, "O_PATH"):
            raise
        # A folder its owner made unreadable: give the owner its rights back, through a handle
        # on that very folder (never a path that a link could redirect).
        handle = os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
        try:
            os.chmod(f"/proc/self/fd/{handle}", 0o700)
        finally:
            os.close(handle)
        fd = os.open(name, _DIR, dir_fd=parent)
    if os.fstat(fd).st_mode & 0o700 != 0o700:
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o700)  # its entries can be removed only from a writable folder
    return fd


def _clear(fd):
    """Unlink every entry of the open folder but its folders; return the folders' names."""
    with os.scandir(fd) as entries:
        names = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
    folders = []
    for name, is_folder in names:
        if is_folder:
            folders.append(name)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=fd)
    return folders


def _identity(fd):
    info = os.fstat(fd)
    return info.st_dev, info.st_ino


def empty(path, parent=None):
    """Remove everything inside the folder `path` (relative to the open folder `parent`, if
    given), however deep.

    One folder is open at a time, each opened by name relative to its parent, and the way back
    up is '..' checked against the folder we came from: a 3000-deep tree, paths far beyond
    PATH_MAX and links anywhere cost nothing special, and nothing outside `path` is touched.
    """
    fd = _open_folder(path, parent)
    pending = _clear(fd)
    above = []  # (identity, pending folders, name of the folder below) per level
    try:
        while True:
            if pending:
                name = pending.pop()
                try:
                    below = _open_folder(name, fd)
                except FileNotFoundError:
                    continue
                above.append((_identity(fd), pending, name))
                os.close(fd)
                fd, pending = below, _clear(below)
                continue
            if not above:
                return
            identity, pending, name = above.pop()
            up = os.open("..", _DIR, dir_fd=fd)
            os.close(fd)
            fd = up
            if _identity(fd) != identity:
                raise OSError(f"{path}: a folder moved while it was being removed")
            os.rmdir(name, dir_fd=fd)
    finally:
        os.close(fd)


def remove_tree(path):
    """`empty(path)`, then the folder itself."""
    empty(path)
    os.rmdir(path)


def remove_entry(parent, name):
    """Remove `name` in the open folder `parent`: a file (or link) at once, a folder whole."""
    if not stat.S_ISDIR(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode):
        os.unlink(name, dir_fd=parent)
        return
    empty(name, parent)
    os.rmdir(name, dir_fd=parent)
