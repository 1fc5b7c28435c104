"""Command-line options shared by several commands, defined once."""

from __future__ import annotations

import click

exercise = click.option(
    "--exercise",
    "-e",
    "exercise",
    required=True,
    metavar="ID_OR_PATH",
    help="Exercise id (see `grader list`) or path to an exercise .toml file.",
)
report_format = click.option(
    "--format",
    "-f",
    "report_format",
    default="text",
    show_default=True,
    metavar="NAME",
    help="Report format: a reporter plugin (see `grader plugins`), e.g. text or json.",
)
seed = click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the hidden cases (default: derived from the exercise and the submission).",
)
timeout = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Wall-clock seconds for the whole submission (default: the exercise's grading.timeout).",
)
