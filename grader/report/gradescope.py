"""Gradescope's results.json, one per submission (the autograder specification's format).

If grading itself broke, the file is still valid: score 0, a visible message for the student
and the details in a test only the instructor sees.
"""

from __future__ import annotations

import json
from typing import IO

from grader.result import CheckResult


def results_json(result: CheckResult) -> dict:
    tests = [
        {
            "name": check.name,
            "score": round(check.score, 6),
            "max_score": check.max_score,
            "status": "passed" if check.status == "pass" else "failed",
            "output": check.message
            + (f"\n\nLikely cause: {check.explanation}" if check.explanation else ""),
            "visibility": "visible",
        }
        for check in result.checks
    ]
    output = "\n".join(result.problems)
    if result.status == "error":
        output = "The autograder could not grade this submission; your instructor has the details."
        tests.append(
            {
                "name": "grader error (instructor only)",
                "score": 0.0,
                "max_score": 0.0,
                "status": "failed",
                "output": "\n".join(result.problems),
                "visibility": "hidden",
            }
        )
    return {
        "score": round(result.score, 6),
        "execution_time": round(result.elapsed, 3),
        "output": output or f"{result.title}: {result.score:g}/{result.max_score:g}",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


class GradescopeReporter:
    per_result = True  # one results.json per submission under <out>/gradescope/
    reports_failures = True  # `grader check` writes one even when grading itself failed
    filename = "results.json"

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.results: list[CheckResult] = []

    def add(self, result: CheckResult) -> None:
        self.results.append(result)

    def close(self) -> None:
        for result in self.results:
            json.dump(results_json(result), self.stream, indent=2, allow_nan=False)
            self.stream.write("\n")
        self.stream.flush()


reporter = GradescopeReporter
