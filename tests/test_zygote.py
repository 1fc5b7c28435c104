"""The clean-up (grader/run/tree.py, used by the fork server and the sweep): no folder shape
defeats it.

`empty` and `remove_tree` are tested here in-process; the server using them after a hostile run
is tested in tests/test_worker.py.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.run.tree import empty, remove_tree

if not sys.platform.startswith("linux"):
    pytest.skip(
        "fd-relative clean-up is tested where the fork server runs", allow_module_level=True
    )


def deep(top: Path, levels: int, name: str = "d") -> None:
    """A chain of `levels` folders under `top`, one file per level, built with relative paths
    (an absolute path to the bottom would be longer than PATH_MAX)."""
    here = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=here)
            below = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=here)
            os.close(here)
            here = below
            fd = os.open("file", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here)
            os.close(fd)
    finally:
        os.close(here)


@pytest.fixture
def memory_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a tmpfs where there is one (each rmdir on a busy disk costs milliseconds)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(dir=shm, prefix="grader-test-"))
    yield folder
    with contextlib.suppress(OSError):
        remove_tree(str(folder))


def test_a_3000_deep_tree_past_path_max_is_emptied(memory_folder: Path) -> None:
    top = memory_folder / "top"
    top.mkdir()
    deep(top, 3000, name="dd")  # "dd/" 3000 times: 9000 characters
    empty(str(top))
    assert top.is_dir() and list(top.iterdir()) == []


def test_links_are_removed_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    top = tmp_path / "top"
    (top / "a").mkdir(parents=True)
    (top / "to-folder").symlink_to(outside)
    (top / "a" / "to-file").symlink_to(outside / "keep.txt")
    (top / "a" / "dangling").symlink_to(tmp_path / "nothing")
    remove_tree(str(top))
    assert not top.exists()
    assert (outside / "keep.txt").read_text() == "keep"


def test_folders_made_unreadable_or_unwritable_are_removed(tmp_path: Path) -> None:
    top = tmp_path / "top"
    (top / "locked" / "inner").mkdir(parents=True)
    (top / "locked" / "inner" / "file").write_text("x")
    (top / "readonly").mkdir()
    (top / "readonly" / "file").write_text("x")
    (top / "readonly").chmod(0o500)
    (top / "locked" / "inner").chmod(0)
    (top / "locked").chmod(0)
    empty(str(top))
    assert list(top.iterdir()) == []


def test_a_wide_folder_is_emptied(memory_folder: Path) -> None:
    top = memory_folder / "top"
    top.mkdir()
    for n in range(2000):
        (top / f"f{n}").mkdir()
        (top / f"f{n}" / "x").write_text("")
    empty(str(top))
    assert list(top.iterdir()) == []


def test_a_file_where_a_folder_is_expected_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError):
        empty(str(tmp_path / "file"))
