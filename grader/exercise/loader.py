"""Find an exercise by id or path, parse it, and check it as a whole."""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from grader import plugins
from grader.errors import ExerciseError, InputError, PluginError
from grader.exercise.consistency import check_consistency
from grader.exercise.schema import Exercise
from grader.reference.network import Layer, Network
from grader.tasks.base import Quantity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def bundled_dir(name: str) -> Path:
    """The `exercises` or `solutions` folder shipped inside the package."""
    try:
        spec = importlib.util.find_spec(f"grader.bundled.{name}")
    except ModuleNotFoundError:  # an editable install may not map the bundled folders
        spec = None
    if spec and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parents[2] / name  # a source checkout, not installed


def search_dirs() -> list[Path]:
    # The course's own folder first, so an instructor can shadow a bundled exercise.
    dirs = [Path.cwd() / "exercises", bundled_dir("exercises")]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def list_exercises() -> list[Path]:
    found: dict[str, Path] = {}
    for d in search_dirs():
        for path in sorted(d.glob("*.toml")):
            found.setdefault(path.stem, path)
    return [found[k] for k in sorted(found)]


def find_exercise(id_or_path: str) -> Path:
    path = Path(id_or_path)
    # A folder named like an exercise (a class's submissions, say) must not hide it.
    if path.suffix == ".toml" or path.is_file():
        if not path.is_file():
            raise InputError(f"{id_or_path}: no such exercise file")
        return path
    known = {p.stem: p for p in list_exercises()}
    if id_or_path in known:
        return known[id_or_path]
    close = difflib.get_close_matches(id_or_path, list(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known) or 'none'}"
    raise InputError(f"unknown exercise {id_or_path!r} ({hint})")


@dataclass(frozen=True)
class Rule:
    """How one quantity is scored: its points and its tolerance mode."""

    points: float
    mode: str
    tolerance: Any  # the mode plugin
    settings: Any  # the mode's validated settings


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


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose fields a key path ends in (for suggesting near misses)."""
    model: Any = Exercise
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        args = [a for a in getattr(ann, "__args__", ()) if isinstance(a, type)]
        candidates = [ann, *args]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    return model


def _message(err: dict[str, Any], fields: list[str] | None = None) -> str:
    """Pydantic's error in our words; near misses come from `fields` or the model at loc."""
    loc = err["loc"]
    if err["type"] == "extra_forbidden":
        if fields is None:
            model = _model_at(loc)
            fields = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
        return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
    if err["type"] == "missing":
        return "missing required key"
    return err["msg"]


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


def _points(spec: Exercise, names: list[str]) -> tuple[dict[str, float], list[tuple]]:
    given, problems = spec.grading.points, []
    if not given:
        total = spec.points if spec.points is not None else float(len(names))
        return dict.fromkeys(names, total / len(names)), problems
    if spec.points is not None and abs(sum(given.values()) - spec.points) > 1e-9:
        problems.append(
            ("points", f"is {spec.points} but grading.points add up to {sum(given.values())}")
        )
    problems += [
        (
            "grading.points",
            f"no points for {name!r}: give every quantity its points, or "
            "none to split `points` evenly",
        )
        for name in names
        if name not in given
    ]
    return {name: given.get(name, 0.0) for name in names}, problems


def _tolerance(where: str, tol: Any) -> tuple[Any, Any, list[tuple]]:
    """The mode plugin and its validated settings, or the problems with them."""
    mode = plugins.get("tolerances", tol.mode)
    try:
        return mode, mode.settings.model_validate(tol.options()), []
    except ValidationError as exc:
        fields = ["mode", *mode.settings.model_fields]
        return (
            mode,
            None,
            [(_key_path((where, *e["loc"])), _message(e, fields)) for e in exc.errors()],
        )


def _rules(spec: Exercise, quantities: tuple[Quantity, ...]) -> dict[str, Rule]:
    names = [q.name for q in quantities]
    overrides = spec.grading.tolerances
    problems = [
        (f"grading.{table}.{key}", f"no quantity {key!r} in this task (known: {', '.join(names)})")
        for table in ("points", "tolerances")
        for key in getattr(spec.grading, table)
        if key not in names
    ]
    points, more = _points(spec, names)
    problems += more
    # Each tolerance table is checked once, however many quantities share it.
    shared = _tolerance("grading.tolerance", spec.grading.tolerance)
    problems += shared[2]
    rules: dict[str, Rule] = {}
    for name in names:
        if name in overrides:
            mode, settings, more = _tolerance(f"grading.tolerances.{name}", overrides[name])
            problems += more
        else:
            mode, settings, _ = shared
        chosen = overrides.get(name, spec.grading.tolerance).mode
        rules[name] = Rule(points[name], chosen, mode, settings)
    if problems:
        raise ExerciseError("", problems)
    return rules


def load_exercise(id_or_path: str | Path) -> LoadedExercise:
    """Load, validate and resolve an exercise; every problem raises ExerciseError (exit 2)."""
    path = find_exercise(str(id_or_path))
    data, raw = _parse(path)
    try:
        spec = Exercise.model_validate(data)
    except ValidationError as exc:
        problems = [(_key_path(e["loc"]), _message(e)) for e in exc.errors()]
        raise ExerciseError(str(path), problems) from None
    try:
        network = _network(spec)
        task = plugins.get("tasks", spec.task)
        check_consistency(spec, network, task)
        quantities = tuple(task.quantities(network))
        rules = _rules(spec, quantities)
    except ExerciseError as exc:
        raise ExerciseError(str(path), exc.problems) from None
    except PluginError:
        raise
    digest = hashlib.sha256(raw).hexdigest()
    return LoadedExercise(spec, path, digest, network, task, quantities, rules)
