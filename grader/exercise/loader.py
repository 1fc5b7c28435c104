"""Load an exercise: parse the TOML with decimals, validate it, check it as a whole, resolve
its plugins and scoring rules."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from grader import plugins
from grader.errors import ExerciseError, InputError, PluginError
from grader.exercise.bounds import MAX_FILE_BYTES, training_problems
from grader.exercise.consistency import check_consistency
from grader.exercise.finding import find_exercise, find_solution
from grader.exercise.messages import key_path, message
from grader.exercise.rules import Rule, resolve_rules
from grader.exercise.schema import ACTIVATION_TAGS, SECTION_TAGS, Exercise, LayerSpec
from grader.reference.network import Layer, Network
from grader.suggest import close_matches
from grader.tasks.base import Quantity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class LoadedExercise:
    spec: Exercise
    path: Path
    digest: str  # sha256 of the file's bytes: results are keyed by it
    network: Network
    task: Any  # the task plugin
    quantities: tuple[Quantity, ...]
    rules: dict[str, Rule]  # by quantity name
    solution: Path | None = None  # the file's `solution` key, resolved against its folder

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def max_score(self) -> float:
        return sum(rule.points for rule in self.rules.values())

    def solution_path(self) -> Path:
        """The `solution` key's file, else `<id>.py` beside the TOML, else solutions/<id>.py
        beside the exercises folder (finding.find_solution says which exists)."""
        return find_solution(self.path, self.id, self.spec.solution)


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            # One byte past the cap tells a file at the cap from a larger one.
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read exercise file ({exc.strerror})") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise ExerciseError(
            str(path), [("", f"larger than {MAX_FILE_BYTES // 1024} KiB: not an exercise file")]
        )
    return raw


def _where(raw: bytes, offset: int) -> str:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column} (byte {offset + 1})"


def _parse(path: Path) -> tuple[dict[str, Any], bytes]:
    raw = _read(path)
    try:
        # utf-8-sig: a byte-order mark, as some Windows editors write, is not part of the text.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start : exc.start + 1].hex()
        problem = f"not UTF-8 text: invalid byte 0x{byte} at {_where(raw, exc.start)}"
        raise ExerciseError(str(path), [("", problem)]) from None
    try:
        return tomllib.loads(text, parse_float=Decimal), raw
    except RecursionError:
        raise ExerciseError(str(path), [("", "invalid TOML: nested too deeply")]) from None
    except ValueError as exc:  # TOMLDecodeError, or an integer too long to convert
        raise ExerciseError(str(path), [("", f"invalid TOML: {exc}")]) from None


def _loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The key path of an error: `expected.gradients.W1`, without pydantic's section tag."""
    if len(loc) > 2 and loc[0] == "expected" and loc[2] in SECTION_TAGS:
        return (*loc[:2], *loc[3:])
    if len(loc) > 4 and loc[:2] == ("network", "layers") and loc[4] in ACTIVATION_TAGS:
        return (*loc[:4], *loc[5:])
    return loc


def _activation(number: int, layer: LayerSpec) -> Any:
    """The layer's activation plugin, with the parameters the file sets (leaky-relu's slope)."""
    act = plugins.get("activations", layer.activation_name)
    given = layer.activation_parameters()
    if not given:
        return act
    where = f"network.layers[{number}].activation"
    known = dict(getattr(act, "parameters", {}) or {})
    make = getattr(act, "with_parameters", None)
    problems = []
    for key in given:
        if key not in known or make is None:
            close = close_matches(key, known)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"known: {', '.join(known)}"
                if known
                else f"activation {layer.activation_name!r} takes none"
            )
            problems.append((f"{where}.{key}", f"unknown parameter ({hint})"))
    if problems:
        raise ExerciseError("", problems)
    try:
        return make(**given)  # type: ignore[misc]
    except ValueError as exc:  # a value the activation refuses (a slope outside its range)
        raise ExerciseError("", [(where, str(exc))]) from None


def _network(spec: Exercise) -> Network:
    layers = tuple(
        Layer(layer.units, _activation(i, layer), layer.activation_name, layer.bias)
        for i, layer in enumerate(spec.network.layers)
    )
    loss = plugins.get("losses", spec.network.loss)
    net = spec.network
    return Network(net.inputs, layers, loss, net.loss, net.reduction, frozenset(net.frozen))


def load_exercise(id_or_path: str | Path) -> LoadedExercise:
    """Load, validate and resolve an exercise; every problem raises ExerciseError (exit 2)."""
    path = find_exercise(str(id_or_path))
    data, raw = _parse(path)
    try:
        spec = Exercise.model_validate(data)
    except ValidationError as exc:
        problems = [(key_path(_loc(e["loc"])), message(e)) for e in exc.errors()]
        raise ExerciseError(str(path), problems) from None
    try:
        network = _network(spec)
        task = plugins.get("tasks", spec.task)
        check_consistency(spec, network, task)
        quantities = tuple(task.quantities(network))
        rules = resolve_rules(spec, quantities)
    except ExerciseError as exc:
        raise ExerciseError(str(path), exc.problems) from None
    except PluginError:
        raise
    problems = _whole_file_problems(spec, path)
    if problems:
        raise ExerciseError(str(path), problems)
    digest = hashlib.sha256(raw).hexdigest()
    solution = path.parent / spec.solution if spec.solution is not None else None
    return LoadedExercise(spec, path, digest, network, task, quantities, rules, solution)


def _whole_file_problems(spec: Exercise, path: Path) -> list[tuple[str, str]]:
    problems = training_problems(spec)
    # The id is what --exercise and the gradebook name; a file found by its id must hold it.
    if spec.id != path.stem:
        problems.append(
            (
                "id",
                f"{spec.id!r} does not match the file name {path.name!r}: "
                f"write id = {path.stem!r} or rename the file to {spec.id}.toml",
            )
        )
    return problems
