"""The worked case entry by entry, for reports that draw it: each entry right or wrong, or, for
a quantity too large to list, the share of wrong entries in each block of a heat map."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader.plan import memo
from grader.result import HEAT, MAX_ENTRIES, Entry
from grader.tasks.base import Quantity


def labeller(q: Quantity) -> Callable[[tuple[int, ...]], str]:
    """`q.entry`, remembered per quantity: a class run asks for the same few labels again and
    again. Keyed by the index's type too: numpy's int64 and Python's int print differently."""
    table = memo.once(q, "labels", dict)

    def label(index: tuple[int, ...]) -> str:
        key = (index, type(index[0]) if index else None)
        if key not in table:
            table[key] = q.entry(index)
        return table[key]

    return label


def entries(q: Quantity, exact: np.ndarray, got: np.ndarray | None, ok: np.ndarray) -> list[Entry]:
    """Every entry of a quantity of at most MAX_ENTRIES entries (none for a larger one).

    `got` None: nothing could be read on the worked case; every entry is then wrong.
    """
    if exact.size > MAX_ENTRIES:
        return []
    label = labeller(q)
    return [
        Entry(
            index=list(index),
            label=label(index),
            expected=float(exact[index]),
            got=None if got is None else float(got[index]),
            passed=bool(ok[index]),
        )
        for index in np.ndindex(exact.shape)
    ]


def heat(ok: np.ndarray) -> list[list[float]]:
    """The share of wrong entries in each of at most HEAT x HEAT blocks of a large quantity.

    Rows of the map follow the first axis and columns the last (a vector is one row); a
    quantity of at most MAX_ENTRIES entries is listed entry by entry instead and has no map.
    """
    if ok.size <= MAX_ENTRIES:
        return []
    wrong = ~np.asarray(ok, dtype=bool).reshape(ok.shape[0], -1) if ok.ndim > 1 else ~ok[None, :]
    rows = np.array_split(np.arange(wrong.shape[0]), min(HEAT, wrong.shape[0]))
    cols = np.array_split(np.arange(wrong.shape[1]), min(HEAT, wrong.shape[1]))
    return [[round(float(wrong[np.ix_(r, c)].mean()), 4) for c in cols] for r in rows]
