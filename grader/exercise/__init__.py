"""Step 1 of the pipeline: load an exercise file into a checked, ready-to-grade object."""

from grader.exercise.finding import find_exercise, list_exercises
from grader.exercise.loader import LoadedExercise, load_exercise

__all__ = ["LoadedExercise", "find_exercise", "list_exercises", "load_exercise"]
