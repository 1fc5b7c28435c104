"""A one-off run (`grader check`): a worker with a single request.

The same supervisor, limits, caps and clean-up as a class run, so a submission gets the same
result in `grader check` as in `grader grade`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from grader.run import sandbox
from grader.run.report import RunReport
from grader.run.request import DEFAULT_FORBIDDEN, RunRequest
from grader.run.worker import Worker


def run_submission(request: RunRequest) -> RunReport:
    """Run `request.function` from the submission once per call; raises only WorkerFailed."""
    with Worker(sandbox.presume()) as worker:  # its server's start answers the probe
        return worker.run(request)


@contextlib.contextmanager
def early_runner(submission: Path) -> Iterator[Callable[[RunRequest], RunReport]]:
    """`grader check`'s runner: a worker whose server starts now, for the default forbidden
    imports (an exercise that forbids more gets a fresh one), and loads on another core while
    the caller loads the exercise. A file of answers runs nothing, so it starts nothing."""
    if submission.suffix.lower() == ".toml":
        yield run_submission
        return
    with Worker(sandbox.presume()) as worker:  # its server's start answers the probe
        worker.launch((*DEFAULT_FORBIDDEN, "grader"))  # as check_submission asks
        yield worker.run


@contextlib.contextmanager
def early_workers(
    count: int, forbidden: Iterable[str] = DEFAULT_FORBIDDEN
) -> Iterator[list[Worker]]:
    """A class run's workers, one per lane, whose servers all start now and load on the other
    cores while the caller goes on (imports, reads the class). They hide the `forbidden`
    packages and the grader, as check_submission asks: an exercise that forbids more restarts
    them. Closed when the block ends."""
    box = sandbox.presume()  # their starts answer the probe
    workers = [Worker(box) for _ in range(max(1, count))]
    try:
        for worker in workers:
            worker.launch((*sorted(set(forbidden)), "grader"))
        yield workers
    finally:
        for worker in workers:
            worker.close()
