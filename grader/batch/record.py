"""A finished run's record in its gradebook: what `grader merge` checks before it merges.

Written once, at the end of `grader grade`, with the run's results (grader/batch/gradebook.py):
the shard (K/N; 1/1 for a whole class), the exercises by id and content digest, the grader's
version and fingerprint, the whole class's roster with each student's shard (so a merge missing
a shard can say who was not graded), and the students this shard graded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from grader import __version__
from grader.batch.fingerprint import fingerprint
from grader.batch.shard import Shard, parse, shard_of
from grader.errors import InputError
from grader.exercise.loader import LoadedExercise

FORMAT = "1"


@dataclass(frozen=True)
class Record:
    shard: Shard
    exercises: dict[str, str]  # id -> sha256 of the exercise file
    version: str
    fingerprint: str
    roster: dict[str, int]  # every student of the class, in the class's order -> their shard
    students: list[str]  # the students this run graded

    @property
    def n(self) -> int:
        return self.shard.n

    def to_rows(self) -> dict[str, str]:
        return {
            "format": FORMAT,
            "shard": str(self.shard),
            "exercises": json.dumps(self.exercises),
            "version": self.version,
            "fingerprint": self.fingerprint,
            "roster": json.dumps(self.roster),
            "students": json.dumps(self.students),
        }


def make_record(shard: Shard, exercises: list[LoadedExercise], roster: list[str]) -> Record:
    return Record(
        shard=shard,
        exercises={e.id: e.digest for e in exercises},
        version=__version__,
        fingerprint=fingerprint(),
        roster={s: shard_of(s, shard.n) for s in roster},
        students=[s for s in roster if shard.holds(s)],
    )


def read_record(rows: dict[str, str], where: str) -> Record:
    """The record from its rows; a gradebook of no finished run (or another format) is refused."""
    if not rows:
        raise InputError(
            f"{where}: no finished run in this gradebook (a run that was stopped, or whose "
            "canary failed, leaves none): run its `grader grade` again, it resumes"
        )
    if rows.get("format") != FORMAT:
        raise InputError(f"{where}: a gradebook record of format {rows.get('format')!r}")
    return Record(
        shard=parse(rows["shard"], where),
        exercises=json.loads(rows["exercises"]),
        version=rows["version"],
        fingerprint=rows["fingerprint"],
        roster=json.loads(rows["roster"]),
        students=json.loads(rows["students"]),
    )
