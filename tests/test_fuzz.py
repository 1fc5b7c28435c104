"""Fuzzing grader.exercise.loader (and the validate path behind it) with mutated exercise files.

Every bundled exercise file is mutated at random: keys deleted or duplicated, values given
another type, numbers made huge, tiny, negative or non-finite, arrays reshaped, the bytes
truncated or flipped. Each mutant must either load, or be refused with an ExerciseError or
InputError that names the file; a sample of those that load must also get through the
in-process half of `grader validate` (printed values against exact arithmetic). Anything else,
an uncaught exception, is what the command line would report as an internal error (exit 3).

The seed is fixed and the budget is a count, not a time, so a run is the same on any machine.
GRADER_FUZZ_COUNT=2000 runs a bigger budget; GRADER_FUZZ_SEED another seed.
"""

from __future__ import annotations

import copy
import os
import random
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from grader.errors import ExerciseError, InputError
from grader.exercise import load_exercise
from grader.explain import explain
from grader.plan.cases import plan_cases
from grader.validate import solution_problem
from grader.validate.printed import check_printed
from grader.views import print_solve

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BUNDLED = sorted((Path(__file__).parents[1] / "exercises").glob("*.toml"))
COUNT = int(os.environ.get("GRADER_FUZZ_COUNT", "600"))
SEED = int(os.environ.get("GRADER_FUZZ_SEED", "20261128"))
VALIDATE_EVERY = 3  # run check_printed on every third mutant that loads

NUMBERS: list[Any] = [
    0,
    -1,
    1,
    2,
    7,
    33,
    101,
    1001,
    100000,
    99999999999999,
    10**30,
    -(2**63),
    2**64,
    Decimal("0"),
    Decimal("-0.0"),
    Decimal("1.17e-30"),
    Decimal("0.1234567890123456789012345678901234567890"),
    Decimal("9.99e307"),
    Decimal("4e25"),
    Decimal("1e300"),
    Decimal("-1e308"),
    Decimal("1e-320"),
    Decimal("1e400"),
    Decimal("0e-999999"),
    Decimal("0.30"),
    Decimal("-2.5"),
    Decimal("1e-7"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("NaN"),
]
STRANGE: list[Any] = [
    "5",
    "0.15",
    "",
    "sigmoid",
    "x" * 300,
    "\u00e9\u4e2d",
    True,
    False,
    [],
    [1, "a"],
    {},
    {"mode": "relabs"},
    [[[[1]]]],
]


# --- a small TOML writer: inline tables keep every mutated value writable -----------------------


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Decimal):
        if value.is_nan():
            return "nan"
        if value.is_infinite():
            return "-inf" if value < 0 else "inf"
        text = str(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {toml_value(v)}' for k, v in value.items()) + "}"
    raise TypeError(type(value))


def dump(data: dict[str, Any]) -> bytes:
    return "".join(f'"{k}" = {toml_value(v)}\n' for k, v in data.items()).encode()


# --- mutations ------------------------------------------------------------------------------------


def slots(node: Any, path: tuple = ()) -> list[tuple]:
    """Every (container, key) path in the data, tables and arrays alike."""
    found = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        found.append((*path, key))
        found += slots(value, (*path, key))
    return found


def parent_of(data: Any, path: tuple) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def numeric_slots(data: Any) -> list[tuple]:
    return [
        p
        for p in slots(data)
        if isinstance(parent_of(data, p)[p[-1]], (int, Decimal))
        and not isinstance(parent_of(data, p)[p[-1]], bool)
    ]


def delete_key(rng: random.Random, data: dict) -> str:
    path = rng.choice(slots(data))
    del parent_of(data, path)[path[-1]]
    return f"delete {path}"


def change_type(rng: random.Random, data: dict) -> str:
    path = rng.choice(slots(data))
    value = rng.choice(STRANGE)
    parent_of(data, path)[path[-1]] = copy.deepcopy(value)
    return f"set {path} = {value!r:.40}"


def extreme_number(rng: random.Random, data: dict) -> str:
    path = rng.choice(numeric_slots(data))
    value = rng.choice(NUMBERS)
    parent_of(data, path)[path[-1]] = value
    return f"set {path} = {value}"


def reshape(rng: random.Random, data: dict) -> str:
    arrays = [p for p in slots(data) if isinstance(parent_of(data, p)[p[-1]], list)]
    path = rng.choice(arrays)
    parent, key = parent_of(data, path), path[-1]
    array = parent[key]
    how = rng.choice(["append", "drop", "wrap", "first", "double"])
    if how == "append" and array:
        array.append(copy.deepcopy(array[-1]))
    elif how == "drop" and array:
        array.pop()
    elif how == "wrap":
        parent[key] = [array]
    elif how == "first" and array:
        parent[key] = array[0]
    else:
        parent[key] = array + copy.deepcopy(array)
    return f"{how} {path}"


def add_key(rng: random.Random, data: dict) -> str:
    tables = [()] + [p for p in slots(data) if isinstance(parent_of(data, p)[p[-1]], dict)]
    path = rng.choice(tables)
    table = data if not path else parent_of(data, path)[path[-1]]
    name = rng.choice(["solution", "iterations", "hidden_cases", "bias", "units", "sigmod"])
    table[name] = copy.deepcopy(rng.choice(NUMBERS + STRANGE))
    return f"add {path}.{name}"


STRUCTURAL: list[Callable[[random.Random, dict], str]] = [
    delete_key,
    change_type,
    extreme_number,
    extreme_number,
    reshape,
    add_key,
]


def truncate(rng: random.Random, raw: bytes) -> tuple[bytes, str]:
    cut = rng.randrange(len(raw))
    return raw[:cut], f"truncate at {cut}"


def flip_bytes(rng: random.Random, raw: bytes) -> tuple[bytes, str]:
    data = bytearray(raw)
    where = [rng.randrange(len(data)) for _ in range(rng.randint(1, 4))]
    for i in where:
        data[i] = rng.randrange(256)
    return bytes(data), f"flip bytes at {where}"


def duplicate_line(rng: random.Random, raw: bytes) -> tuple[bytes, str]:
    lines = raw.splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if b"=" in line and not line.startswith(b"#")]
    i = rng.choice(keyed)
    return b"".join([*lines[: i + 1], lines[i], *lines[i + 1 :]]), f"duplicate line {i + 1}"


def bom_or_bad_utf8(rng: random.Random, raw: bytes) -> tuple[bytes, str]:
    prefix = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3", b"\x00"])
    at = rng.choice([0, rng.randrange(len(raw))])
    return raw[:at] + prefix + raw[at:], f"insert {prefix!r} at {at}"


BYTES = [truncate, flip_bytes, duplicate_line, bom_or_bad_utf8]


def mutant(rng: random.Random, source: Path) -> tuple[bytes, str]:
    raw = source.read_bytes()
    if rng.random() < 0.3:
        return rng.choice(BYTES)(rng, raw)
    data = tomllib.loads(raw.decode(), parse_float=Decimal)
    steps = [rng.choice(STRUCTURAL)(rng, data) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
    return dump(data), "; ".join(steps)


# --- the property -----------------------------------------------------------------------------


def outcome(path: Path, validate: bool) -> str:
    """'loaded', 'validated' or 'refused'; any other exception propagates (a bug)."""
    try:
        exercise = load_exercise(path)
        if validate:
            check_printed(exercise)  # grader validate, up to the model solution's run
            print_solve(exercise)  # grader solve
            explain(exercise)  # grader explain
            solution_problem(exercise.solution_path())  # where validate finds the model
            # What the grader computes before it runs a submission: cases and references.
            for case in plan_cases(exercise, seed=0):
                exercise.task.reference(exercise.network, case)
            return "validated"
        return "loaded"
    except (ExerciseError, InputError) as exc:
        assert str(path) in str(exc), f"the message does not name the file: {exc}"
        return "refused"


def test_every_mutant_loads_or_is_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./exercises folder shadows anything
    rng = random.Random(SEED)
    counts = {"loaded": 0, "validated": 0, "refused": 0}
    for number in range(COUNT):
        source = BUNDLED[number % len(BUNDLED)]
        raw, what = mutant(rng, source)
        folder = tmp_path / str(number)
        folder.mkdir()
        path = folder / source.name  # the same name: the id still matches it
        path.write_bytes(raw)
        try:
            counts[outcome(path, validate=number % VALIDATE_EVERY == 0)] += 1
        except Exception as exc:  # the report names the mutant, to replay it
            raise AssertionError(f"mutant {number} of {source.name} ({what}): {exc!r}") from exc
    print(f"fuzz: {COUNT} mutants (seed {SEED}): {counts}")
    # The mutations are neither all harmless nor all fatal: both paths are exercised.
    assert counts["refused"] > COUNT // 4, counts
    assert counts["loaded"] + counts["validated"] > COUNT // 10, counts
