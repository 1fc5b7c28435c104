"""`grader list`: the search path in order, every exercise it offers, and which one shadows
which (the first folder holding an id wins)."""

from __future__ import annotations

from grader.errors import GraderError
from grader.exercise.finding import Entry, Folder, id_mismatch
from grader.exercise.loader import load_exercise


def _describe(entry: Entry) -> tuple[str, str]:
    """`task  title`, or a short word and the whole reason the file cannot be graded as it is."""
    try:
        loaded = load_exercise(entry.path)
    except GraderError as exc:
        return f"{'?':<11} cannot be loaded (see below)", str(exc)
    mismatch = id_mismatch(entry.path, loaded.id)
    if mismatch:
        return f"{loaded.spec.task:<11} refused: {mismatch}", f"{entry.path}: id: {mismatch}"
    return f"{loaded.spec.task:<11} {loaded.spec.title}", ""


def listing(folders: list[Folder], entries: list[Entry]) -> tuple[list[str], list[str]]:
    """The lines of the listing, and one problem per exercise that cannot be loaded: one
    broken file is said and hides nothing else."""
    lines = ["Exercises are searched in this order (the working folder never is):"]
    lines += [f"  {n}. {f.origin:<16} {f.path}" for n, f in enumerate(folders, start=1)]
    lines.append("")
    broken = []
    for entry in entries:
        described, problem = _describe(entry)
        lines.append(f"{entry.id:<24} {described}  ({entry.origin}: {entry.path})")
        lines += [f"    shadows {s.path} ({s.origin})" for s in entry.shadows]
        broken += [problem] if problem else []
    return lines, broken
