"""Tests for grader.plan.memo: values computed once per object, forgotten with the object."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

from grader.plan import memo


class Owner:
    """Stands for a LoadedExercise: an object that accepts weak references."""


def counting() -> tuple[list[int], Callable[[], int]]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_a_value_is_computed_once_per_owner_and_key() -> None:
    owner = Owner()
    calls, compute = counting()
    assert [memo.once(owner, "k", compute) for _ in range(3)] == [1, 1, 1]
    assert memo.once(owner, "other", compute) == 2
    assert len(calls) == 2


def test_another_owner_computes_its_own() -> None:
    first, second = Owner(), Owner()
    _, compute = counting()
    assert memo.once(first, "k", compute) == 1
    assert memo.once(second, "k", compute) == 2


def test_the_table_goes_with_its_owner() -> None:
    owner = Owner()
    memo.once(owner, "k", lambda: 1)
    key = id(owner)
    assert key in memo._memos
    del owner
    gc.collect()
    assert key not in memo._memos


def test_an_owner_born_where_a_dead_one_lived_starts_empty() -> None:
    # Keyed by id: a new object may get a dead one's id; it must never see the dead one's values.
    for _ in range(50):
        owner = Owner()
        assert memo.once(owner, "k", object) is memo.once(owner, "k", object)
        assert memo.memo(owner).keys() == {"k"}
        del owner


def test_an_owner_without_weak_references_computes_every_time() -> None:
    _, compute = counting()
    owner = (1, 2)  # a tuple takes no weak reference
    assert [memo.once(owner, "k", compute) for _ in range(2)] == [1, 2]


def test_an_owner_dying_at_shutdown_is_forgotten_quietly(monkeypatch) -> None:
    # At interpreter exit module globals go before some owners (an exercise's printed arrays
    # did): forgetting an owner must not need them, or every command ends with a traceback.
    raised: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", raised.append)
    owner = Owner()
    memo.once(owner, "k", lambda: 1)
    tables = memo._memos
    monkeypatch.setattr(memo, "_memos", None)  # what shutdown leaves of the module's globals
    del owner
    gc.collect()
    assert raised == []
    assert not any(found[0]() is None for found in tables.values())
