"""Gradescope's results.json, one per submission (the autograder specification's format).

Feedback is Markdown (`output_format` "md"); who sees what, and when, is the exercise's
`[grading] visibility` (per quantity: `[grading.visibilities]`). If grading itself broke, the
file is still valid: score 0, a visible message for the student and the details in a test only
the instructor sees.
"""

from __future__ import annotations

import json
from typing import Any

from grader.report.base import CollectingReporter
from grader.report.markdown import code_block, escaped
from grader.result import Check, CheckResult

COULD_NOT_GRADE = "The autograder could not grade this submission; your instructor has the details."


def _points(value: float) -> str:
    return f"{value:g}"


def _test_output(check: Check) -> str:
    head = (
        f"**{_points(check.score)}/{_points(check.max_score)}**: right on "
        f"{check.cases_passed} of {check.cases} cases ({escaped(check.tolerance)})"
    )
    if check.status == "pass":
        return head
    parts = [head, code_block(check.message)]
    if check.explanation:
        parts.append(f"Likely cause: {escaped(check.explanation)} (`{check.diagnosis}`)")
    return "\n\n".join(parts)


def _test(check: Check) -> dict[str, Any]:
    return {
        "name": check.name,
        "score": round(check.score, 6),
        "max_score": check.max_score,
        "status": "passed" if check.status == "pass" else "failed",
        "output": _test_output(check),
        "output_format": "md",
        # Gradescope filters and counts by tag: the table the quantity belongs to, its mistake.
        "tags": [check.quantity.split(".")[0], *([check.diagnosis] if check.diagnosis else [])],
        "visibility": check.visibility,
        "extra_data": {
            "quantity": check.quantity,
            "cases_passed": check.cases_passed,
            "cases": check.cases,
            "diagnosis": check.diagnosis,
        },
    }


def _output(result: CheckResult) -> str:
    if result.status == "error":
        return COULD_NOT_GRADE
    notes = "".join(f"\n\nNote: {escaped(n)}" for n in result.notes)
    if result.problems:
        return "\n\n".join(escaped(p) for p in result.problems) + notes
    return f"{escaped(result.title)}: {_points(result.score)}/{_points(result.max_score)}" + notes


def results_json(result: CheckResult) -> dict[str, Any]:
    tests = [_test(check) for check in result.checks]
    if result.status == "error":
        tests.append(
            {
                "name": "grader error (instructor only)",
                "score": 0.0,
                "max_score": 0.0,
                "status": "failed",
                "output": code_block("\n".join(result.problems)),
                "output_format": "md",
                "tags": ["grader-error"],
                "visibility": "hidden",
            }
        )
    return {
        "score": round(result.score, 6),
        "execution_time": round(result.elapsed, 3),
        "output": _output(result),
        "output_format": "md",
        "visibility": result.visibility,
        "stdout_visibility": "hidden",
        "extra_data": {
            "exercise": result.exercise,
            "status": result.status,
            "outcome": result.outcome,
            "max_score": result.max_score,
            "seed": result.seed,
            "hidden_cases": result.hidden_cases,
            "grader_version": result.grader_version,
            "diagnoses": {c.name: c.diagnosis for c in result.checks if c.diagnosis},
        },
        "tests": tests,
    }


class GradescopeReporter(CollectingReporter):
    per_result = True  # one results.json per submission under <out>/gradescope/
    reports_failures = True  # `grader check` writes one even when grading itself failed
    filename = "results.json"

    def close(self) -> None:
        for result in self.results:
            json.dump(results_json(result), self.stream, indent=2, allow_nan=False)
            self.stream.write("\n")
        self.stream.flush()


reporter = GradescopeReporter
