"""Where exercises are: a path, the course's own exercises/ folder, or the bundled ones."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from grader.errors import InputError
from grader.suggest import close_matches


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
    close = close_matches(id_or_path, list(known))
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known) or 'none'}"
    raise InputError(f"unknown exercise {id_or_path!r} ({hint})")
