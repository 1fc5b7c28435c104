"""`grader grade`, as a library call."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from grader import plugins
from grader.batch.discover import discover
from grader.batch.engine import Overrides, canary, grade_all
from grader.batch.gradebook import Gradebook
from grader.batch.progress import Progress, summary
from grader.batch.reports import write_reports
from grader.exercise.loader import LoadedExercise
from grader.result import CheckResult
from grader.run.worker import Worker


@dataclass
class ClassResults:
    results: list[CheckResult]
    reports: list[str]
    summary: str

    @property
    def grader_failed(self) -> bool:
        return any(r.status == "error" for r in self.results)


def grade_class(
    root: Path,
    exercises: list[LoadedExercise],
    out: Path,
    workers: int,
    formats: list[str],
    regrade: bool,
    overrides: Overrides,
    progress_stream: IO[str],
) -> ClassResults:
    for name in formats:
        plugins.get("reporters", name)  # an unknown format fails before any grading
    jobs = discover(root, exercises)
    worker = Worker()
    try:
        notes = [canary(exercise, worker, overrides) for exercise in exercises]
    finally:
        worker.close()
    book = Gradebook(out / "gradebook.sqlite")
    progress = Progress(len(jobs), progress_stream)
    resumed = 0

    def on_result(result: CheckResult, from_book: bool) -> None:
        nonlocal resumed
        resumed += from_book
        progress.update(result, from_book)

    started = time.monotonic()
    try:
        # No run sees the class's submissions or the reports (a run without bubblewrap would
        # otherwise read its classmates' files): covered in its own mount namespace.
        hide = (str(root.resolve()), str(out.resolve()))
        results = grade_all(jobs, book, workers, overrides, regrade, on_result, hide)
    finally:
        book.close()
    reports = write_reports(results, formats, out)
    text = summary(results, time.monotonic() - started, resumed)
    return ClassResults(results, reports, "\n".join([*filter(None, notes), text]))
