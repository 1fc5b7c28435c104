"""Command-line options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import click

from grader.run.limits import RANGES, Range

# Seeds are 32-bit, as the derived ones are (grader/plan/cases.py): any printed seed replays.
MAX_SEED = 2**32 - 1

exercise = click.option(
    "--exercise",
    "-e",
    "exercise",
    required=True,
    metavar="ID_OR_PATH",
    help="Exercise id (see `grader list`), or a path to an exercise file when the argument "
    "looks like one (it holds a / or ends in .toml).",
)
# The reports of a class run (`grade`, `merge`): one file each in the output folder.
class_formats = click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    default=("json", "junit", "csv"),
    show_default=True,
    metavar="NAME",
    help="Report formats (repeat, or comma-separate): json, junit, csv, gradescope, "
    "canvas, github, html (a class dashboard), or a reporter plugin.",
)

report_format = click.option(
    "--format",
    "-f",
    "report_format",
    default="text",
    show_default=True,
    metavar="NAME",
    help="Report format: a reporter plugin (see `grader plugins`), e.g. text, json or html "
    "(a page to open in a browser: `--format html > report.html`).",
)
seed = click.option(
    "--seed",
    type=click.IntRange(0, MAX_SEED),
    default=None,
    help=f"Seed of the hidden cases, 0 to {MAX_SEED} (default: derived from the exercise "
    "and the submission).",
)


class Bounded(click.ParamType):
    """A number within one of grader/run/limits.py's RANGES; NaN and infinity are refused."""

    def __init__(self, allowed: Range, whole: bool) -> None:
        self.allowed, self.whole = allowed, whole
        self.name = "integer" if whole else "number"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | float:
        number: int | float
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value)) if self.whole else float(str(value))
            except (TypeError, ValueError):
                self.fail(
                    f"{value!r} is not {'an integer' if self.whole else 'a number'}; "
                    f"allowed: {self.allowed.describe()}",
                    param,
                    ctx,
                )
        problem = self.allowed.problem(number)
        if problem:
            self.fail(problem, param, ctx)
        return number


def limits(command):
    """--timeout, --cpu-seconds, --memory-mb, --output-kb: override the exercise's limits."""
    for flag, key, whole, text in [
        ("--output-kb", "output_kb", True, "stdout + stderr before the run is stopped"),
        ("--memory-mb", "memory_mb", True, "address space of the submission's process"),
        ("--cpu-seconds", "cpu_seconds", True, "CPU seconds of the submission's process"),
        ("--timeout", "wall_seconds", False, "wall-clock seconds for the whole submission"),
    ]:
        kind = Bounded(RANGES[key], whole)
        help_text = f"Limit: {text}, {RANGES[key].describe()}."
        command = click.option(flag, type=kind, default=None, help=help_text)(command)
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


student = click.option(
    "--student",
    metavar="ID",
    default=None,
    help="Grade, solve or explain this student's own variant of an exercise with [variants] "
    "(ids are trimmed and case-insensitive); without [variants] everyone has the worked case.",
)


MAX_SECRET_BYTES = 4096


def _use_secret_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    # The secret holds for this one command, like --exercises (see above).
    if value is None:
        return
    from grader.plan import cases  # numpy: not before a command starts its work (issue 10)

    try:
        with value.open("rb") as file:  # bounded: /dev/zero or a huge file never ends
            secret = file.read(MAX_SECRET_BYTES + 1)
    except OSError as exc:
        raise click.BadParameter(f"{value}: cannot read it ({exc.strerror})", ctx, param) from None
    if len(secret) > MAX_SECRET_BYTES:
        raise click.BadParameter(
            f"{value}: longer than {MAX_SECRET_BYTES} bytes: a secret file holds one line",
            ctx,
            param,
        )
    secret = secret.strip()
    if not secret:
        raise click.BadParameter(f"{value}: the secret file is empty", ctx, param)
    cases.use_secret(secret)
    ctx.call_on_close(lambda: cases.use_secret(None))


secret_file = click.option(
    "--secret-file",
    type=click.Path(path_type=Path),
    metavar="PATH",
    default=None,
    is_eager=True,
    expose_value=False,
    callback=_use_secret_file,
    help="The course secret that keys every student's variant and the hidden cases (its "
    "content, trimmed); default: the GRADER_SECRET environment variable.",
)
