"""Values computed once per loaded exercise and reused for every submission graded against it.

A class run grades hundreds of submissions against one LoadedExercise: its worked case, the
sketch and chain-rule trace of that case, and the mistakes planted into it are the same for
all of them. A memo belongs to the exercise *object* (it lives as long as the object does),
never to its contents: a variant, or answers.py's `replace(exercise, ...)`, is another object
and computes its own. Other long-lived objects keep their answers the same way: an activation
its probed slopes, a plugin registry its sorted diagnoses. Class-run lanes are threads: two of
them may compute one value twice, and either answer is the same.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Mapping
from functools import partial
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

_MISSING = object()
_memos: dict[int, tuple[weakref.ref, dict[Hashable, Any]]] = {}


def _forget(memos: dict[int, tuple[weakref.ref, dict]], key: int, ref: weakref.ref) -> None:
    # `memos` is passed in, not read from the module: owners that die while the interpreter
    # shuts down are forgotten after the module's globals are gone.
    found = memos.get(key)
    if found is not None and found[0] is ref:
        del memos[key]


def memo(owner: object) -> dict[Hashable, Any]:
    """The owner's own table, empty the first time (the owner must accept weak references)."""
    key = id(owner)
    found = _memos.get(key)
    if found is not None and found[0]() is owner:
        return found[1]
    table: dict[Hashable, Any] = {}
    _memos[key] = (weakref.ref(owner, partial(_forget, _memos, key)), table)
    return table


def once(owner: object, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` the first time `key` is asked of `owner`, the same value ever after (every
    time, for an owner without weak references: a plugin object with __slots__, say)."""
    try:
        table = memo(owner)
    except TypeError:
        return compute()
    value = table.get(key, _MISSING)
    if value is _MISSING:
        value = table[key] = compute()
    return value


def frozen(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values to share between submissions: read-only copies of the arrays, so that no caller
    can change what the next one reads (and the producer's own arrays stay its own). Anything
    else (a list, a number) is kept: it is read into a fresh array where it is used."""
    return {name: _read_only(value) for name, value in values.items()}


def _read_only(value: Any) -> Any:
    if not isinstance(value, np.ndarray):
        return value
    array = value.copy()
    array.flags.writeable = False
    return array
