"""Which students a `--shard K/N` run grades: a stable hash of the student's name, mod N.

K counts from 1 (`1/4` ... `4/4`), as a GitHub Actions matrix and GitLab's CI_NODE_INDEX do;
a 0-based index (Kubernetes' JOB_COMPLETION_INDEX, a Slurm array from 0) adds 1. A student's
shard depends on their name alone, never on who else is in the class, so a student added late
moves no one else.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from grader.errors import InputError

ENV = "GRADER_SHARD"
_FORM = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
MAX_SHARDS = 10_000


@dataclass(frozen=True)
class Shard:
    k: int  # 1..n
    n: int

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"

    def holds(self, student: str) -> bool:
        return shard_of(student, self.n) == self.k


WHOLE = Shard(1, 1)


def shard_of(student: str, n: int) -> int:
    """The shard (1..n) a student belongs to: sha256 of the name's UTF-8, mod n, plus 1."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def parse(text: str, source: str = "--shard") -> Shard:
    """`K/N` with 1 <= K <= N; anything else is an InputError saying how to write it."""
    match = _FORM.fullmatch(text)
    hint = "write K/N with 1 <= K <= N, e.g. 1/4 ... 4/4"
    if match is None:
        raise InputError(f"{source}: {text!r} is not a shard: {hint}")
    k, n = int(match[1]), int(match[2])
    if not 1 <= n <= MAX_SHARDS:
        raise InputError(f"{source}: {text!r}: N must be 1 to {MAX_SHARDS}")
    if k == 0:
        raise InputError(
            f"{source}: {text!r}: K counts from 1 ({hint}); from a 0-based index such as "
            "JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, add 1"
        )
    if k > n:
        raise InputError(f"{source}: {text!r}: K is larger than N ({hint})")
    return Shard(k, n)


def from_option(option: str | None, environ: dict[str, str]) -> Shard | None:
    """`--shard` if given, else GRADER_SHARD if set and not empty, else None (the whole class)."""
    if option is not None:
        return parse(option)
    value = environ.get(ENV, "")
    return parse(value, ENV) if value.strip() else None
