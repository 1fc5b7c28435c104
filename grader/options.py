"""Command-line options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import click

exercise = click.option(
    "--exercise",
    "-e",
    "exercise",
    required=True,
    metavar="ID_OR_PATH",
    help="Exercise id (see `grader list`), or a path to an exercise file when the argument "
    "looks like one (it holds a / or ends in .toml).",
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


def limits(command):
    """--timeout, --cpu-seconds, --memory-mb, --output-kb: override the exercise's limits."""
    positive = click.FloatRange(min=0, min_open=True)
    for flag, kind, text in [
        ("--output-kb", click.IntRange(min=1), "stdout + stderr before the run is stopped"),
        ("--memory-mb", click.IntRange(min=256), "address space of the submission's process"),
        ("--cpu-seconds", click.IntRange(min=1), "CPU seconds of the submission's process"),
        ("--timeout", positive, "wall-clock seconds for the whole submission"),
    ]:
        command = click.option(flag, type=kind, default=None, help=f"Limit: {text}.")(command)
    return command


require_sandbox = click.option(
    "--require-sandbox",
    is_flag=True,
    envvar="GRADER_REQUIRE_SANDBOX",
    help="Refuse to grade unless the bubblewrap sandbox works (env: GRADER_REQUIRE_SANDBOX=1).",
)


def _use_exercise_folders(ctx: click.Context, _param: click.Parameter, value: tuple) -> tuple:
    # The search path holds for this one command; reset when it ends (CliRunner reuses a
    # process, and a library call afterwards must not see a command's folders).
    from grader.exercise import finding

    finding.use_folders(value)
    ctx.call_on_close(lambda: finding.use_folders(()))
    return value


exercise_folders = click.option(
    "--exercises",
    "exercise_folders",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    is_eager=True,
    expose_value=False,
    callback=_use_exercise_folders,
    help="A folder of exercises searched first (repeat for several); then GRADER_EXERCISES "
    "(folders separated like PATH), then the bundled ones. Never the working folder.",
)
