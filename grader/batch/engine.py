"""Grade jobs on N workers in parallel, each result committed to the gradebook at once."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from grader import __version__
from grader.batch.discover import Job
from grader.batch.fingerprint import fingerprint
from grader.batch.gradebook import Gradebook, Key
from grader.batch.signals import leave_ctrl_c_to_the_main_thread
from grader.errors import GraderError, InternalError
from grader.exercise.finding import model_solution
from grader.exercise.loader import LoadedExercise
from grader.pipeline import (
    LimitOverrides,
    Prepared,
    check_submission,
    prepare,
    protected_paths,
    score_run,
)
from grader.result import CheckResult, Status
from grader.run.report import RunReport
from grader.run.worker import Sent, Worker
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
    ready = prepare_job(job, limits, submission, hide, protected)
    return score_job(job, run_prepared(job, worker, ready))


@dataclass(frozen=True)
class Ran:
    """A job whose run is over and not yet scored (scoring is the CPU-bound half)."""

    prepared: Prepared
    report: RunReport


def prepare_job(
    job: Job,
    limits: LimitOverrides,
    submission: Submission | None = None,
    hide: tuple[str, ...] = (),
    protected: tuple[str, ...] | None = None,
) -> CheckResult | Prepared:
    """The first step of grade_job: its run's request, or its result when there is nothing to
    run (missing, refused, answers, a grader failure). Never raises."""
    if submission is None:
        job, submission = read_job(job)
    if job.path is None or submission is None:
        return _unscored(
            job, "missing", "missing", "; ".join(filter(None, [job.problem, job.note]))
        )
    try:
        ready = prepare(
            job.exercise,
            submission,
            limits=limits.limits_for(job.exercise),
            hide=hide,
            protected=protected,
        )
    except Exception as exc:
        return _failed(job, exc)
    return _as_students(job, ready) if isinstance(ready, CheckResult) else ready


def run_prepared(job: Job, worker: Worker, ready: CheckResult | Prepared) -> CheckResult | Ran:
    """The second step of grade_job: the run, on `worker`. Never raises."""
    if isinstance(ready, CheckResult):
        return ready
    try:
        return Ran(ready, worker.run(ready.request))
    except Exception as exc:
        return _failed(job, exc)


def send_prepared(job: Job, worker: Worker, ready: Prepared) -> CheckResult | tuple[Prepared, Sent]:
    """The run sent to `worker`, to start when the runs sent before it are over (or the job's
    result, when the grader failed). Never raises."""
    try:
        return ready, worker.send(ready.request)
    except Exception as exc:
        return _failed(job, exc)


def finish_prepared(
    job: Job, worker: Worker, sent: CheckResult | tuple[Prepared, Sent]
) -> CheckResult | Ran:
    """A sent run, once it is over. Never raises."""
    if isinstance(sent, CheckResult):
        return sent
    ready, run = sent
    try:
        return Ran(ready, worker.finish(run))
    except Exception as exc:
        return _failed(job, exc)


def score_job(job: Job, ran: CheckResult | Ran) -> CheckResult:
    """The last step of grade_job. Never raises."""
    if isinstance(ran, CheckResult):
        return ran
    try:
        return _as_students(job, score_run(ran.prepared, ran.report))
    except Exception as exc:
        return _failed(job, exc)


def _failed(job: Job, exc: Exception) -> CheckResult:
    if isinstance(exc, GraderError):  # e.g. an unreadable file: about this student, not the class
        return _unscored(job, "missing", "missing", str(exc))
    # The grader broke: say so, keep going, exit 3 at the end.
    return _unscored(
        job,
        "error",
        "error",
        f"the grader failed on this submission ({type(exc).__name__}: {exc})",
    )


def _as_students(job: Job, result: CheckResult) -> CheckResult:
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
    grading = _Grading(jobs, book, settings, on_result, on_start, keys, hide)
    count = max(1, settings.workers)
    supplied = list(workers or [])[:count]
    given: list[Worker | None] = [*supplied, *[None] * (count - len(supplied))]
    # Daemon threads: an interrupted run ends at once; each finished result is already committed.
    lanes = [threading.Thread(target=grading.lane, args=(w,), daemon=True) for w in given]
    computing = threading.Thread(target=grading.compute, args=(count,), daemon=True)
    try:
        for thread in [computing, *lanes]:
            thread.start()
        for thread in lanes:
            thread.join()
    except BaseException:
        # Ctrl-C: every run in progress ends now, and every thread before the interpreter does
        # (a thread still running Python while it ends could crash it). What was scored is
        # committed; the rest is graded on the next run.
        grading.abort()
        grading.wait_for_lanes()  # not join(): one interrupted marks its thread stopped for good
        raise
    finally:
        grading.ran.put(None)
        with contextlib.suppress(RuntimeError):  # never started: Ctrl-C came first
            computing.join()
    if grading.failures:
        raise grading.failures[0]
    return [r for r in grading.results if r is not None]


@dataclass(frozen=True)
class _Resumed:
    """A result found in the gradebook."""

    result: CheckResult


_Step = tuple[int, Key, Job, _Resumed | CheckResult | Prepared]  # prepared, to run


class _Failed:
    """Handed on by a lane that failed, instead of the results it will not hand on."""


_Sent = tuple[int, Key, Job, _Resumed | CheckResult | tuple[Prepared, Sent]]  # sent, to finish
_Done = tuple[int, Key, Job, _Resumed | CheckResult | Ran]  # run, to score


class _Grading:
    """One class run: a lane per worker runs jobs, and one thread does the computing around
    them: it keeps a few jobs prepared ahead (read, looked up in the gradebook, their cases and
    request planned), and scores and commits what the lanes hand on, in the order they hand it
    on. A lane only runs: its worker's server is busy again as soon as a run ends, while this
    process prepares and scores the others (CPU-bound Python, under one GIL anyway)."""

    def __init__(
        self,
        jobs: list[Job],
        book: Gradebook,
        settings: ClassRun,
        on_result: Callable[[CheckResult, bool], None],
        on_start: Callable[[Job], None] | None,
        keys: list[Key | None] | None,
        hide: tuple[str, ...],
    ) -> None:
        self.jobs, self.book, self.settings = jobs, book, settings
        self.on_result, self.on_start, self.keys, self.hide = on_result, on_start, keys, hide
        self.results: list[CheckResult | None] = [None] * len(jobs)
        # Nothing is prepared (compute() keeps `ahead` ready) or run far ahead of what is
        # committed. `ready` has no bound of its own: the lanes' ends never wait to be put there.
        self.ahead = 2 * max(1, settings.workers)
        self.ready: queue.Queue[_Step | None] = queue.Queue()
        self.ran: queue.Queue[_Done | _Failed | None] = queue.Queue(maxsize=self.ahead)
        self.lock = threading.Lock()
        self.failures: list[BaseException] = []
        self.workers: list[Worker] = []  # the lanes' (abort() ends their runs)
        self.live = 0  # lanes running
        self.lanes_gone = threading.Condition(self.lock)
        # Once per exercise, not per submission: they hold for the whole run.
        exercises = {job.exercise.id: job.exercise for job in jobs}
        self.protected = {name: protected_paths(e) for name, e in exercises.items()}

    def compute(self, lanes: int) -> None:
        """The one thread that computes: it keeps a few jobs prepared for the lanes, and scores
        and commits what they hand on (one thread, not two: fewer hand-overs of the GIL)."""
        leave_ctrl_c_to_the_main_thread()
        index, ended = 0, False
        while True:
            if not ended and (index == len(self.jobs) or self.failures):
                for _ in range(lanes):
                    self.ready.put(None)  # one end for each lane
                ended = True
            if not ended and self.ready.qsize() < self.ahead:
                self._guarded(self._prepare, index)
                index += 1
                continue
            step = self.ran.get()
            if step is None:
                return
            if isinstance(step, _Failed):
                continue  # a lane failed: end the class run (above)
            if not self.failures:  # else only taken: no lane may wait for ever on a full queue
                self._guarded(self._score, *step)

    def _guarded(self, work: Callable[..., None], *args: Any) -> None:
        try:
            work(*args)
        except BaseException as exc:  # the gradebook or the progress failed: grade_all raises
            self.failures.append(exc)

    def _prepare(self, index: int) -> None:
        self.ready.put(self._prepared(index))

    def _prepared(self, index: int) -> _Step:
        job, submission = read_job(self.jobs[index])
        key = job_key(job, submission)
        if self.keys is not None:
            self.keys[index] = key
        found = None if self.settings.regrade else self.book.get(key)
        if found is not None:
            return index, key, job, _Resumed(found)
        protected = self.protected[job.exercise.id]
        limits = self.settings.limits
        return index, key, job, prepare_job(job, limits, submission, self.hide, protected)

    def abort(self) -> None:
        """No job is prepared, run or scored any more, and the runs in progress end now."""
        self.failures.append(KeyboardInterrupt())
        for worker in list(self.workers):
            worker.abort()

    def wait_for_lanes(self) -> None:
        """Until every lane that started has ended. (A lane that Ctrl-C kept from starting
        ends by itself at once: it finds the class run aborted.)"""
        with self.lanes_gone:
            self.lanes_gone.wait_for(lambda: self.live == 0)

    def lane(self, given: Worker | None) -> None:
        leave_ctrl_c_to_the_main_thread()
        with self.lock:
            self.live += 1
        try:
            self._lane(given)
        finally:
            with self.lanes_gone:
                self.live -= 1
                self.lanes_gone.notify_all()

    def _lane(self, given: Worker | None) -> None:
        """Each job's run is sent before the last one is over: the worker's server starts it
        the moment that one ends, while this lane reads and hands on the last one's report."""
        worker = given or Worker()
        self.workers.append(worker)
        ahead: _Sent | None = None  # sent, and not finished yet
        try:
            while (step := self.ready.get()) is not None:
                if self.failures:
                    continue  # keep taking what is prepared: the preparer must not wait for ever
                try:
                    sent, ahead = ahead, self._send(step, worker)
                    if sent is not None:
                        self.ran.put(self._finish(sent, worker))
                except BaseException as exc:  # the progress failed: grade_all raises it
                    self.failures.append(exc)
                    # The computing thread may be waiting for what this lane would have
                    # handed on (the run sent ahead is not finished now): tell it.
                    self.ran.put(_Failed())
            if ahead is not None and not self.failures:
                sent, ahead = ahead, None
                self.ran.put(self._finish(sent, worker))
        finally:
            if ahead is not None:  # interrupted, or another lane failed: it is not graded now
                run = ahead[3]
                if isinstance(run, tuple):
                    worker.forget(run[1])
            if given is None:
                worker.close()

    def _send(self, step: _Step, worker: Worker) -> _Sent:
        index, key, job, ready = step
        if not isinstance(ready, Prepared):
            return index, key, job, ready
        if self.on_start is not None:
            with self.lock:
                self.on_start(job)
        return index, key, job, send_prepared(job, worker, ready)

    def _finish(self, sent: _Sent, worker: Worker) -> _Done:
        index, key, job, run = sent
        if isinstance(run, _Resumed):
            return index, key, job, run
        return index, key, job, finish_prepared(job, worker, run)

    def _score(self, index: int, key: Key, job: Job, step: _Resumed | CheckResult | Ran) -> None:
        if isinstance(step, _Resumed):
            result, resumed = step.result, True
        else:
            result, resumed = score_job(job, step), False
            if result.status != "error":  # a grader failure is retried
                self.book.put(key, result)
        self.results[index] = result
        with self.lock:
            self.on_result(result, resumed)
