"""Find each student's file for each exercise, and say what is unexpected instead of failing.

Two layouts: a folder of `<student>.py` files (one exercise), or a folder of `<student>/`
folders holding `<exercise-id>.py` files (one or several exercises). Dotfiles are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.errors import InputError
from grader.exercise.loader import LoadedExercise


@dataclass(frozen=True)
class Job:
    student: str
    exercise: LoadedExercise
    path: Path | None  # None when there is nothing to grade
    problem: str = ""  # why there is nothing to grade


def _in_folder(folder: Path, exercise: LoadedExercise, several: bool) -> tuple[Path | None, str]:
    named = folder / f"{exercise.id}.py"
    if named.is_file():
        return named, ""
    files = sorted(p for p in folder.glob("*.py") if p.is_file())
    if not several and len(files) == 1:
        return files[0], ""
    if not any(p for p in folder.iterdir() if not p.name.startswith(".")):
        return None, f"{folder.name}/ is empty"
    found = ", ".join(p.name for p in files) or "no .py file"
    return None, f"no {exercise.id}.py in {folder.name}/ (found: {found})"


def discover(root: Path, exercises: list[LoadedExercise]) -> list[Job]:
    if not root.is_dir():
        raise InputError(f"{root}: no such folder of submissions")
    several = len(exercises) > 1
    jobs: list[Job] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        for exercise in exercises:
            if entry.is_dir():
                path, problem = _in_folder(entry, exercise, several)
                jobs.append(Job(entry.name, exercise, path, problem))
            elif entry.suffix == ".py" and not several:
                jobs.append(Job(entry.stem, exercise, entry))
            elif entry.suffix == ".py":
                jobs.append(
                    Job(
                        entry.stem,
                        exercise,
                        None,
                        f"{entry.name} is a single file, but "
                        f"{len(exercises)} exercises are graded: put "
                        f"{exercise.id}.py in a folder {entry.stem}/",
                    )
                )
            else:
                jobs.append(
                    Job(
                        entry.name,
                        exercise,
                        None,
                        f"{entry.name} is not a submission "
                        "(expected <student>.py or a <student>/ folder)",
                    )
                )
    return jobs
