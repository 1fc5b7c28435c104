"""Tests for grader.worksheet.roster: which column of a roster CSV holds the student ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.errors import InputError
from grader.worksheet.roster import read_roster


@pytest.mark.parametrize(
    ("text", "students"),
    [
        ("name,student\nAlice A.,alice\nBob B.,bob\n", ["alice", "bob"]),
        ('"identifier","github_username"\n"A","alice-gh"\n', ["a"]),
        ("Name,GitHub_Username\nAlice,alice-gh\n", ["alice-gh"]),
        ("alice,Alice A.\nbob\n", ["alice", "bob"]),
        ("\ufeffstudent\n alice \n\nALICE\nbob\n", ["alice", "bob"]),
    ],
    ids=["student-column", "first-known-header", "header-case", "no-header", "trim-dedupe"],
)
def test_the_id_column_is_found(tmp_path: Path, text: str, students: list[str]) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    assert read_roster(path) == students


@pytest.mark.parametrize(
    ("text", "words"),
    [("student\n", "no student ids"), ("student\n../eve\n", "line 2"), ("", "no student ids")],
    ids=["header-only", "path-in-id", "empty"],
)
def test_a_roster_without_usable_ids_is_refused(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words):
        read_roster(path)


def test_a_missing_roster_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the roster"):
        read_roster(tmp_path / "nowhere.csv")


@pytest.mark.parametrize(
    ("text", "students"),
    [
        ("\ufeffstudent;name\nalice;Alice A.\n\nbob;Bob B.\n", ["alice", "bob"]),
        ("Name\tLogin\nAlice A.\talice\n", ["alice"]),
        ("name;student\nAlice, A.;alice\n", ["alice"]),
    ],
    ids=["semicolons", "tabs", "comma-inside-a-semicolon-row"],
)
def test_a_spreadsheets_other_separators_are_read(
    tmp_path: Path, text: str, students: list[str]
) -> None:
    # Excel writes ';' where the decimal separator is a comma; a copy from a sheet is tabs.
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    assert read_roster(path) == students


def test_an_endless_roster_is_refused(tmp_path: Path) -> None:
    # /dev/zero never ends: read whole, it would fill the memory before any message.
    with pytest.raises(InputError, match="larger than"):
        read_roster(Path("/dev/zero"))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("student\n" + "a" * 300 + "\n", "line 2: an id of 300 bytes"),
        ('student\nbob\n"alice\ncarol\n', "line 3"),  # an unclosed quote swallows the lines
    ],
    ids=["too-long-for-a-file-name", "line-break-in-an-id"],
)
def test_an_id_that_cannot_name_a_file_is_refused_with_its_line(
    tmp_path: Path, text: str, words: str
) -> None:
    # Each id names a worksheet file: 300 bytes was an internal error (File name too long),
    # a line break a file name with a newline in it.
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words):
        read_roster(path)
