"""Tests for grader.exercise.finding: exercises come only from where the person running the
grader said (--exercises, GRADER_EXERCISES, the bundled ones), never from the working folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.errors import InputError
from grader.exercise import finding
from grader.exercise.finding import (
    find_exercise,
    find_solution,
    list_entries,
    looks_like_path,
    search_path,
    use_folders,
)

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "exercises"
EXERCISE = "house-price-backprop"


@pytest.fixture(autouse=True)
def clean_search_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(finding.ENV, raising=False)
    use_folders(())
    yield
    use_folders(())


def course(folder: Path, *ids: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for exercise_id in ids:
        shutil.copyfile(BUNDLED / f"{EXERCISE}.toml", folder / f"{exercise_id}.toml")
    return folder


def test_the_working_folder_is_never_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An upload graded from inside itself: its own exercises/ folder, and a bare file named
    # like the id. Neither is the exercise.
    course(tmp_path / "exercises", EXERCISE)
    (tmp_path / EXERCISE).write_text('id = "forged"\n')
    monkeypatch.chdir(tmp_path)
    assert find_exercise(EXERCISE) == finding.bundled_dir("exercises") / f"{EXERCISE}.toml"
    assert all(f.origin == "bundled" for f in search_path())


@pytest.mark.parametrize(
    ("text", "is_path"),
    [
        (EXERCISE, False),
        ("house-price-backprop.toml", True),
        ("exercises/house-price-backprop", True),
        ("./house-price-backprop", True),
        ("course/", True),
    ],
    ids=["id", "toml", "folder-and-name", "dot-slash", "trailing-slash"],
)
def test_an_argument_is_a_path_only_when_it_looks_like_one(text: str, is_path: bool) -> None:
    assert looks_like_path(text) is is_path


def test_a_path_that_is_not_there_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such exercise file"):
        find_exercise(str(tmp_path / "nowhere.toml"))


def test_the_search_order_is_command_line_then_environment_then_bundled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = course(tmp_path / "first", EXERCISE, "only-first")
    second = course(tmp_path / "second", EXERCISE, "only-second")
    env = course(tmp_path / "env", EXERCISE, "only-env")
    monkeypatch.setenv(finding.ENV, os.pathsep.join(["", str(env), str(tmp_path / "none")]))
    use_folders([first, second])
    assert [(f.origin, f.path) for f in search_path()] == [
        ("--exercises", first),
        ("--exercises", second),
        ("GRADER_EXERCISES", env),
        ("bundled", finding.bundled_dir("exercises")),
    ]
    assert find_exercise(EXERCISE) == first / f"{EXERCISE}.toml"
    assert find_exercise("only-env") == env / "only-env.toml"
    (entry,) = [e for e in list_entries() if e.id == EXERCISE]
    assert (entry.origin, entry.path) == ("--exercises", first / f"{EXERCISE}.toml")
    assert [(s.origin, s.path.parent) for s in entry.shadows] == [
        ("--exercises", second),
        ("GRADER_EXERCISES", env),
        ("bundled", finding.bundled_dir("exercises")),
    ]


def test_an_empty_environment_entry_is_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course(tmp_path, "mine")
    course(tmp_path / "mine", "mine")  # a folder named like the id: a hint, never a match
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(finding.ENV, os.pathsep)
    with pytest.raises(InputError, match=r"unknown exercise 'mine' .*write \./mine"):
        find_exercise("mine")


def test_an_unknown_id_suggests_a_near_miss() -> None:
    with pytest.raises(InputError, match="did you mean 'house-price-backprop'"):
        find_exercise("house-price-backprob")


@pytest.mark.parametrize("layout", ["beside", "solutions-folder", "missing"])
def test_a_model_solution_is_beside_the_toml_or_in_solutions(tmp_path: Path, layout: str) -> None:
    toml = course(tmp_path / "exercises", "mine") / "mine.toml"
    beside = tmp_path / "exercises" / "mine.py"
    other = tmp_path / "solutions" / "mine.py"
    if layout == "beside":
        beside.write_text("")
        other.parent.mkdir()
        other.write_text("")  # beside the TOML wins
    elif layout == "solutions-folder":
        other.parent.mkdir()
        other.write_text("")
    expected = {"beside": beside, "solutions-folder": other, "missing": other}[layout]
    assert find_solution(toml, "mine") == expected


def test_a_declared_solution_path_is_relative_to_the_toml(tmp_path: Path) -> None:
    toml = course(tmp_path / "exercises", "mine") / "mine.toml"
    (tmp_path / "exercises" / "mine.py").write_text("")
    assert find_solution(toml, "mine", "keys/answer.py") == tmp_path / "exercises/keys/answer.py"
