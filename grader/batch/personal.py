"""Each student of a class run graded on their own variant of an exercise with `[variants]`.

The student's id is the name discovery gives them: the stem of `alice.py`, `alice.ipynb` or
`alice.toml`, or the folder `alice/` (trimmed and case-insensitive, as `--student` takes it).
A code submission's worked case is the student's variant (the hidden cases stay random); an
answers file is graded against the variant's hand calculation.
"""

from __future__ import annotations

from dataclasses import replace

from grader.batch.discover import Job
from grader.exercise.loader import LoadedExercise
from grader.plan.variants import has_variants, student_id, student_variant
from grader.result import CheckResult

# (exercise id, student id) -> that student's variant
Variants = dict[tuple[str, str], LoadedExercise]


def class_variants(jobs: list[Job]) -> Variants:
    """Every student's variant of every exercise that has `[variants]` (the whole class's, for
    the integrity check too), each drawn once."""
    found: Variants = {}
    for job in jobs:
        key = (job.exercise.id, student_id(job.student))
        if has_variants(job.exercise) and key not in found:
            found[key] = student_variant(job.exercise, job.student)
    return found


def personal_job(job: Job, variants: Variants) -> Job:
    """The job with the student's own variant as its exercise (itself without [variants])."""
    own = variants.get((job.exercise.id, student_id(job.student)))
    return job if own is None else replace(job, exercise=own)


def with_variant(result: CheckResult, variants: Variants) -> CheckResult:
    """The result, saying whose variant it was graded on (when it was one)."""
    student = student_id(result.student) if result.student.strip() else ""
    if (result.exercise, student) not in variants:
        return result
    return result.with_changes(variant=student)
