"""Tests for grader.commands.student: `--student` and `--secret-file` on check, solve, explain,
through `main` as the command line runs them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from grader.cli import main
from grader.commands.student import WORKED_CASE_ONLY
from grader.errors import ExitCode
from grader.exercise import LoadedExercise
from grader.plan import cases
from grader.plan.cases import worked_case
from grader.plan.variants import GUESSABLE, student_variant
from grader.reference.export import solution

BY_HAND = "house-price-by-hand"
SECRET = "course secret"


pytestmark = pytest.mark.usefixtures("course_secret")


@pytest.fixture
def by_hand(bundled_exercise: Callable[[str], LoadedExercise]) -> LoadedExercise:
    return bundled_exercise(BY_HAND)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_check_grades_the_students_own_variant(
    capsys: pytest.CaptureFixture[str],
    by_hand: LoadedExercise,
    hand_answers_file: Callable[..., Path],
) -> None:
    alice = hand_answers_file(by_hand, "alice")
    code, out, err = run(capsys, "check", str(alice), "-e", BY_HAND, "--student", "alice")
    assert code == ExitCode.OK, out
    assert GUESSABLE not in err  # a secret is set
    code, out, _ = run(capsys, "check", str(alice), "-e", BY_HAND, "--student", "bob")
    assert code == ExitCode.FAILED
    code, out, _ = run(
        capsys, "check", str(alice), "-e", BY_HAND, "--student", "alice", "--format", "json"
    )
    assert json.loads(out)["variant"] == "alice"


def test_without_a_secret_the_grader_says_once_that_variants_are_guessable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADER_SECRET")
    code, _, err = run(capsys, "solve", BY_HAND, BY_HAND, "--student", "alice")
    assert code == ExitCode.OK
    assert err.count(GUESSABLE) == 1


def test_a_secret_file_is_read_and_trimmed(
    capsys: pytest.CaptureFixture[str],
    by_hand: LoadedExercise,
    tmp_path: Path,
    hand_answers_file: Callable[..., Path],
) -> None:
    alice = hand_answers_file(by_hand, "alice")  # with GRADER_SECRET = SECRET
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET + "\n")
    args = ["check", str(alice), "-e", BY_HAND, "--student", "alice"]
    assert run(capsys, *args, "--secret-file", str(secret_file))[0] == ExitCode.OK
    secret_file.write_text("another secret\n")  # it takes precedence over GRADER_SECRET
    assert run(capsys, *args, "--secret-file", str(secret_file))[0] == ExitCode.FAILED
    assert cases.course_secret() == SECRET.encode()  # only for the command that read it


@pytest.mark.parametrize("content", [None, "", " \n"], ids=["missing", "empty", "blank"])
def test_a_missing_or_empty_secret_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None
) -> None:
    secret_file = tmp_path / "secret.txt"
    if content is not None:
        secret_file.write_text(content)
    code, _, err = run(
        capsys, "solve", BY_HAND, "--student", "a", "--secret-file", str(secret_file)
    )
    assert code == ExitCode.USAGE
    assert str(secret_file) in err and "Traceback" not in err


def test_solve_gives_the_students_exact_values(
    capsys: pytest.CaptureFixture[str], by_hand: LoadedExercise
) -> None:
    code, out, _ = run(capsys, "solve", BY_HAND, "--student", "alice", "--format", "json")
    assert code == ExitCode.OK
    assert json.loads(out) == solution(student_variant(by_hand, "alice"))
    assert json.loads(out) != solution(by_hand)


def test_explain_works_the_students_variant(
    capsys: pytest.CaptureFixture[str], by_hand: LoadedExercise
) -> None:
    code, out, _ = run(capsys, "explain", BY_HAND, "--student", "alice")
    assert code == ExitCode.OK
    x = worked_case(student_variant(by_hand, "alice")).x
    assert f"x = [{x[0]:g}, {x[1]:g}]" in out
    assert np.all(x != worked_case(by_hand).x)


def test_without_student_an_exercise_with_variants_says_it_is_the_worked_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "solve", BY_HAND, "--format", "json")
    assert code == ExitCode.OK and f"note: {BY_HAND} {WORKED_CASE_ONLY}" in err
    assert run(capsys, "solve", "house-price-step")[2] == ""


def test_an_endless_secret_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # /dev/zero never ends: reading all of it would fill the memory before any message.
    code, _, err = run(capsys, "solve", BY_HAND, "--student", "a", "--secret-file", "/dev/zero")
    assert code == ExitCode.USAGE
    assert "/dev/zero" in err and "Traceback" not in err
