"""Machine-readable results: one JSON object per `grader check`, `{"results": [...]}` for many."""

from __future__ import annotations

import json
from typing import IO

from grader.result import CheckResult


class JsonReporter:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.results: list[dict] = []

    def add(self, result: CheckResult) -> None:
        self.results.append(result.model_dump(mode="json"))

    def close(self) -> None:
        payload = self.results[0] if len(self.results) == 1 else {"results": self.results}
        json.dump(payload, self.stream, indent=2)
        self.stream.write("\n")
        self.stream.flush()


reporter = JsonReporter
