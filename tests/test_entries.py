"""Tests for grader.score.entries: the worked case entry by entry, or a heat map when large."""

from __future__ import annotations

import numpy as np

from grader.result import HEAT, MAX_ENTRIES
from grader.score.entries import entries, heat, labeller
from grader.tasks.base import Quantity

W1 = Quantity("W1", "gradients", (2, 2), "dL/dW1")


def test_entries_list_every_entry_with_its_label_and_verdict() -> None:
    exact = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = np.array([[1.0, 2.0], [-3.0, 4.0]])
    listed = entries(W1, exact, got, got == exact)
    assert [e.index for e in listed] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    wrong = [e for e in listed if not e.passed]
    assert [(e.label, e.expected, e.got) for e in wrong] == [("w_21^1", 3.0, -3.0)]


def test_nothing_read_means_every_entry_is_wrong_with_nothing_submitted() -> None:
    exact = np.ones((2, 2))
    listed = entries(W1, exact, None, np.zeros((2, 2), dtype=bool))
    assert all(e.got is None and not e.passed for e in listed)


def test_a_large_quantity_has_a_heat_map_instead_of_entries() -> None:
    ok = np.ones((256, 784), dtype=bool)
    ok[:16, :49] = False  # the first block of the map, exactly
    big = Quantity("W1", "gradients", ok.shape, "dL/dW1")
    assert entries(big, np.zeros(ok.shape), np.zeros(ok.shape), ok) == []
    grid = heat(ok)
    assert (len(grid), len(grid[0])) == (HEAT, HEAT)
    assert grid[0][0] == 1.0 and grid[0][1] == 0.0 and grid[1][0] == 0.0


def test_a_small_quantity_has_no_heat_map_and_a_long_vector_is_one_row() -> None:
    assert heat(np.ones(MAX_ENTRIES, dtype=bool)) == []
    row = heat(np.zeros(MAX_ENTRIES + 1, dtype=bool))
    assert len(row) == 1 and len(row[0]) == HEAT and set(row[0]) == {1.0}


def test_labels_are_remembered_per_index_type() -> None:
    # numpy's int64 prints differently from Python's int in a label without the lecture's form.
    def label(name: str, index: tuple[int, ...]) -> str:
        return f"{name}{list(index)}"

    loss = Quantity("loss", "losses", (2,), "losses", label)
    remembered = labeller(loss)
    assert remembered((1,)) == label("loss", (1,))
    assert remembered((np.int64(1),)) == label("loss", (np.int64(1),))
    assert remembered((1,)) == label("loss", (1,))
    assert labeller(W1)((1, 0)) == "w_21^1"
