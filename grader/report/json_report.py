"""Machine-readable results: one object for `grader check`, `{"results": [...]}` for a class."""

from __future__ import annotations

import json
from typing import IO

from grader.report.base import BaseReporter
from grader.result import CheckResult


class JsonReporter(BaseReporter):
    filename = "results.json"

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)
        self.results: list[dict] = []
        self.batch = False

    def start(self, total: int) -> None:
        """`grader grade` calls this: a class is always a list, even a class of one."""
        self.batch = True

    def add(self, result: CheckResult) -> None:
        # Through pydantic's JSON encoder: NaN and Infinity become strings, keeping it strict JSON.
        self.results.append(json.loads(result.model_dump_json()))

    def close(self) -> None:
        one = len(self.results) == 1 and not self.batch
        payload = self.results[0] if one else {"results": self.results}
        json.dump(payload, self.stream, indent=2, allow_nan=False)
        self.stream.write("\n")
        self.stream.flush()


reporter = JsonReporter
