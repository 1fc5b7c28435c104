"""The one place a reporter is driven: construct, start, add, close (grader/protocols.py).

`grader check` and `grader grade` both come through `drive`; the optional members of the
contract are read here, through `options`, with BaseReporter's defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from grader.report.base import BaseReporter
from grader.result import CheckResult


@dataclass(frozen=True)
class Options:
    """Where a format's report goes and when it is written."""

    filename: str | None  # None: standard output
    per_result: bool
    reports_failures: bool


def options(reporter_class: Any, name: str) -> Options:
    """The optional members of `reporter_class`, or BaseReporter's defaults."""

    def member(key: str) -> Any:
        return getattr(reporter_class, key, getattr(BaseReporter, key))

    filename = member("filename")
    return Options(
        filename=filename.replace("{name}", name) if isinstance(filename, str) else None,
        per_result=bool(member("per_result")),
        reports_failures=bool(member("reports_failures")),
    )


def drive(
    reporter_class: Any, stream: IO[str], results: Iterable[CheckResult], *, batch: bool
) -> None:
    """One report: construct on `stream`, `start(total)` for a class run, add each, close."""
    results = list(results)
    reporter = reporter_class(stream)
    if batch:
        start = getattr(reporter, "start", None)
        if start is not None:  # optional: BaseReporter's does nothing
            start(len(results))
    for result in results:
        reporter.add(result)
    reporter.close()
