"""Every student their own numbers: the exercise as one student's variant.

    variant = student_variant(exercise, "alice")   # a LoadedExercise: alice's worked case

A variant is drawn (plan/draw.py) from a seed derived from the exercise's id, the student's id
and the course secret (`GRADER_SECRET`, or `--secret-file`; plan/cases.py reads both) with
HMAC-SHA256: without the secret nobody can compute a classmate's numbers from their id. Without
a secret the seed is a plain hash, so anyone with the grader can: the command line says so.

The variant's printed values (`expected`) are the hand calculation of its case at the
worksheet's decimals (tasks/rounding.py), every value rounded before it is reused: that is the
"printed" value the `document` tolerance accepts besides the exact one, so a student working by
hand at the worksheet's precision and one computing exactly both earn full marks.

An exercise without `[variants]` is every student's as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np
from pydantic import ValidationError

from grader.errors import ExerciseError, InputError
from grader.exercise.loader import LoadedExercise
from grader.exercise.schema import Expected, WorkedCase
from grader.exercise.variants import Variants
from grader.plan.cases import case_of, course_secret, worked_case
from grader.plan.draw import degeneracy, draw_case
from grader.tasks import hooks
from grader.tasks.rounding import hand_calculation

MAX_DRAWS = 500  # redraws of a degenerate case before the ranges are blamed
GUESSABLE = (
    "note: no course secret (GRADER_SECRET or --secret-file): anyone with the grader can "
    "compute any student's variant from their id"
)


def student_id(text: str) -> str:
    """A student's id as the grader keeps it: trimmed, case-insensitive ("Alice" is "alice").

    Composed the same way however it was typed or stored (NFC): a Mac file name holds "Ü" as
    "U" and a combining diaeresis, a roster typed elsewhere one character.
    """
    student = unicodedata.normalize("NFC", text.strip().casefold())
    if not student:
        raise InputError("--student: a student id cannot be empty")
    return student


def variant_seed(exercise_id: str, student: str, secret: bytes | None) -> int:
    """The seed of one student's variant; keyed by the secret when there is one."""
    message = b"grader-variant\0" + exercise_id.encode() + b"\0" + student.encode()
    if secret is None:
        digest = hashlib.sha256(message).digest()
    else:
        digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest, "big")


def has_variants(exercise: LoadedExercise) -> bool:
    return exercise.spec.variants is not None


def _printed(written: dict[str, np.ndarray], decimals: int) -> dict[str, Any]:
    """Hand-calculated values as an `[expected]` table of Decimals at `decimals` places."""

    def text(value: np.ndarray) -> Any:
        if value.ndim == 0:
            return Decimal(f"{float(value):.{decimals}f}")
        return [text(row) for row in value]

    table: dict[str, Any] = {}
    for key, value in written.items():
        section, _, name = key.partition(".")
        if name:
            table.setdefault(section, {})[name] = text(np.asarray(value))
        else:
            table[section] = text(np.asarray(value))
    return table


def _drawn(
    exercise: LoadedExercise, spec: Variants, seed: int
) -> tuple[WorkedCase, dict[str, Any]]:
    """The first usable draw from `seed`: its [case] table and its hand-calculated values."""
    worked = worked_case(exercise)
    if worked.learning_rate is None and not spec.learning_rates and _needs_rate(exercise):
        raise ExerciseError(
            str(exercise.path),
            [("variants.learning_rates", "this task needs a learning rate: give a set of them")],
        )
    rng = np.random.default_rng(seed)
    why = ""
    for _ in range(MAX_DRAWS):
        rate = exercise.spec.case.learning_rate
        table = draw_case(rng, spec, worked, exercise.network.loss, rate)
        case_spec = WorkedCase.model_validate(table)
        case = case_of(exercise.spec.model_copy(update={"case": case_spec}))
        written = hand_calculation(exercise.task, exercise.network, case, spec.decimals)
        with np.errstate(all="ignore"):
            exact = hooks.exact(exercise.task, exercise.network, case)
        why = degeneracy(case, exact, written, spec.decimals, exercise.network.frozen)
        if not why:
            return case_spec, _printed(written, spec.decimals)
    raise ExerciseError(
        str(exercise.path),
        [("variants", f"no draw in {MAX_DRAWS} is usable by hand (last: {why}): widen the ranges")],
    )


def _needs_rate(exercise: LoadedExercise) -> bool:
    return "learning_rate" in getattr(exercise.task, "requires", ())


def student_variant(exercise: LoadedExercise, student: str) -> LoadedExercise:
    """The exercise with `student`'s own worked case and hand-calculated printed values."""
    spec = exercise.spec.variants
    if spec is None:
        return exercise
    seed = variant_seed(exercise.id, student_id(student), course_secret())
    case_spec, printed = _drawn(exercise, spec, seed)
    try:
        expected = Expected.model_validate(printed)
    except ValidationError as exc:  # a value the hand calculation cannot print: ours
        raise ExerciseError(str(exercise.path), [("variants", str(exc))]) from None
    own = exercise.spec.model_copy(update={"case": case_spec, "expected": expected})
    # Results and hidden cases are keyed by the digest: each student's is their own.
    digest = hashlib.sha256(f"{exercise.digest}\0{seed:x}".encode()).hexdigest()
    return replace(exercise, spec=own, digest=digest)
