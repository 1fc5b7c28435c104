"""A one-off run (`grader check`): a worker with a single request.

The same supervisor, limits, caps and clean-up as a class run, so a submission gets the same
result in `grader check` as in `grader grade`.
"""

from __future__ import annotations

from grader.run.report import RunReport
from grader.run.request import RunRequest
from grader.run.worker import Worker


def run_submission(request: RunRequest) -> RunReport:
    """Run `request.function` from the submission once per call; raises only WorkerFailed."""
    with Worker() as worker:
        return worker.run(request)
