"""Exercises by name, the way the command line loads them: from the search path (finding.py),
each one nameable by its file name.

`--exercise ID` finds `ID.toml`; a file whose `id` says something else would be listed under
one name and graded under another, so an exercise found by name must carry its file's name.
A path given explicitly is loaded as it is.
"""

from __future__ import annotations

from grader.errors import ExerciseError
from grader.exercise.finding import find_exercise, id_mismatch, looks_like_path
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
