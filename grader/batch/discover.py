"""Find each student's file for each exercise, and say what is unexpected instead of failing.

Two layouts: a folder of `<student>.py` (or `.ipynb`, or `.toml` answers) files (one exercise),
or a folder of `<student>/` folders holding `<exercise-id>.py` (or `.ipynb`, `.toml`) files (one
or several exercises). The student's id is the file's stem or the folder's name.
Dotfiles are ignored.

Nothing is followed: a student's file or folder that is a symbolic link (to a classmate's, to
the model solution) is that student's "missing" result, and the files are read later through
grader/submission.py, which refuses links on the way below the class folder.
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
    root: Path | None = None  # the class folder: the part of `path` followed as given


def _kind(path: Path) -> str:
    """folder, file, link or other, without following a link."""
    if path.is_symlink():
        return "link"
    if path.is_dir():
        return "folder"
    return "file" if path.is_file() else "other"


def _linked(name: str) -> str:
    return (
        f"{name} is a symbolic link: a submission is read only from real files and folders "
        "(a link could point at someone else's work)"
    )


# A program, a notebook or a file of answers; the suffix in any case, as `check` takes it.
CODE = (".py", ".ipynb", ".toml")


def _is_code(path: Path) -> bool:
    return path.suffix.lower() in CODE


def _in_folder(folder: Path, exercise: LoadedExercise, several: bool) -> tuple[Path | None, str]:
    for named in (folder / f"{exercise.id}{suffix}" for suffix in CODE):
        if _kind(named) == "link":
            return None, _linked(f"{folder.name}/{named.name}")
        if _kind(named) == "file":
            return named, ""
    files = sorted(p for p in folder.iterdir() if _is_code(p) and _kind(p) == "file")
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
    kinds = {e: _kind(e) for e in entries}
    folders = {e.name for e in entries if kinds[e] == "folder"}
    twins = {e.stem for e in entries if _is_code(e) and e.stem in folders}
    for entry in entries:
        if _is_code(entry) and entry.stem in twins:
            continue  # alice.py beside alice/: one student, handed in twice; see `note`
        for exercise in exercises:
            student = entry.stem if _is_code(entry) else entry.name
            if kinds[entry] == "link":
                jobs.append(Job(student, exercise, None, _linked(entry.name), root=root))
            elif kinds[entry] == "folder":
                path, problem = _in_folder(entry, exercise, several)
                note = (
                    f"a file {entry.name}.* beside {entry.name}/ was not graded: the folder was"
                    if entry.name in twins
                    else ""
                )
                jobs.append(Job(entry.name, exercise, path, problem, note, root))
            elif _is_code(entry) and not several:
                jobs.append(Job(entry.stem, exercise, entry, root=root))
            elif _is_code(entry):
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
                        "(expected <student>.py, <student>.ipynb or a <student>/ folder)",
                    )
                )
    return jobs
