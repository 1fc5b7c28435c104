"""`grader new`: a new exercise drawn at random, its printed values a hand calculation, and a
model solution that earns full marks.

The exercise goes to `<out>/<id>.toml` and its model solution to `solutions/<id>.py` beside the
`out` folder (default `exercises`): the layout finding.py searches, in which the exercises folder
can be given to students (`grader check` needs it) without the solutions. The file is loaded
and its printed values judged (grader/validate/printed.py) before anything is written; the
entries judged rounding artefacts get a comment, and a draw that `validate` would not pass is
redrawn.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import plugins
from grader.authoring.drawing import draw_worked_case
from grader.authoring.model_code import Design, solution_code, unsupported
from grader.authoring.writing import ORDER, Draft, exercise_text, number
from grader.errors import ExerciseError, InputError, InternalError, PluginError
from grader.exercise import bounds
from grader.exercise.loader import LoadedExercise, load_exercise
from grader.exercise.pairings import pairing_problems
from grader.exercise.schema import ID_PATTERN
from grader.plan.cases import Case
from grader.reference.network import Layer, Network
from grader.validate.printed import Verdict, check_printed

DEFAULT_OUT = Path("exercises")
DEFAULT_DECIMALS = 4
DECIMALS = (2, 8)  # fewer than the parameters' two is no hand calculation; more, no person's
LAYERS_HELP = "e.g. 2:sigmoid,1:linear"


@dataclass(frozen=True)
class Request:
    """What `grader new` was asked for (the command line's options, parsed)."""

    exercise_id: str
    inputs: int
    layers: tuple[tuple[int, str], ...]
    loss: str
    task: str = "backward"
    batch: int | None = None
    decimals: int = DEFAULT_DECIMALS
    seed: int | None = None
    out: Path = DEFAULT_OUT
    force: bool = False


@dataclass(frozen=True)
class Written:
    exercise: Path
    solution: Path
    seed: int
    artefacts: int  # printed entries that are rounding artefacts


def parse_layers(text: str) -> tuple[tuple[int, str], ...]:
    """`2:sigmoid,1:linear` as ((2, "sigmoid"), (1, "linear")); InputError when malformed."""
    layers = []
    for part in text.split(","):
        units, colon, name = part.strip().partition(":")
        if not colon or not units.strip().isdigit() or not name.strip() or ":" in name:
            raise InputError(f"--layers: {part.strip()!r} is not UNITS:ACTIVATION ({LAYERS_HELP})")
        count = int(units)
        if not 1 <= count <= bounds.MAX_UNITS:
            raise InputError(f"--layers: {part.strip()!r}: units must be 1 to {bounds.MAX_UNITS}")
        layers.append((count, name.strip()))
    if len(layers) > bounds.MAX_LAYERS:
        raise InputError(f"--layers: {len(layers)} layers, at most {bounds.MAX_LAYERS}")
    return tuple(layers)


def _plugin(kind: str, name: str, option: str) -> Any:
    try:
        return plugins.get(kind, name)
    except PluginError as exc:
        raise InputError(f"{option}: {exc}") from None


def _option(key: str) -> str:
    """The option of a loader key path: network.layers[1].units is --layers (layer 2)."""
    found = re.match(r"network\.layers\[(\d+)\]", key)
    if found:
        return f"--layers (layer {int(found.group(1)) + 1})"
    return "--loss" if key == "network.loss" else key


def network_of(request: Request) -> Network:
    """The network asked for, refused (InputError) where the loader would refuse it."""
    if not re.match(ID_PATTERN, request.exercise_id):
        raise InputError(
            f"{request.exercise_id!r} is not an exercise id: lower-case letters, digits, - and _, "
            "starting with a letter or digit"
        )
    layers = tuple(
        Layer(units, _plugin("activations", name, "--layers"), name)
        for units, name in request.layers
    )
    loss = _plugin("losses", request.loss, "--loss")
    _plugin("tasks", request.task, "--task")
    network = Network(request.inputs, layers, loss, request.loss)
    problems = [(_option(k), m) for k, m in pairing_problems(network)]
    problems += unsupported(_design(request))
    if problems:
        raise InputError("\n".join(f"{option}: {message}" for option, message in problems))
    return network


def _design(request: Request) -> Design:
    return Design(request.exercise_id, request.task, request.inputs, request.layers, request.loss)


def paths(request: Request) -> tuple[Path, Path]:
    """Where the exercise and its model solution go."""
    exercise = request.out / f"{request.exercise_id}.toml"
    solutions = os.path.normpath(request.out / os.pardir / "solutions")  # `--out .` too
    return exercise, Path(solutions) / f"{request.exercise_id}.py"


def command_line(request: Request, seed: int) -> str:
    words = [
        f"grader new {request.exercise_id} --inputs {request.inputs}",
        f"--layers {','.join(f'{u}:{a}' for u, a in request.layers)} --loss {request.loss}",
        f"--task {request.task}",
    ]
    words += [f"--batch {request.batch}"] if request.batch is not None else []
    words += [f"--decimals {request.decimals} --seed {seed}"]
    return " ".join(words)


def _printed_sections(task: object, network: Network) -> set[str]:
    """The hand calculation up to what the task asks for: a forward exercise prints no gradient."""
    asked = {q.section for q in task.quantities(network)}  # type: ignore[attr-defined]
    last = max((ORDER.index(s) for s in asked if s in ORDER), default=len(ORDER) - 1)
    return set(ORDER[: last + 1])


def _load(text: str, exercise_id: str) -> LoadedExercise:
    """The written text as the loader reads it: our own output must load."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{exercise_id}.toml"
        path.write_text(text)
        try:
            return load_exercise(path)
        except ExerciseError as exc:
            raise InternalError(f"grader new wrote an exercise that does not load: {exc}") from exc


def _artefacts(verdicts: list[Verdict], decimals: int) -> dict[str, list[str]]:
    """Notes on the printed entries that are rounding artefacts, by "section.key"."""
    notes: dict[str, list[str]] = {}
    for v in verdicts:
        if v.status == "artefact":
            key = v.key.removeprefix("expected.").split("[", 1)[0]
            notes.setdefault(key, []).append(
                f"{v.symbol} = {v.printed}: the exact value rounds to {number(v.exact, decimals)}"
            )
    return notes


def draft(request: Request) -> tuple[Draft, LoadedExercise]:
    """The exercise as it will be written, judged by `validate`'s own check of printed values."""
    network = network_of(request)
    task = plugins.get("tasks", request.task)
    seed = secrets.randbelow(2**32) if request.seed is None else request.seed
    sections = _printed_sections(task, network)

    def printed(key: str) -> bool:
        return key.split(".", 1)[0] in sections

    def make(case: Case, written: Mapping[str, np.ndarray], notes: dict) -> Draft:
        shown = {k: v for k, v in written.items() if printed(k)}
        names = tuple(q.name for q in task.quantities(network))
        return Draft(
            request.exercise_id, request.task, network, case, shown, request.decimals, seed,
            command_line(request, seed), names, notes,
        )  # fmt: skip

    def judge(case: Case, written: Mapping[str, np.ndarray]) -> list[Verdict] | None:
        """validate's verdicts on the file, None if one is a discrepancy (a rounding tie)."""
        loaded = _load(exercise_text(make(case, written, {})), request.exercise_id)
        verdicts = check_printed(loaded)
        return None if any(v.status == "discrepancy" for v in verdicts) else verdicts

    rng = np.random.default_rng(seed)
    case, written, verdicts = draw_worked_case(
        rng, task, network, request.batch, request.decimals, printed, judge
    )
    final = make(case, written, _artefacts(verdicts, request.decimals))
    return final, _load(exercise_text(final), request.exercise_id)


def new_exercise(request: Request) -> Written:
    """Write the exercise and its model solution; refuse to overwrite either unless forced."""
    exercise_path, solution_path = paths(request)
    for path in (exercise_path, solution_path):
        if path.exists() and not path.is_file():  # --force replaces files, never a folder
            raise InputError(f"{path} is not a file: it cannot be written")
    existing = [p for p in (exercise_path, solution_path) if p.exists()]
    if existing and not request.force:
        names = " and ".join(str(p) for p in existing)
        raise InputError(f"{names} already exist{'s' if len(existing) == 1 else ''} (--force "
                         "overwrites)")  # fmt: skip
    made, _ = draft(request)
    artefacts = sum(len(notes) for notes in made.artefacts.values())
    try:
        exercise_path.parent.mkdir(parents=True, exist_ok=True)
        solution_path.parent.mkdir(parents=True, exist_ok=True)
        exercise_path.write_text(exercise_text(made))
        solution_path.write_text(solution_code(_design(request)))
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename}: {exc.strerror}") from None
    return Written(exercise_path, solution_path, made.seed, artefacts)
