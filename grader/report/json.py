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
        # Through pydantic's JSON encoder: NaN and Infinity become strings, keeping it strict JSON.
        self.results.append(json.loads(result.model_dump_json()))

    def close(self) -> None:
        payload = self.results[0] if len(self.results) == 1 else {"results": self.results}
        json.dump(payload, self.stream, indent=2, allow_nan=False)
        self.stream.write("\n")
        self.stream.flush()


reporter = JsonReporter
