"""Machine-readable results: one object for `grader check`, `{"results": [...]}` for a class."""

from __future__ import annotations

import json

from grader.report.base import CollectingReporter


class JsonReporter(CollectingReporter):
    filename = "results.json"

    def close(self) -> None:
        # Through pydantic's JSON encoder: NaN and Infinity become strings, keeping it strict JSON.
        results = [json.loads(result.model_dump_json()) for result in self.results]
        one = len(results) == 1 and not self.batch  # a class is a list, even a class of one
        payload = results[0] if one else {"results": results}
        json.dump(payload, self.stream, indent=2, allow_nan=False)
        self.stream.write("\n")
        self.stream.flush()


reporter = JsonReporter
