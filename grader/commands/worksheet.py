"""`grader worksheet -e ID --student ID | --roster CSV`: a student's variant as a worksheet."""

from __future__ import annotations

from pathlib import Path

import click

from grader import options
from grader.commands.student import warn_if_guessable
from grader.errors import ExitCode, InputError
from grader.exercise.course import load_named
from grader.plan.variants import student_variant
from grader.worksheet import FORMATS, build, render
from grader.worksheet.roster import read_roster


@click.command()
@options.exercise
@options.exercise_folders
@options.student
@options.secret_file
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="CSV",
    help="A CSV of student ids (the column headed student, id, identifier, github_username, "
    "username or login; else the first column): one worksheet each, written into --out.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("worksheets"),
    show_default=True,
    help="Folder of the roster's worksheets, <student>.md or <student>.html.",
)
@click.option(
    "--format",
    "-f",
    "sheet_format",
    type=click.Choice(list(FORMATS)),
    default="markdown",
    show_default=True,
    help="Markdown, or one self-contained HTML page (prints as it shows).",
)
def worksheet(
    exercise: str, student: str | None, roster: Path | None, out: Path, sheet_format: str
) -> int:
    """Write a student's own problem (--student), or every roster student's (--roster): the
    network, their numbers, what to compute, and the answers file to fill in."""
    if (student is None) == (roster is None):
        raise InputError("worksheet: give either --student ID or --roster CSV")
    loaded = load_named(exercise)
    warn_if_guessable([loaded])
    if student is not None:
        click.echo(render(build(student_variant(loaded, student), student), sheet_format), nl=False)
        return ExitCode.OK
    students = read_roster(roster) if roster is not None else []
    suffix = FORMATS[sheet_format][1]
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in students:
            sheet = build(student_variant(loaded, name), name)
            (out / f"{name}{suffix}").write_text(render(sheet, sheet_format), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename}: {exc.strerror}") from None
    count = len(students)
    click.echo(f"wrote {count} worksheet{'' if count == 1 else 's'} to {out}", err=True)
    return ExitCode.OK
