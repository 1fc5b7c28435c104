"""Exercises by name, the way the command line loads them: from the search path (finding.py),
each one nameable by its file name.

`--exercise ID` finds `ID.toml`; a file whose `id` says something else would be listed under
one name and graded under another, so an exercise found by name must carry its file's name.
A path given explicitly is loaded as it is.
"""

from __future__ import annotations

from pathlib import Path

from grader.errors import ExerciseError
from grader.exercise.finding import exercises_in, find_exercise, id_mismatch, looks_like_path
from grader.exercise.loader import LoadedExercise, load_exercise


def _nameable(exercise: LoadedExercise) -> LoadedExercise:
    problem = id_mismatch(exercise.path, exercise.id)
    if problem:
        raise ExerciseError(str(exercise.path), [("id", problem)])
    return exercise


def load_named(id_or_path: str) -> LoadedExercise:
    """`--exercise ID_OR_PATH`: an id from the search path, or a path that looks like one."""
    exercise = load_exercise(find_exercise(id_or_path))
    return exercise if looks_like_path(id_or_path) else _nameable(exercise)


def load_targets(targets: list[str], every: list[Path]) -> list[LoadedExercise]:
    """`grader validate [EXERCISE | DIR]...`: ids, files, or every exercise of a folder;
    nothing named means `every` (the whole search path)."""
    if not targets:
        return [_nameable(load_exercise(path)) for path in every]
    loaded = []
    for target in targets:
        if looks_like_path(target) and Path(target).is_dir():
            loaded += [_nameable(load_exercise(path)) for path in exercises_in(Path(target))]
        else:
            loaded.append(load_named(target))
    return loaded
