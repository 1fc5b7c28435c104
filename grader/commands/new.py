"""`grader new ID ...`: a new exercise with random two-decimal numbers and its model solution."""

from __future__ import annotations

from pathlib import Path

import click

from grader import options
from grader.authoring.compose import (
    DECIMALS,
    DEFAULT_DECIMALS,
    DEFAULT_OUT,
    LAYERS_HELP,
    Request,
    new_exercise,
    parse_layers,
)
from grader.errors import ExitCode
from grader.exercise import bounds


@click.command(name="new")
@click.argument("exercise_id", metavar="ID")
@click.option(
    "--inputs",
    type=click.IntRange(1, bounds.MAX_INPUTS),
    required=True,
    help=f"Size of x, 1 to {bounds.MAX_INPUTS}.",
)
@click.option(
    "--layers",
    required=True,
    metavar="UNITS:ACT,...",
    help=f"The layers, hidden ones first and the output last ({LAYERS_HELP}); activations: "
    "linear, sigmoid, tanh, relu, leaky-relu, softmax.",
)
@click.option(
    "--loss",
    required=True,
    help="half-squared-error, mean-squared-error, binary-cross-entropy or "
    "categorical-cross-entropy.",
)
@click.option(
    "--task",
    default="backward",
    show_default=True,
    help="What the student writes: forward, backward, train-step or train.",
)
@click.option(
    "--batch",
    type=click.IntRange(1, bounds.MAX_ROWS),
    default=None,
    metavar="M",
    help="A worked case of M observations, x of shape (M, inputs) (default: one observation).",
)
@click.option(
    "--decimals",
    type=click.IntRange(*DECIMALS),
    default=DEFAULT_DECIMALS,
    show_default=True,
    help=f"Decimals of the printed values, {DECIMALS[0]} to {DECIMALS[1]}; each is rounded "
    "before the next step reuses it.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, options.MAX_SEED),
    default=None,
    help="Seed of the random numbers: the same seed writes the same files (default: random, "
    "written into the file).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder of the exercise (DIR/ID.toml); the model solution goes to solutions/ID.py "
    "beside it.",
)
@click.option("--force", is_flag=True, help="Overwrite an exercise or solution that exists.")
def new(
    exercise_id: str,
    inputs: int,
    layers: str,
    loss: str,
    task: str,
    batch: int | None,
    decimals: int,
    seed: int | None,
    out: Path,
    force: bool,
) -> int:
    """Write a new exercise ID: random two-decimal parameters and inputs, the worked case's
    values printed as a hand calculation does (each rounded before it is reused), and a model
    solution that earns full marks. Check it with `grader validate --exercises DIR ID`."""
    request = Request(
        exercise_id, inputs, parse_layers(layers), loss, task, batch, decimals, seed, out, force
    )
    written = new_exercise(request)
    click.echo(f"wrote {written.exercise} and {written.solution} (seed {written.seed})")
    if written.artefacts:
        n = written.artefacts
        what = "value is a rounding artefact" if n == 1 else "values are rounding artefacts"
        click.echo(f"{n} printed {what} (commented)")
    click.echo(f"check it: grader validate --exercises {out} {exercise_id}")
    return ExitCode.OK
