"""The settings of one class run (`grader grade`), in one immutable object."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from grader.batch.shard import WHOLE, Shard
from grader.exercise.loader import LoadedExercise
from grader.pipeline import LimitOverrides


@dataclass(frozen=True)
class ClassRun:
    """What `grade_class` grades, where it writes, and how.

    `root` holds <student>.py files or <student>/ folders; `out` receives the gradebook and
    the reports in `formats` (none: no report is written). `workers` lanes grade at once;
    `regrade` ignores what the gradebook holds; `shard` picks the students of one shard;
    `limits` are the command line's run limits; progress lines go to `progress`;
    `unisolated`: graded with --no-isolation, which every result then says.
    """

    root: Path
    exercises: tuple[LoadedExercise, ...]
    out: Path
    formats: tuple[str, ...] = ()
    workers: int = 1
    regrade: bool = False
    shard: Shard = WHOLE
    limits: LimitOverrides = field(default_factory=LimitOverrides)
    progress: IO[str] = field(default_factory=lambda: sys.stderr)
    unisolated: bool = False
