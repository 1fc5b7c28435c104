"""Step 1 of the pipeline: load an exercise file into a checked, ready-to-grade object."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.exercise.finding import find_exercise, list_exercises
    from grader.exercise.loader import LoadedExercise, load_exercise

__all__ = ["LoadedExercise", "find_exercise", "list_exercises", "load_exercise"]
_WHERE = {
    "LoadedExercise": "loader",
    "load_exercise": "loader",
    "find_exercise": "finding",
    "list_exercises": "finding",
}


def __getattr__(name: str) -> Any:
    # Imported when first asked for: the command line's options import grader.exercise.finding
    # before any command runs, and the loader (pydantic, numpy) costs start-up time.
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"grader.exercise.{_WHERE[name]}"), name)
