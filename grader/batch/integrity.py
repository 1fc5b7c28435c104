"""Answers that belong to someone else's numbers: the integrity check of a class run.

Every student of an exercise with `[variants]` has their own numbers, so a file of answers
copied from a classmate fits the classmate's variant, not its author's. For each answers file
the entries that each variant's `document` band accepts are counted; when another student's
variant accepts more of them than the student's own (and at least half), the result names that
student in `fits_variant_of` (for the instructor's JSON, CSV and JUnit reports) and says in a
note, for the student, only that the answers belong to a different set of numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader import plugins
from grader.answers import answer_table, read_answers
from grader.batch.discover import Job
from grader.batch.personal import Variants
from grader.errors import GraderError
from grader.exercise.loader import LoadedExercise
from grader.exercise.numbers import to_decimal_array
from grader.plan.cases import worked_case
from grader.plan.variants import student_id
from grader.result import CheckResult
from grader.score.printed import Printed
from grader.submission import read_submission

DIFFERENT_NUMBERS = (
    "these answers belong to a different set of numbers than the ones on your worksheet: "
    "work out your own variant (grader worksheet --student)"
)


@dataclass(frozen=True)
class Band:
    """What one variant accepts for one quantity: its exact and its printed values."""

    exact: np.ndarray
    printed: Printed | None


def _bands(variant: LoadedExercise) -> dict[str, Band]:
    case = worked_case(variant)
    exact = variant.task.reference(variant.network, case)
    bands = {}
    for q in variant.quantities:
        table = variant.spec.expected.section(q.section)
        table = table if isinstance(table, dict) else {q.name: table} if table else {}
        printed = Printed.of(table[q.name]) if q.name in table else None
        bands[q.name] = Band(np.asarray(exact[q.name], dtype=np.float64), printed)
    return bands


def _answers(job: Job) -> dict[str, np.ndarray]:
    """The numbers of a job's answers file, by quantity; what cannot be read is left out."""
    if job.path is None or job.path.suffix.lower() != ".toml":
        return {}
    try:
        tables = read_answers(job.path, read_submission(job.path, job.root).data)
    except (GraderError, OSError):
        return {}
    found = {}
    for q in job.exercise.quantities:
        table = answer_table(tables, q)
        try:
            array = to_decimal_array(table[q.name]).floats()
        except (KeyError, TypeError, ValueError):
            continue
        if array.shape == q.shape:
            found[q.name] = array
    return found


def _fit(answers: dict[str, np.ndarray], bands: dict[str, Band]) -> int:
    """How many entries of the answers this variant's document band accepts."""
    document = plugins.get("tolerances", "document")
    settings = document.settings()
    return sum(
        int(np.sum(document.accepts(value, bands[name].exact, bands[name].printed, settings)))
        for name, value in answers.items()
        if name in bands
    )


def flag_borrowed(
    results: list[CheckResult], jobs: list[Job], variants: Variants
) -> list[CheckResult]:
    """The results, each answers file that fits a classmate's variant better flagged."""
    bands = {key: _bands(variant) for key, variant in variants.items()}
    # A job by its own name: "Alice.toml" and "alice.toml" share a variant, not their answers.
    by_name = {(job.exercise.id, job.student): job for job in jobs}
    flagged = []
    for result in results:
        key = (result.exercise, student_id(result.student or "?"))
        job = by_name.get((result.exercise, result.student or ""))
        answers = _answers(job) if job is not None and key in bands else {}
        entries = sum(a.size for a in answers.values())
        if entries:
            own = _fit(answers, bands[key])
            others = [
                (_fit(answers, b), other[1])
                for other, b in bands.items()
                if other[0] == key[0] and other != key
            ]
            # The most entries accepted; among equals, the first student by name.
            best, whose = max(
                sorted(others, key=lambda o: o[1]), key=lambda o: o[0], default=(0, "")
            )
            if best > own and 2 * best >= entries:
                result = result.with_changes(
                    fits_variant_of=whose, notes=[*result.notes, DIFFERENT_NUMBERS]
                )
        flagged.append(result)
    return flagged
