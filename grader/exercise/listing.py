"""`grader list`: the search path in order, every exercise it offers, and which one shadows
which (the first folder holding an id wins)."""

from __future__ import annotations

from grader.errors import GraderError
from grader.exercise.finding import Entry, Folder, id_mismatch
from grader.exercise.loader import load_exercise


def _describe(entry: Entry) -> str:
    """`task  title`, or why the file cannot be graded as it is."""
    try:
        loaded = load_exercise(entry.path)
    except GraderError as exc:
        return f"{'?':<11} cannot be loaded: {str(exc).splitlines()[0]}"
    mismatch = id_mismatch(entry.path, loaded.id)
    if mismatch:
        return f"{loaded.spec.task:<11} refused: {mismatch}"
    return f"{loaded.spec.task:<11} {loaded.spec.title}"


def listing_lines(folders: list[Folder], entries: list[Entry]) -> list[str]:
    lines = ["Exercises are searched in this order (the working folder never is):"]
    lines += [f"  {n}. {f.origin:<16} {f.path}" for n, f in enumerate(folders, start=1)]
    lines.append("")
    for entry in entries:
        lines.append(f"{entry.id:<24} {_describe(entry)}  ({entry.origin}: {entry.path})")
        lines += [f"    shadows {s.path} ({s.origin})" for s in entry.shadows]
    return lines
