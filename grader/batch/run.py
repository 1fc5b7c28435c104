"""`grader grade`, as a library call."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import __version__, plugins
from grader.batch.discover import Job, discover
from grader.batch.engine import canary, grade_all
from grader.batch.gradebook import Gradebook, Key
from grader.batch.integrity import flag_borrowed
from grader.batch.personal import Variants, class_variants, personal_job, with_variant
from grader.batch.progress import Progress, summary
from grader.batch.record import make_record
from grader.batch.reports import write_reports
from grader.batch.settings import ClassRun
from grader.batch.shard import WHOLE
from grader.errors import InputError, InternalError
from grader.exercise.loader import LoadedExercise
from grader.pipeline import LimitOverrides
from grader.report.visibility import with_visibility
from grader.result import CheckResult
from grader.run.runner import early_workers
from grader.run.worker import Worker


@dataclass
class ClassResults:
    results: list[CheckResult]
    reports: list[str]
    summary: str

    @property
    def grader_failed(self) -> bool:
        return any(r.status == "error" for r in self.results)


def distinct(exercises: Sequence[LoadedExercise]) -> list[LoadedExercise]:
    """Each exercise once (`-e X -e X` is one exercise, and so are two copies of one file);
    two different files of one id are refused: results are kept by id."""
    seen: dict[str, LoadedExercise] = {}
    for exercise in exercises:
        other = seen.setdefault(exercise.id, exercise)
        if other.digest != exercise.digest:
            raise InputError(
                f"two exercises have the id {exercise.id!r}: {other.path} and {exercise.path}"
                " differ (results are kept by id: grade one of them)"
            )
    return list(seen.values())


def not_graded(jobs: list[Job], reason: str) -> list[CheckResult]:
    """What every report says when the environment check failed: nobody was graded, and why."""
    return [
        with_visibility(
            CheckResult(
                student=job.student,
                status="error",
                outcome="not-graded",
                exercise=job.exercise.id,
                title=job.exercise.spec.title,
                submission=str(job.path or ""),
                score=0.0,
                max_score=job.exercise.max_score,
                seed=0,
                hidden_cases=0,
                problems=[f"not graded: {reason}"],
                grader_version=__version__,
            ),
            job.exercise,
        )
        for job in jobs
    ]


def _canaries(
    exercises: Sequence[LoadedExercise],
    jobs: list[Job],
    limits: LimitOverrides,
    out: Path,
    formats: Sequence[str],
    worker: Worker,
) -> list[str]:
    """Each exercise's model solution graded first; if one fails, the reports say so, raise."""
    try:
        return [canary(exercise, worker, limits) for exercise in exercises]
    except Exception as exc:
        reason = str(exc) if isinstance(exc, InternalError) else f"{type(exc).__name__}: {exc}"
        written = write_reports(not_graded(jobs, reason), list(formats), out)
        where = f"; every report says so: {', '.join(written)}" if written else ""
        raise InternalError(f"{reason}{where}") from exc


def _forget_last_run(path: Path) -> None:
    """Until this run finishes, its folder holds no run to merge (a canary that fails, a kill:
    an earlier run's record would be merged as if it were this one's)."""
    if path.exists():  # a failed canary on a first run leaves no gradebook at all
        book = Gradebook(path)
        try:
            book.begin_run()
        finally:
            book.close()


UNISOLATED = (
    "graded with --no-isolation: this submission ran without isolation from the other "
    "submissions and from the grader (no bubblewrap, and the grader was not root)"
)


def grade_class(settings: ClassRun, workers: Sequence[Worker] = ()) -> ClassResults:
    """Grade every student of `settings.root` on each exercise, write the reports.

    `workers`: one per lane, launched already (the caller closes them); by default the lanes'
    workers start here, and close at the end."""
    for name in settings.formats:
        plugins.get("reporters", name)  # an unknown format fails before any grading
    exercises = distinct(settings.exercises)
    shard, out = settings.shard, settings.out
    try:  # before any grading: the gradebook lives there
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out}: cannot make the folder ({exc.strerror})") from None
    everyone = discover(settings.root, exercises)
    # Positions in the whole class's order: a merge of the shards puts them back in it.
    positions = [i for i, job in enumerate(everyone) if shard.holds(job.student)]
    variants = class_variants(everyone)  # each student's own numbers, where [variants] says
    jobs = [personal_job(everyone[i], variants) for i in positions]
    _forget_last_run(out / "gradebook.sqlite")
    if workers:
        lanes = list(workers)[: max(1, settings.workers)]
        return _grade_launched(settings, exercises, everyone, positions, jobs, lanes, variants)
    # The first server grades the canary while the others load.
    forbidden = {name for e in exercises for name in e.spec.grading.forbidden_imports}
    with early_workers(settings.workers, forbidden) as launched:
        return _grade_launched(settings, exercises, everyone, positions, jobs, launched, variants)


def _grade_launched(
    settings: ClassRun,
    exercises: list[LoadedExercise],
    everyone: list[Job],
    positions: list[int],
    jobs: list[Job],
    workers: list[Worker],
    variants: Variants,
) -> ClassResults:
    shard, out, formats = settings.shard, settings.out, list(settings.formats)
    notes = _canaries(exercises, jobs, settings.limits, out, formats, workers[0])
    book = Gradebook(out / "gradebook.sqlite")
    progress = Progress(len(jobs), settings.progress)
    resumed = 0

    def on_result(result: CheckResult, from_book: bool) -> None:
        nonlocal resumed
        resumed += from_book
        progress.update(result, from_book)

    started = time.monotonic()
    keys: list[Key | None] = [None] * len(jobs)
    try:
        # No run sees the class's submissions or the reports (a run without bubblewrap would
        # otherwise read its classmates' files): covered in its own mount namespace.
        hide = (str(settings.root.resolve()), str(out.resolve()))
        with progress.ticking():
            results = grade_all(
                jobs, book, settings, on_result, progress.start, keys, hide, workers
            )
        by_id = {e.id: e for e in exercises}
        results = [with_visibility(with_variant(r, variants), by_id[r.exercise]) for r in results]
        results = flag_borrowed(results, jobs, variants)
        roster = list(dict.fromkeys(job.student for job in everyone))
        record = make_record(shard, exercises, roster)
        rows = [
            (p, k, r) for p, k, r in zip(positions, keys, results, strict=True) if k is not None
        ]
        book.finish_run(record.to_rows(), rows)
    finally:
        book.close()
    if settings.unisolated:  # said in every report, not only in the summary
        results = [r.with_changes(notes=[*r.notes, UNISOLATED]) for r in results]
    reports = write_reports(results, formats, out)
    text = summary(results, time.monotonic() - started, resumed)
    if shard != WHOLE:
        notes.append(f"shard {shard}: {len(record.students)} of {len(roster)} students")
    return ClassResults(results, reports, "\n".join([*filter(None, notes), text]))
