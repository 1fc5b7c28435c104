"""Defaults for a reporter: the optional half of the contract in grader/protocols.py."""

from __future__ import annotations

from typing import IO, ClassVar

from grader.result import CheckResult


class BaseReporter:
    """Inherit for the defaults of every optional member; override `add` (and `close`)."""

    filename: ClassVar[str | None] = "results.{name}"
    per_result: ClassVar[bool] = False
    reports_failures: ClassVar[bool] = False

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def start(self, total: int) -> None:
        """`grader grade` announces how many results follow; nothing to do by default."""

    def add(self, result: CheckResult) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement add(result)")

    def close(self) -> None:
        self.stream.flush()


class CollectingReporter(BaseReporter):
    """For a format that is one document: keeps every result for `close()` to write.
    `batch`: whether `grader grade` announced a class (a class of one is still a class)."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)
        self.results: list[CheckResult] = []
        self.batch = False

    def start(self, total: int) -> None:
        self.batch = True

    def add(self, result: CheckResult) -> None:
        self.results.append(result)
