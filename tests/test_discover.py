"""Tests for grader.batch.discover: both class layouts, and the unexpected reported per student."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from grader.batch.discover import Job, discover
from grader.errors import InputError
from grader.exercise import LoadedExercise

BACKPROP = "house-price-backprop"
STEP = "house-price-step"


@pytest.fixture
def make_class(tmp_path: Path) -> Callable[[dict[str, str | None]], Path]:
    """A class folder from {relative path: text}; a text of None makes an empty folder."""

    def make(entries: dict[str, str | None]) -> Path:
        root = tmp_path / "class"
        root.mkdir()
        for name, text in entries.items():
            path = root / name
            if text is None:
                path.mkdir(parents=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
        return root

    return make


def summary(jobs: list[Job], root: Path) -> list[tuple[str, str, str | None, str]]:
    return [
        (
            j.student,
            j.exercise.id,
            j.path.relative_to(root).as_posix() if j.path else None,
            j.problem,
        )
        for j in jobs
    ]


def test_a_folder_of_files_is_one_exercise(
    make_class: Callable[..., Path], bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    root = make_class({"bob.py": "b", "alice.py": "a", ".hidden.py": "h", ".git": None})
    jobs = discover(root, [bundled_exercise(BACKPROP)])
    assert summary(jobs, root) == [
        ("alice", BACKPROP, "alice.py", ""),
        ("bob", BACKPROP, "bob.py", ""),
    ]


def test_a_folder_of_folders_is_several_exercises(
    make_class: Callable[..., Path], bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    root = make_class(
        {
            f"alice/{BACKPROP}.py": "a1",
            f"alice/{STEP}.py": "a2",
            f"bob/{BACKPROP}.py": "b1",
            "bob/notes.txt": "n",
        }
    )
    jobs = discover(root, [bundled_exercise(BACKPROP), bundled_exercise(STEP)])
    assert summary(jobs, root) == [
        ("alice", BACKPROP, f"alice/{BACKPROP}.py", ""),
        ("alice", STEP, f"alice/{STEP}.py", ""),
        ("bob", BACKPROP, f"bob/{BACKPROP}.py", ""),
        ("bob", STEP, None, f"no {STEP}.py in bob/ (found: {BACKPROP}.py)"),
    ]


def test_notebooks_are_submissions_in_both_layouts(
    make_class: Callable[..., Path], bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    root = make_class(
        {
            "alice.ipynb": "{}",
            "bob.IPYNB": "{}",
            f"carol/{BACKPROP}.ipynb": "{}",
            f"carol/{STEP}.py": "c",
            "dave/work.ipynb": "{}",
            "erin.pdf": "e",
        }
    )
    jobs = discover(root, [bundled_exercise(BACKPROP)])
    assert summary(jobs, root)[:4] == [
        ("alice", BACKPROP, "alice.ipynb", ""),
        ("bob", BACKPROP, "bob.IPYNB", ""),
        ("carol", BACKPROP, f"carol/{BACKPROP}.ipynb", ""),
        ("dave", BACKPROP, "dave/work.ipynb", ""),
    ]
    assert "erin.pdf is not a submission" in jobs[4].problem


def test_with_one_exercise_a_folder_holding_one_file_is_accepted(
    make_class: Callable[..., Path], bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    root = make_class({"alice/my_backprop.py": "a", "bob/a.py": "1", "bob/b.py": "2"})
    jobs = discover(root, [bundled_exercise(BACKPROP)])
    assert summary(jobs, root) == [
        ("alice", BACKPROP, "alice/my_backprop.py", ""),
        ("bob", BACKPROP, None, f"no {BACKPROP}.py in bob/ (found: a.py, b.py)"),
    ]


def test_with_several_exercises_the_file_must_be_named(
    make_class: Callable[..., Path], bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    root = make_class({"alice/my_backprop.py": "a"})
    jobs = discover(root, [bundled_exercise(BACKPROP), bundled_exercise(STEP)])
    assert [j.path for j in jobs] == [None, None]
    assert jobs[0].problem == f"no {BACKPROP}.py in alice/ (found: my_backprop.py)"


@pytest.mark.parametrize(
    ("entries", "several", "problem"),
    [
        ({"empty": None}, False, "empty/ is empty"),
        ({"empty/.DS_Store": "x"}, False, "empty/ is empty"),
        ({"notes.txt": "x"}, False, "notes.txt is not a submission"),
        ({"alice.py": "a"}, True, "alice.py is a single file, but 2 exercises are graded"),
        ({"alice/sub": None}, False, f"no {BACKPROP}.py in alice/ (found: no .py file)"),
    ],
    ids=["empty-folder", "only-dotfiles", "stray-file", "single-file-two-exercises", "subfolder"],
)
def test_the_unexpected_is_a_problem_of_that_student(
    entries: dict[str, str | None],
    several: bool,
    problem: str,
    make_class: Callable[..., Path],
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    exercises = [bundled_exercise(BACKPROP)] + ([bundled_exercise(STEP)] if several else [])
    root = make_class({**entries, "zoe.py" if not several else f"zoe/{BACKPROP}.py": "z"})
    jobs = discover(root, exercises)
    assert len(jobs) == 2 * len(exercises)  # one per exercise for each entry, zoe included
    odd = jobs[0]
    assert odd.path is None
    assert odd.problem.startswith(problem)
    zoe = [j for j in jobs if j.student == "zoe"]
    assert zoe[0].path is not None


def test_an_empty_class_has_no_jobs(
    make_class: Callable[..., Path], bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    assert discover(make_class({}), [bundled_exercise(BACKPROP)]) == []


def test_a_missing_class_folder_is_an_input_error(
    tmp_path: Path, bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    with pytest.raises(InputError, match="no such folder of submissions"):
        discover(tmp_path / "nothere", [bundled_exercise(BACKPROP)])


def test_a_student_is_one_job_per_exercise_even_when_handed_in_twice(
    make_class: Callable[..., Path], bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    root = make_class({"alice.py": "a", f"alice/{BACKPROP}.py": "b"})
    jobs = discover(root, [bundled_exercise(BACKPROP)])
    assert [(j.student, j.exercise.id) for j in jobs] == [("alice", BACKPROP)]


def test_answers_files_are_submissions_named_by_their_stem(
    make_class: Callable[..., Path], bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    root = make_class({"alice.toml": "a", "bob.py": "b", f"carol/{STEP}.toml": "c"})
    jobs = discover(root, [bundled_exercise(STEP)])
    assert summary(jobs, root) == [
        ("alice", STEP, "alice.toml", ""),
        ("bob", STEP, "bob.py", ""),
        ("carol", STEP, f"carol/{STEP}.toml", ""),
    ]
