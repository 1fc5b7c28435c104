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
    note: str = ""  # something unexpected that did not stop the grading


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
    entries = sorted(e for e in root.iterdir() if not e.name.startswith("."))
    folders = {e.name for e in entries if e.is_dir()}
    twins = {e.stem for e in entries if e.suffix == ".py" and e.is_file() and e.stem in folders}
    for entry in entries:
        if entry.suffix == ".py" and entry.is_file() and entry.stem in twins:
            continue  # alice.py beside alice/: one student, handed in twice; see `note`
        for exercise in exercises:
            if entry.is_dir():
                path, problem = _in_folder(entry, exercise, several)
                note = (
                    f"{entry.name}.py beside {entry.name}/ was not graded: the folder was"
                    if entry.name in twins
                    else ""
                )
                jobs.append(Job(entry.name, exercise, path, problem, note))
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
