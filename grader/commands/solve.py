"""`grader solve EXERCISE...`: the exact reference values, next to the printed ones or as JSON."""

from __future__ import annotations

import click

from grader import options
from grader.commands.student import personal
from grader.errors import ExitCode
from grader.exercise.course import load_named
from grader.reference.export import solutions_json
from grader.views import print_solve


@click.command()
@click.argument("exercises", nargs=-1, required=True, metavar="EXERCISE...")
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text beside the printed values, or JSON with every exact value at full float64 "
    "precision (an object per exercise; a list when several are given).",
)
@options.exercise_folders
@options.student
@options.secret_file
def solve(exercises: tuple[str, ...], output_format: str, student: str | None) -> int:
    """Show the exact reference values of each EXERCISE (an id or a path) next to the printed
    ones (with --student: that student's variant, next to its hand calculation)."""
    loaded = personal([load_named(exercise) for exercise in exercises], student)
    if output_format == "json":
        click.echo(solutions_json(loaded, several=len(loaded) > 1))
        return ExitCode.OK
    for exercise in loaded:
        print_solve(exercise)
    return ExitCode.OK
