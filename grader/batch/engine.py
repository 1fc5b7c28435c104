"""Grade jobs on N workers in parallel, each result committed to the gradebook at once."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from grader import __version__
from grader.batch.discover import Job
from grader.batch.fingerprint import fingerprint
from grader.batch.gradebook import Gradebook, Key
from grader.errors import GraderError, InternalError
from grader.exercise.finding import model_solution
from grader.exercise.loader import LoadedExercise
from grader.pipeline import LimitOverrides, check_submission, protected_paths
from grader.result import CheckResult, Status
from grader.run.worker import Worker
from grader.submission import Submission, read_submission, read_trusted

if TYPE_CHECKING:
    from grader.batch.settings import ClassRun


def _unscored(job: Job, status: Status, outcome: str, message: str) -> CheckResult:
    ex = job.exercise
    return CheckResult(
        student=job.student,
        status=status,
        outcome=outcome,
        exercise=ex.id,
        title=ex.spec.title,
        submission=str(job.path or ""),
        score=0.0,
        max_score=ex.max_score,
        seed=0,
        hidden_cases=0,
        problems=[message],
        grader_version=__version__,
    )


def read_job(job: Job) -> tuple[Job, Submission | None]:
    """The job's bytes, read once and safely; a refused or unreadable file makes it missing."""
    if job.path is None:
        return job, None
    try:
        return job, read_submission(job.path, job.root)
    except (GraderError, OSError) as exc:  # a link, a FIFO, too big, gone: this student's
        return replace(job, path=None, problem=str(exc)), None


def grade_job(
    job: Job,
    worker: Worker,
    limits: LimitOverrides,
    submission: Submission | None = None,
    hide: tuple[str, ...] = (),
    protected: tuple[str, ...] | None = None,
) -> CheckResult:
    """One student's result for one exercise; never raises. `hide`: the class's folders;
    `protected`: the exercise's protected_paths(), if known already."""
    if submission is None:
        job, submission = read_job(job)
    if job.path is None or submission is None:
        return _unscored(
            job, "missing", "missing", "; ".join(filter(None, [job.problem, job.note]))
        )
    try:
        result = check_submission(
            job.exercise,
            submission,
            limits=limits.limits_for(job.exercise),
            run=worker.run,
            hide=hide,
            protected=protected,
        )
    except GraderError as exc:  # e.g. an unreadable file: about this student, not the class
        return _unscored(job, "missing", "missing", str(exc))
    except Exception as exc:  # the grader broke: say so, keep going, exit 3 at the end
        return _unscored(
            job,
            "error",
            "error",
            f"the grader failed on this submission ({type(exc).__name__}: {exc})",
        )
    notes = [job.note] if job.note else []
    return result.with_changes(student=job.student, problems=notes + result.problems)


def canary(exercise: LoadedExercise, worker: Worker, limits: LimitOverrides) -> str:
    """The model solution must earn full marks here before any student is scored.

    Returns a note for the summary when there is no model solution to run.
    """
    path = model_solution(exercise)
    if not path.is_file():
        return f"no model solution at {path}: the environment check (canary) was skipped"
    result = check_submission(
        exercise, read_trusted(path), limits=limits.limits_for(exercise), run=worker.run
    )
    if not result.full_marks:
        why = "; ".join(result.problems) or "; ".join(
            f"{c.name}: {c.message.splitlines()[0]}" for c in result.checks if c.status != "pass"
        )
        raise InternalError(
            f"the environment is broken: the model solution {path} earns {result.score:g}/"
            f"{result.max_score:g} here ({why}). No submission was graded."
        )
    return ""


def job_key(job: Job, submission: Submission | None) -> Key:
    """The gradebook's key: the bytes graded, the exercise file, the grader's code."""
    digest = submission.digest if submission is not None else ""
    return (job.student, job.exercise.id, digest, job.exercise.digest, fingerprint())


def grade_all(
    jobs: list[Job],
    book: Gradebook,
    settings: ClassRun,
    on_result: Callable[[CheckResult, bool], None],
    on_start: Callable[[Job], None] | None = None,
    keys: list[Key | None] | None = None,
    hide: tuple[str, ...] = (),
    workers: list[Worker] | None = None,
) -> list[CheckResult]:
    """Results in job order, on `settings.workers` lanes, each run under `settings.limits`
    (`settings.regrade`: graded again, not read from the gradebook). `on_start(job)` is called
    when a job starts running (not for one found in the gradebook), `on_result(result,
    resumed)` as each result is known. `keys`, when given (one slot per job), receives each
    job's gradebook key, for the run's record. `hide`: folders no run may see (the submissions
    and the output folder). `workers`: one per lane, started already (the caller closes
    them); by default each lane starts its own."""
    results: list[CheckResult | None] = [None] * len(jobs)
    todo: queue.Queue[int] = queue.Queue()
    for index in range(len(jobs)):
        todo.put(index)
    lock = threading.Lock()
    # Once per exercise, not per submission: they hold for the whole run.
    exercises = {job.exercise.id: job.exercise for job in jobs}
    protected = {name: protected_paths(exercise) for name, exercise in exercises.items()}

    def lane(given: Worker | None) -> None:
        worker = given or Worker()
        try:
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                job, submission = read_job(jobs[index])
                key = job_key(job, submission)
                if keys is not None:
                    keys[index] = key
                found = None if settings.regrade else book.get(key)
                if found is None and on_start is not None:
                    with lock:
                        on_start(job)
                result = found or grade_job(
                    job, worker, settings.limits, submission, hide, protected[job.exercise.id]
                )
                if found is None and result.status != "error":  # a grader failure is retried
                    book.put(key, result)
                results[index] = result
                with lock:
                    on_result(result, found is not None)
        finally:
            if given is None:
                worker.close()

    # Daemon lanes: an interrupted run ends at once; each finished result is already committed.
    count = max(1, settings.workers)
    supplied = list(workers or [])[:count]
    given: list[Worker | None] = [*supplied, *[None] * (count - len(supplied))]
    threads = [threading.Thread(target=lane, args=(w,), daemon=True) for w in given]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r for r in results if r is not None]
