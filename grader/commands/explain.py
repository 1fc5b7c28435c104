"""`grader explain EXERCISE`: the worked case solved step by step, the way the lecture does."""

from __future__ import annotations

import click

from grader import options
from grader.commands.student import personal
from grader.errors import ExitCode
from grader.exercise.course import load_named
from grader.explain import explain as explain_exercise


@click.command()
@click.argument("exercise", metavar="EXERCISE")
@options.exercise_folders
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="Plain text, or Markdown (headings and code blocks) for notes and course pages.",
)
@options.student
@options.secret_file
def explain(exercise: str, output_format: str, student: str | None) -> int:
    """Show a worked solution of EXERCISE's worked case: forward pass, loss, every gradient as
    its chain-rule product with the numbers filled in, and the update. A batch: every
    observation on its own, then the loss and the gradients as the means of theirs. With
    --student: that student's variant."""
    loaded = personal([load_named(exercise)], student)[0]
    click.echo(explain_exercise(loaded, markdown=output_format == "markdown"))
    return ExitCode.OK
