"""Near misses: the one place that decides whether `did you mean ...?` is worth saying.

A suggestion must plausibly be the name the user meant, not merely a similar one: difflib's
0.6 ratio offered `mean-squared-error` for `sum-squared-error`, a different loss. So a name is
suggested only within a small number of typing slips (insert, delete, replace, swap two
neighbours; case ignored): 1 for names under 10 characters, one more per 10 characters after
that, and always fewer than half the name's length.
"""

from __future__ import annotations

from collections.abc import Iterable


def allowed_slips(word: str) -> int:
    return min(1 + len(word) // 10, (len(word) - 1) // 2)


def slips(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance between a and b, or limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def close_matches(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidate `word` was most plausibly meant to be, as a list of at most one."""
    limit = allowed_slips(word)
    best: tuple[int, str] | None = None
    for candidate in candidates:
        distance = slips(word.lower(), candidate.lower(), limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return [best[1]] if best else []
