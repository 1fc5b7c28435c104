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
from grader.exercise.consistency import check_consistency
from grader.exercise.finding import find_exercise
from grader.exercise.messages import key_path, message
from grader.exercise.rules import Rule, resolve_rules
from grader.exercise.schema import Exercise
from grader.reference.network import Layer, Network
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

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def max_score(self) -> float:
        return sum(rule.points for rule in self.rules.values())

    def solution_path(self) -> Path:
        return self.path.resolve().parent.parent / "solutions" / f"{self.id}.py"


def _parse(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read exercise file ({exc.strerror})") from exc
    try:
        return tomllib.loads(raw.decode("utf-8"), parse_float=Decimal), raw
    except UnicodeDecodeError as exc:
        raise ExerciseError(str(path), [("", f"not UTF-8 text ({exc.reason})")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ExerciseError(str(path), [("", f"invalid TOML: {exc}")]) from exc


def _network(spec: Exercise) -> Network:
    layers = tuple(
        Layer(layer.units, plugins.get("activations", layer.activation), layer.activation)
        for layer in spec.network.layers
    )
    loss = plugins.get("losses", spec.network.loss)
    return Network(spec.network.inputs, layers, loss, spec.network.loss)


def load_exercise(id_or_path: str | Path) -> LoadedExercise:
    """Load, validate and resolve an exercise; every problem raises ExerciseError (exit 2)."""
    path = find_exercise(str(id_or_path))
    data, raw = _parse(path)
    try:
        spec = Exercise.model_validate(data)
    except ValidationError as exc:
        problems = [(key_path(e["loc"]), message(e)) for e in exc.errors()]
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
    digest = hashlib.sha256(raw).hexdigest()
    return LoadedExercise(spec, path, digest, network, task, quantities, rules)
