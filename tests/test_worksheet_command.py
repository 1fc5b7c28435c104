"""Tests for grader.commands.worksheet: `grader worksheet` for one student or a roster."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.cli import main
from grader.errors import ExitCode
from grader.plan.variants import GUESSABLE

BY_HAND = "house-price-by-hand"


pytestmark = pytest.mark.usefixtures("course_secret")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["worksheet", "-e", BY_HAND, *args])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_one_students_worksheet_goes_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--student", "alice")
    assert code == ExitCode.OK and err == ""
    assert out.startswith(f"# {BY_HAND}") and "Worksheet of **alice**" in out
    assert run(capsys, "--student", "bob")[1] != out
    assert run(capsys, "--student", "alice")[1] == out


def test_a_roster_writes_one_worksheet_per_student(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,student\nAlice,alice\nBob,bob\n")
    out = tmp_path / "sheets"
    code, _, err = run(capsys, "--roster", str(roster), "--out", str(out), "--format", "html")
    assert code == ExitCode.OK, err
    assert sorted(p.name for p in out.iterdir()) == ["alice.html", "bob.html"]
    assert "Worksheet of <strong>bob</strong>" in (out / "bob.html").read_text()
    assert "wrote 2 worksheets" in err


def test_without_a_secret_it_says_so_once_for_a_whole_roster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADER_SECRET")
    roster = tmp_path / "roster.csv"
    roster.write_text("alice\nbob\ncarol\n")
    code, _, err = run(capsys, "--roster", str(roster), "--out", str(tmp_path / "out"))
    assert code == ExitCode.OK and err.count(GUESSABLE) == 1


@pytest.mark.parametrize(
    "args", [[], ["--student", "a", "--roster", "r.csv"]], ids=["none", "both"]
)
def test_one_of_student_and_roster_is_needed(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, _, err = run(capsys, *args)
    assert code == ExitCode.USAGE and "--student ID or --roster CSV" in err


@pytest.mark.parametrize("where", ["file/sheets", "taken"], ids=["under-a-file", "a-folder-there"])
def test_a_worksheet_that_cannot_be_written_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
) -> None:
    # --out under a file, or a folder where alice.md goes: an internal error (exit 3) before.
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nalice\n")
    (tmp_path / "file").write_text("")
    (tmp_path / "taken" / "alice.md").mkdir(parents=True)
    code, _, err = run(capsys, "--roster", str(roster), "--out", str(tmp_path / where))
    assert code == ExitCode.USAGE and "cannot write" in err and "Traceback" not in err
