"""A roster: the CSV file of student ids that `grader worksheet --roster` writes one sheet for.

Which column holds the ids: the first whose header (first row) is one of HEADERS, whatever its
case (GitHub Classroom's `identifier` or `github_username`, a spreadsheet's `student`); when no
header of the first row is one of them, the file has no header and the ids are its first column.
Cells are separated by commas, or by the semicolons or tabs of a spreadsheet's export
(whichever the first line uses). Empty cells are skipped, and a student listed twice gets one
sheet. An id becomes a file name, so one that cannot be (a `/`, a line break, a leading `.`,
more than 200 bytes) is refused with its line.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from grader.errors import InputError
from grader.plan.variants import student_id

MAX_ID_BYTES = 200
MAX_ROSTER_CHARS = 4 * 1024 * 1024  # a class of 100,000 ids with their names fits
HEADERS = ("student", "student_id", "id", "identifier", "github_username", "username", "login")


def _column(header: list[str]) -> int | None:
    names = [cell.strip().casefold() for cell in header]
    for wanted in HEADERS:
        if wanted in names:
            return names.index(wanted)
    return None


def _safe(student: str, path: Path, line: int) -> str:
    size = len(student.encode())
    if size > MAX_ID_BYTES:  # with ".html", past what a file name may be on most systems
        raise InputError(
            f"{path}: line {line}: an id of {size} bytes cannot be a file name "
            f"(at most {MAX_ID_BYTES})"
        )
    control = any(unicodedata.category(c) == "Cc" for c in student)  # \0, a line break, ESC
    if control or "/" in student or "\\" in student or student.startswith("."):
        raise InputError(
            f"{path}: line {line}: {student!r} cannot be a file name "
            "(no /, \\, control character or leading dot in a student id)"
        )
    return student


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Commas, or the semicolons or tabs of a spreadsheet's export, as the first line uses."""
    try:
        return csv.Sniffer().sniff(text.partition("\n")[0], delimiters=",;\t")
    except csv.Error:  # one column: no separator to find
        return csv.excel


def read_roster(path: Path) -> list[str]:
    """The roster's student ids, in its order, each once (InputError if unreadable or empty)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            text = file.read(MAX_ROSTER_CHARS + 1)  # bounded: /dev/zero never ends
        if len(text) > MAX_ROSTER_CHARS:
            raise InputError(f"{path}: larger than {MAX_ROSTER_CHARS} characters: not a roster")
        rows = list(csv.reader(io.StringIO(text), dialect=_dialect(text)))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read the roster ({exc})") from None
    column = _column(rows[0]) if rows else None
    first = 1 if column is not None else 0
    column = column or 0
    students: dict[str, None] = {}
    for line, row in enumerate(rows[first:], start=first + 1):
        cell = row[column].strip() if len(row) > column else ""
        if cell:
            students[_safe(student_id(cell), path, line)] = None
    if not students:
        raise InputError(f"{path}: no student ids in the roster")
    return list(students)
