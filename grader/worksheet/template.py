"""The answers file a worksheet asks for: every graded key, each entry a "?" to replace.

    [updated]
    # W1 = [[w_11^1, w_12^1], [w_21^1, w_22^1]]
    W1 = [["?", "?"], ["?", "?"]]

It is valid TOML as it stands: an entry left at "?" is graded as "not a number" for its
quantity, never as a 0 the student did not write (grader/answers.py reads it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial

import numpy as np

from grader import notation
from grader.exercise.loader import LoadedExercise
from grader.plan.cases import worked_case
from grader.tasks.base import Quantity

PLACEHOLDER = '"?"'


def _nested(shape: tuple[int, ...], entry: Callable[[tuple[int, ...]], str]) -> str:
    def walk(prefix: tuple[int, ...]) -> str:
        if len(prefix) == len(shape):
            return entry(prefix)
        return "[" + ", ".join(walk((*prefix, i)) for i in range(shape[len(prefix)])) + "]"

    return walk(())


def _shape(exercise: LoadedExercise, q: Quantity) -> tuple[int, ...]:
    """The quantity's shape; one the case decides (losses: iterations + 1) from the worked case."""
    if 0 not in q.shape:
        return q.shape
    reference = exercise.task.reference(exercise.network, worked_case(exercise))
    return tuple(np.shape(reference[q.name]))


def answer_keys(exercise: LoadedExercise) -> list[str]:
    """Every key of the template, as `section.name` (`updated.W1`)."""
    return [q.key for q in exercise.quantities]


def answers_template(exercise: LoadedExercise, student: str, decimals: int) -> str:
    """The template's TOML text: one table per graded section, one line per quantity."""
    command = f"grader check <this file> -e {exercise.id} --student {student}"
    lines = [
        f"# Answers of {student} to {exercise.id}: replace every {PLACEHOLDER} by your number,",
        f"# rounded to {decimals} decimals. Check them with: {command}",
    ]
    sections: dict[str, list[str]] = {}
    for q in exercise.quantities:
        shape = _shape(exercise, q)
        # The parameters' plain symbols (the table says "updated"); a loss per step its label.
        symbol = q.entry if 0 in q.shape else partial(notation.symbol, q.name)
        symbols = _nested(shape, symbol)
        blanks = _nested(shape, lambda _: PLACEHOLDER)
        sections.setdefault(q.section, []).extend(
            [f"# {q.name} = {symbols}", f"{q.name} = {blanks}"]
        )
    for section, body in sections.items():
        lines += ["", f"[{section}]", *body]
    return "\n".join(lines) + "\n"


_TABLE = re.compile(r"^\[(\w+)\]\s*$")
_KEY = re.compile(r"^(\w+) = ")


def fill(template: str, values: Mapping[str, np.ndarray], decimals: int) -> str:
    """The template with every "?" replaced by `values` (keyed `section.name`, as
    tasks/rounding.py's hand_calculation keys them) at `decimals` places: an answer key."""
    lines, section = [], ""
    for line in template.splitlines():
        table, key = _TABLE.match(line), _KEY.match(line)
        if table:
            section = table.group(1)
        elif key:
            entries = [
                f"{float(v):.{decimals}f}" for v in np.ravel(values[f"{section}.{key.group(1)}"])
            ]
            for entry in entries:
                line = line.replace(PLACEHOLDER, entry, 1)
        lines.append(line)
    return "\n".join(lines) + "\n"
