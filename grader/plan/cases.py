"""The worked case from the document plus hidden random cases of the same architecture.

Hidden cases make hard-coding the document's numbers useless. They are drawn from a seed that
goes into the result, so an instructor can rebuild any case with `--seed`. By default the seed
is derived from the exercise's and the submission's content: grading the same file twice gives
the same cases, and editing the file to hard-code a hidden case changes them. With a course
secret (`GRADER_SECRET`) the derivation is keyed by it (HMAC-SHA256), so nobody without the
secret can compute a submission's hidden cases before it is graded.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from grader.plan import memo

if TYPE_CHECKING:  # the loader builds the worked case to check the file: no import cycle
    from grader.exercise.loader import LoadedExercise
    from grader.exercise.schema import Exercise


@dataclass(frozen=True)
class Case:
    label: str  # "worked case" or "hidden case 2"
    params: dict[str, np.ndarray]
    x: np.ndarray
    y: np.ndarray
    learning_rate: float | None
    iterations: int | None
    worked: bool  # the document's own case, the one with printed values


SECRET_VARIABLE = "GRADER_SECRET"
_given_secret: bytes | None = None  # --secret-file, for the one command that read it


def use_secret(secret: bytes | None) -> None:
    """The secret the command line read (`--secret-file`), before GRADER_SECRET; None: unset."""
    global _given_secret
    _given_secret = secret


def course_secret() -> bytes | None:
    """The course's secret: `--secret-file`'s, else GRADER_SECRET's (never from a file a
    submission could hold: the instructor names the file)."""
    if _given_secret:
        return _given_secret
    # Trimmed as a secret file is: a CI secret pasted with its newline is the same secret.
    secret = os.environ.get(SECRET_VARIABLE, "").strip()
    return secret.encode() if secret else None


def default_seed(exercise: LoadedExercise, submission: bytes) -> int:
    message = exercise.digest.encode() + b"\0" + submission
    secret = course_secret()
    if secret is None:
        digest = hashlib.sha256(message).digest()
    else:
        digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def worked_case(exercise: LoadedExercise) -> Case:
    return case_of(exercise.spec)


def case_of(spec: Exercise) -> Case:
    """The worked case of an exercise file, as float64 arrays."""
    case = spec.case
    lr = case.learning_rate
    return Case(
        label="worked case",
        params={name: array.floats() for name, array in case.params.items()},
        x=case.x.floats(),
        y=case.y.floats(),
        learning_rate=None if lr is None else float(lr),
        iterations=case.iterations,
        worked=True,
    )


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def shared_worked_case(exercise: LoadedExercise) -> Case:
    """The worked case that every `plan_cases` of this exercise object starts with: one copy,
    read-only (what is computed from it is shared too: grader/plan/memo.py)."""

    def read_only() -> Case:
        case = worked_case(exercise)
        params = {name: _read_only(array) for name, array in case.params.items()}
        return replace(case, params=params, x=_read_only(case.x), y=_read_only(case.y))

    return memo.once(exercise, "worked case", read_only)


def hidden_cases(exercise: LoadedExercise, seed: int, count: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    worked = shared_worked_case(exercise)
    net = exercise.network
    cases = []
    for number in range(1, count + 1):
        # Parameters and inputs in [-1, 1], the scale of the lecture's numbers.
        params = {name: rng.uniform(-1, 1, shape) for name, shape in net.shapes().items()}
        x = rng.uniform(-1, 1, worked.x.shape)
        y = np.asarray(net.loss.sample_targets(rng, worked.y.shape), dtype=np.float64)
        cases.append(
            Case(
                f"hidden case {number}",
                params,
                x,
                y,
                worked.learning_rate,
                worked.iterations,
                worked=False,
            )
        )
    return cases


def plan_cases(exercise: LoadedExercise, seed: int) -> list[Case]:
    return [
        shared_worked_case(exercise),
        *hidden_cases(exercise, seed, exercise.spec.grading.hidden_cases),
    ]
