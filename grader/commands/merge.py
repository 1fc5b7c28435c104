"""`grader merge OUT... --out DIR`: shard gradebooks into one gradebook and every report."""

from __future__ import annotations

from pathlib import Path

import click

from grader import options
from grader.errors import ExitCode


@click.command()
@click.argument(
    "gradebooks", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="OUT..."
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the merged gradebook and the reports (not one of the OUT folders).",
)
@options.class_formats
@click.option(
    "--allow-missing",
    is_flag=True,
    help="Merge even when a shard's gradebook is missing; its students are listed, not graded.",
)
def merge(
    gradebooks: tuple[Path, ...], out: Path, formats: tuple[str, ...], allow_missing: bool
) -> int:
    """Merge the gradebooks of `grader grade --shard K/N` runs (their --out folders) into one,
    and write the reports an unsharded run would write."""
    from grader import plugins
    from grader.batch.fingerprint import fingerprint
    from grader.batch.merge import merge as merge_shards

    names = [n.strip() for f in formats for n in f.split(",") if n.strip()]
    for name in names:
        plugins.get("reporters", name)  # an unknown format fails before anything is written
    done = merge_shards(list(gradebooks), out, names, allow_missing)
    if done.missing_shards:
        shards = ", ".join(str(k) for k in done.missing_shards)
        click.echo(
            f"not merged: shard(s) {shards} missing; {len(done.not_graded)} students not "
            f"graded: {', '.join(done.not_graded)}",
            err=True,
        )
    if done.fingerprint != fingerprint():
        # The results are the shards'; only the report writers are this grader's.
        click.echo(
            f"note: the shards were graded by grader {done.fingerprint}, this is "
            f"{fingerprint()}: the reports are written by this one's report formats",
            err=True,
        )
    click.echo(f"merged {len(gradebooks)} gradebooks: {len(done.results)} results", err=True)
    for report in done.reports:
        click.echo(f"wrote {report}", err=True)
    return ExitCode.INTERNAL if done.grader_failed else ExitCode.OK
