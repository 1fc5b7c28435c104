"""Where exercises are: only where the person running the grader said.

The search path, first match of an id wins:
1. every `--exercises DIR` given on the command line, in order;
2. `GRADER_EXERCISES`, folders separated like PATH (os.pathsep);
3. the bundled exercises.

The working folder is never searched implicitly: a submission graded from inside its own upload
must not be able to define the exercise it is graded against. An argument is a path only when
it looks like one (it holds a path separator or ends in `.toml`); anything else is an id.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import InputError
from grader.suggest import close_matches

if TYPE_CHECKING:  # the loader imports this module
    from grader.exercise.loader import LoadedExercise

ENV = "GRADER_EXERCISES"

# Set by the command line (`--exercises DIR`) for the one command it runs; see use_folders().
_command_line: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Folder:
    path: Path
    origin: str  # "--exercises", "GRADER_EXERCISES" or "bundled"


@dataclass(frozen=True)
class Entry:
    id: str  # the file name without .toml: what `--exercise ID` names
    path: Path
    origin: str
    shadows: tuple[Folder, ...] = ()  # later folders holding an exercise of the same id


def bundled_dir(name: str) -> Path:
    """The `exercises` or `solutions` folder shipped inside the package."""
    try:
        spec = importlib.util.find_spec(f"grader.bundled.{name}")
    except ModuleNotFoundError:  # an editable install may not map the bundled folders
        spec = None
    if spec and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parents[2] / name  # a source checkout, not installed


def use_folders(folders: Iterable[Path]) -> None:
    """The `--exercises` folders of the command being run (an empty list resets them)."""
    global _command_line
    _command_line = tuple(Path(f) for f in folders)


def _env_folders() -> list[Path]:
    # An empty entry means the working folder in PATH; here it means nothing at all.
    return [Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]


def _installed_folders() -> list[Path]:
    """Exercises shipped by installed packages: no such mechanism yet (an entry-point group
    would slot in here, after the person's own folders and before the bundled ones)."""
    return []


def search_path() -> list[Folder]:
    """The folders searched, in order, each once; folders that do not exist are skipped."""
    candidates = [
        *(Folder(p, "--exercises") for p in _command_line),
        *(Folder(p, ENV) for p in _env_folders()),
        *(Folder(p, "installed") for p in _installed_folders()),
        Folder(bundled_dir("exercises"), "bundled"),
    ]
    seen: set[Path] = set()
    folders = []
    for folder in candidates:
        real = folder.path.resolve()
        if folder.path.is_dir() and real not in seen:
            seen.add(real)
            folders.append(folder)
    return folders


def search_dirs() -> list[Path]:
    return [folder.path for folder in search_path()]


def _tomls(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


def list_entries() -> list[Entry]:
    """Every exercise id on the search path, with where it comes from and what it shadows."""
    first: dict[str, Entry] = {}
    for folder in search_path():
        for path in _tomls(folder.path):
            known = first.get(path.stem)
            if known is None:
                first[path.stem] = Entry(path.stem, path, folder.origin)
            else:
                shadowed = (*known.shadows, Folder(path, folder.origin))
                first[path.stem] = Entry(known.id, known.path, known.origin, shadowed)
    return [first[k] for k in sorted(first)]


def list_exercises() -> list[Path]:
    return [entry.path for entry in list_entries()]


def looks_like_path(text: str) -> bool:
    separators = {s for s in ("/", os.sep, os.altsep) if s}
    return text.endswith(".toml") or any(s in text for s in separators)


def exercises_in(folder: Path) -> list[Path]:
    """The exercise files of one folder (`grader validate DIR`)."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder of exercises")
    found = _tomls(folder)
    if not found:
        raise InputError(f"{folder}: no exercise files (*.toml) in this folder")
    return found


def id_mismatch(path: Path, exercise_id: str) -> str:
    """Why an exercise found by its file name cannot be named by its id, or ""."""
    if exercise_id == path.stem:
        return ""
    return (
        f"id {exercise_id!r} does not match the file name {path.name!r}: `--exercise` names "
        f"an exercise by its file, so rename the file to {exercise_id}.toml or set "
        f'id = "{path.stem}"'
    )


def find_exercise(id_or_path: str) -> Path:
    if looks_like_path(id_or_path):
        path = Path(id_or_path)
        if not path.is_file():
            raise InputError(f"{id_or_path}: no such exercise file")
        return path
    known = {entry.id: entry.path for entry in list_entries()}
    if id_or_path in known:
        return known[id_or_path]
    close = close_matches(id_or_path, list(known))
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known) or 'none'}"
    if Path(id_or_path).exists():
        hint += f"; to mean the file or folder here, write ./{id_or_path}"
    raise InputError(f"unknown exercise {id_or_path!r} ({hint})")


def solution_candidates(
    exercise_path: Path, exercise_id: str, declared: str | None = None
) -> list[Path]:
    """Where a model solution may be, in order of preference.

    `declared` is the exercise's optional `solution = "path"` key (relative to the TOML); the
    key belongs to the schema, so callers pass it when the schema has it.
    """
    folder = exercise_path.resolve().parent
    candidates = [folder / declared] if declared else []
    candidates += [folder / f"{exercise_id}.py", folder.parent / "solutions" / f"{exercise_id}.py"]
    return candidates


def find_solution(exercise_path: Path, exercise_id: str, declared: str | None = None) -> Path:
    """The model solution's path: the first candidate that exists, else where it should be.

    A declared path is authoritative: when it names nothing, that is the answer (not a guess).
    """
    candidates = solution_candidates(exercise_path, exercise_id, declared)
    if declared:
        return candidates[0]
    return next((c for c in candidates if c.is_file()), candidates[-1])


def model_solution(exercise: LoadedExercise) -> Path:
    """The model solution of a loaded exercise: its `solution` key, else beside it."""
    return exercise.solution_path()
