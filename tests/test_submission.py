"""Tests for grader.submission: no link anywhere on the way, regular files only, a size cap,
read once; and grader.pipeline.find_submission, which reads through it."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.errors import SubmissionNotFound, SubmissionRefused
from grader.exercise import LoadedExercise
from grader.pipeline import find_submission
from grader.submission import MAX_BYTES, read_submission, read_trusted

SOURCE = b"def backward(params, x, y):\n    return {}\n"
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux paths")


def test_a_file_is_read_once_and_hashed_from_those_bytes(tmp_path: Path) -> None:
    path = tmp_path / "alice.py"
    path.write_bytes(SOURCE)
    read = read_submission(path)
    assert (read.path, read.data) == (path, SOURCE)
    assert read.digest == hashlib.sha256(SOURCE).hexdigest()


def test_a_relative_path_is_read_from_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "alice.py").write_bytes(SOURCE)
    monkeypatch.chdir(tmp_path)
    assert read_submission(Path("alice.py")).data == SOURCE


def test_a_link_to_the_model_solution_is_refused(tmp_path: Path) -> None:
    solution = Path(__file__).resolve().parent.parent / "solutions" / "house-price-backprop.py"
    link = tmp_path / "alice.py"
    link.symlink_to(solution)
    with pytest.raises(SubmissionRefused, match=r"alice\.py: is a symbolic link"):
        read_submission(link)


def test_a_link_anywhere_on_the_way_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "alice.py").write_bytes(SOURCE)
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    with pytest.raises(SubmissionRefused, match="linked: is a symbolic link"):
        read_submission(tmp_path / "linked" / "alice.py")


def test_below_a_root_only_the_root_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "alice").mkdir(parents=True)
    (real / "alice" / "x.py").write_bytes(SOURCE)
    (tmp_path / "class").symlink_to(real, target_is_directory=True)
    root = tmp_path / "class"
    assert read_submission(root / "alice" / "x.py", root).data == SOURCE
    (real / "bob").symlink_to(real / "alice", target_is_directory=True)
    with pytest.raises(SubmissionRefused, match="bob: is a symbolic link"):
        read_submission(root / "bob" / "x.py", root)


@linux
@pytest.mark.parametrize("target", ["/proc/self/pagemap", "/dev/zero", "/proc/self/environ"])
def test_a_link_to_a_kernel_or_device_file_is_refused(tmp_path: Path, target: str) -> None:
    link = tmp_path / "alice.py"
    link.symlink_to(target)
    with pytest.raises(SubmissionRefused, match="symbolic link"):
        read_submission(link)


@linux
@pytest.mark.parametrize("path", ["/proc/self/status", "/dev/null"])
def test_kernel_and_device_files_are_refused_even_named_directly(path: str) -> None:
    with pytest.raises(SubmissionRefused):
        read_submission(Path(path))


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "alice.py"
    os.mkfifo(fifo)
    with pytest.raises(SubmissionRefused, match=r"a named pipe \(FIFO\), not a regular file"):
        read_submission(fifo)


def test_a_file_over_the_cap_is_refused_with_the_size(tmp_path: Path) -> None:
    path = tmp_path / "alice.py"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(SubmissionRefused, match="larger than 1024 KiB"):
        read_submission(path)
    path.write_bytes(b"#" * MAX_BYTES)
    assert len(read_submission(path).data) == MAX_BYTES


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(SubmissionNotFound, match="no such submission file"):
        read_submission(tmp_path / "nowhere.py")


def test_an_instructors_file_may_be_a_link(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_bytes(SOURCE)
    (tmp_path / "solution.py").symlink_to(tmp_path / "real.py")
    assert read_trusted(tmp_path / "solution.py").data == SOURCE


# --- find_submission: a file, or a folder holding one --------------------------------------------


def test_a_folder_that_is_a_link_is_refused(
    tmp_path: Path, bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    classmate = tmp_path / "classmate"
    classmate.mkdir()
    (classmate / "house-price-backprop.py").write_bytes(SOURCE)
    (tmp_path / "mine").symlink_to(classmate, target_is_directory=True)
    with pytest.raises(SubmissionRefused, match="mine: is a symbolic link"):
        find_submission(tmp_path / "mine", bundled_exercise("house-price-backprop"))


def test_a_linked_file_in_a_folder_is_refused(
    tmp_path: Path, bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    (tmp_path / "real.py").write_bytes(SOURCE)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "house-price-backprop.py").symlink_to(tmp_path / "real.py")
    with pytest.raises(SubmissionRefused, match="symbolic link"):
        find_submission(tmp_path / "mine", bundled_exercise("house-price-backprop"))


def test_a_folder_holding_one_file_gives_its_bytes(
    tmp_path: Path, bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "work.py").write_bytes(SOURCE)
    read = find_submission(tmp_path / "mine", bundled_exercise("house-price-backprop"))
    assert (read.path, read.data) == (tmp_path / "mine" / "work.py", SOURCE)
