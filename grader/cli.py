"""The `grader` command. Each command is a few lines around one library call; errors from the
library become a message and an exit code in `main`, the only place that knows about both."""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from grader import options
from grader.errors import ExitCode, GraderError

# Start-up is paid by every command (issue 10: `grader check` within 0.25 s): this module
# imports only click and the shared options; each command imports what it uses in its body,
# and the commands defined in grader/commands/ are imported when they are asked for.
LAZY_COMMANDS = {
    "explain": "grader.commands.explain:explain",
    "solve": "grader.commands.solve:solve",
    "merge": "grader.commands.merge:merge",
    "new": "grader.commands.new:new",
    "worksheet": "grader.commands.worksheet:worksheet",
}


class LazyGroup(click.Group):
    """A group whose LAZY_COMMANDS are imported only when named (or listed by --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, _, name = LAZY_COMMANDS[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        self.add_command(command, cmd_name)
        return command


ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backprop-grader", prog_name="grader")
def cli() -> None:
    """Grade hand-written backpropagation against an exact reference."""


@contextlib.contextmanager
def _without_collector() -> Iterator[None]:
    """The cyclic garbage collector off: a command that grades one submission spends most of
    its time importing, and the collector would walk every object the imports make, none of
    them garbage (issue 10). Its work is bounded; the collector is back on afterwards."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            # What was made meanwhile joins the oldest generation (freeze, then unfreeze),
            # so that turning the collector on does not walk all of it at the next allocation.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _sandbox_notice(required: bool) -> None:
    """One line on stderr when submissions will run without the sandbox (or refuse to)."""
    from grader.run import sandbox

    notice = sandbox.require(required)
    if notice:
        click.echo(notice, err=True)


@cli.command()
@click.argument("submission", type=click.Path(path_type=Path))
@options.exercise
@options.exercise_folders
@options.report_format
@options.seed
@options.student
@options.secret_file
@options.limits
@options.require_sandbox
def check(
    submission: Path,
    exercise: str,
    report_format: str,
    seed: int | None,
    student: str | None,
    require_sandbox: bool,
    timeout: float | None,
    **limits: int | None,
) -> int:
    """Grade one SUBMISSION (a .py file, a folder holding one, or a .toml of answers)."""
    from grader.run.runner import early_runner

    # The run's fork server starts now, beside the imports and the exercise's loading below.
    with _without_collector(), early_runner(submission) as run:
        from grader import plugins
        from grader.commands.student import mark_variant, personal
        from grader.exercise.course import load_named
        from grader.pipeline import check_submission, limits_for
        from grader.report.lifecycle import drive
        from grader.report.lifecycle import options as options_of
        from grader.report.visibility import with_visibility

        reporter_class = plugins.get("reporters", report_format)
        loaded = None
        try:
            loaded = personal([load_named(exercise)], student)[0]
            _sandbox_notice(require_sandbox)
            run_limits = limits_for(loaded, wall_seconds=timeout, **limits)
            result = check_submission(loaded, submission, seed, run_limits, run=run)
            result = mark_variant(with_visibility(result, loaded), loaded, student)
        except Exception as exc:
            # A format read by a machine (Gradescope) must exist even when grading broke.
            if options_of(reporter_class, report_format).reports_failures:
                from grader.report.failure import check_failure

                failed = check_failure(exercise, loaded, submission, exc)
                drive(reporter_class, sys.stdout, [failed], batch=False)
            raise
    drive(reporter_class, sys.stdout, [result], batch=False)
    return ExitCode.OK if result.full_marks else ExitCode.FAILED


@cli.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option(
    "--exercise",
    "-e",
    "exercise_ids",
    multiple=True,
    required=True,
    metavar="ID_OR_PATH",
    help="An exercise to grade (repeat for several).",
)
@options.exercise_folders
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Submissions graded at once (default: the number of CPUs).",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("grader-out"),
    show_default=True,
    help="Folder for the gradebook and the reports.",
)
@options.class_formats
@click.option("--regrade", is_flag=True, help="Grade again what the gradebook already holds.")
@click.option(
    "--no-isolation",
    is_flag=True,
    help="Grade even where submissions cannot be isolated from each other and the grader "
    "(no bubblewrap, not root); said in the summary.",
)
@click.option(
    "--shard",
    metavar="K/N",
    default=None,
    help="Grade only shard K of N (K from 1), by a hash of each student's name; merge the "
    "shards' --out folders with `grader merge` (env: GRADER_SHARD).",
)
@options.secret_file
@options.limits
@options.require_sandbox
def grade(
    submissions: Path,
    exercise_ids: tuple[str, ...],
    jobs: int | None,
    out: Path,
    formats: tuple[str, ...],
    regrade: bool,
    no_isolation: bool,
    shard: str | None,
    require_sandbox: bool,
    timeout: float | None,
    **limits: int | None,
) -> int:
    """Grade a class: SUBMISSIONS holds <student>.py files or <student>/ folders."""
    from grader.run.runner import early_workers

    # The lanes' fork servers start now, beside the imports and the class's reading below.
    with early_workers(jobs or os.cpu_count() or 1) as workers:
        from grader.batch.run import grade_class
        from grader.batch.settings import ClassRun
        from grader.batch.shard import WHOLE, from_option
        from grader.commands.student import warn_if_guessable
        from grader.exercise.course import load_named
        from grader.pipeline import LimitOverrides, protected_paths
        from grader.run import sandbox

        part = from_option(shard, dict(os.environ))
        exercises = [load_named(e) for e in exercise_ids]
        warn_if_guessable(exercises)  # each student is graded on their own variant
        sandbox.require(require_sandbox)  # refuses when --require-sandbox and bwrap is off
        protected = [p for e in exercises for p in protected_paths(e)]
        isolation_notice = sandbox.require_isolation(no_isolation, protected)
        if isolation_notice:
            click.echo(isolation_notice, err=True)
        names = [n.strip() for f in formats for n in f.split(",") if n.strip()]
        done = grade_class(
            ClassRun(
                root=submissions,
                exercises=tuple(exercises),
                out=out,
                formats=tuple(names),
                workers=jobs or os.cpu_count() or 1,
                regrade=regrade,
                shard=part or WHOLE,
                limits=LimitOverrides(wall_seconds=timeout, **limits),
                progress=sys.stderr,
                unisolated="--no-isolation" in isolation_notice,
            ),
            workers,
        )
        unisolated = " (graded with --no-isolation)" if "--no-isolation" in isolation_notice else ""
        click.echo(done.summary + unisolated, err=True)
        for report in done.reports:
            click.echo(f"wrote {report}", err=True)
        return ExitCode.INTERNAL if done.grader_failed else ExitCode.OK


@cli.command()
@click.argument("exercises", nargs=-1, metavar="[EXERCISE]...")
@options.exercise_folders
def validate(exercises: tuple[str, ...]) -> int:
    """Check exercises (default: all; a folder: its *.toml files): schema, printed values,
    model solution. Every file is checked; a broken one exits 2 at the end."""
    from grader.exercise import finding
    from grader.validate import validate_each
    from grader.views import print_validation

    code = ExitCode.OK
    for outcome in validate_each(list(exercises) or [str(p) for p in finding.list_exercises()]):
        if isinstance(outcome, GraderError):
            click.echo(f"error: {outcome}", err=True)
            code = ExitCode.USAGE
        else:
            print_validation(outcome)
            code = code if outcome.ok else max(code, ExitCode.FAILED)
    return code


@cli.command(name="list")
@options.exercise_folders
def list_command() -> int:
    """List the exercises that `--exercise` can name, where each comes from, what it shadows.
    Every file is listed; a broken one is reported and exits 2 at the end."""
    from grader.exercise import finding
    from grader.exercise.listing import listing

    lines, broken = listing(finding.search_path(), finding.list_entries())
    for line in lines:
        click.echo(line)
    for problem in broken:
        click.echo(f"error: {problem}", err=True)
    return ExitCode.USAGE if broken else ExitCode.OK


@cli.command(name="plugins")
def plugins_command() -> int:
    """List installed plugins and where each comes from."""
    from grader.views import print_plugins

    print_plugins()
    return ExitCode.OK


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; the one place where errors become messages and exit codes."""
    # What is alive at exit lives until then: the collections that end the interpreter need
    # not walk it (numpy's, pydantic's and the grader's objects; tens of milliseconds).
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    # The grader's own arrays are tiny, and numpy's OpenBLAS would start a thread per core at
    # import that spins for a while, taking the second core from the sandbox starting beside
    # it (about 60 ms of CPU, issue 10). A value the user set is kept.
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")
    try:
        code = cli.main(args=argv, prog_name="grader", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        # What was graded is in the gradebook already: `grader grade` resumes from there.
        click.echo("interrupted", err=True)
        code = ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = ExitCode.USAGE
    except GraderError as exc:  # may quote a file name of the student's: shown inert
        from grader.report.safe import printable

        click.echo(f"error: {printable(str(exc))}", err=True)
        code = exc.exit_code
    except Exception as exc:  # the grader broke: say so in one line, details on request
        from grader.report.safe import printable

        click.echo(f"internal error: {type(exc).__name__}: {printable(str(exc))}", err=True)
        if os.environ.get("GRADER_DEBUG"):
            import traceback

            traceback.print_exc()
        else:
            click.echo("(set GRADER_DEBUG=1 for the traceback, and please report it)", err=True)
        code = ExitCode.INTERNAL
    sys.exit(int(code or 0))
