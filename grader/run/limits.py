"""Resource limits for one submission: their documented defaults, and the ranges an override
(from [grading.limits] or the command line) may take."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

MiB = 1024 * 1024


@dataclass(frozen=True)
class Range:
    """The values an override may take: `low < v` (or `low <= v` when closed) and `v <= high`."""

    low: float
    high: float
    low_open: bool = False
    unit: str = ""

    def problem(self, value: float) -> str | None:
        """Why `value` is out of range (non-finite, too small, too large), or None."""
        if not math.isfinite(value):
            return f"{value} is not a finite number; allowed: {self.describe()}"
        too_low = value <= self.low if self.low_open else value < self.low
        if too_low or value > self.high:
            return f"{value} is out of range; allowed: {self.describe()}"
        return None

    def describe(self) -> str:
        if self.low_open:
            text = f"more than {self.low:g} and at most {self.high:g}"
        else:
            text = f"from {self.low:g} to {self.high:g}"
        return text + (f" {self.unit}" if self.unit else "")


# Ranges of the overrides, in the units of [grading.limits] and of the command line. The upper
# ends keep every value far inside what setrlimit and the wall clock accept (a petabyte of
# memory overflowed rlim_t; a NaN timeout never fired), and still allow a slow, big submission:
# an hour of time, 64 GiB of address space, 64 MiB of output held in the grader's memory.
RANGES = {
    "wall_seconds": Range(0, 3600, low_open=True, unit="seconds"),
    "cpu_seconds": Range(1, 3600, unit="seconds"),
    "memory_mb": Range(256, 65536, unit="MiB"),  # numpy's import alone maps a few hundred MiB
    "output_kb": Range(1, 65536, unit="KiB"),
}


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 10.0  # the whole submission: import and every case
    cpu_seconds: int = 10
    memory_bytes: int = 2048 * MiB  # address space; numpy's import alone maps a few hundred MiB
    output_bytes: int = 1 * MiB  # stdout + stderr together; more is a flood and ends the run
    result_bytes: int = 16 * MiB  # the result channel
    file_bytes: int = 16 * MiB  # the largest file the submission may write
    open_files: int = 64
    processes: int = 0  # new processes or threads the submission may start

    def merged(
        self,
        wall_seconds: float | None = None,
        cpu_seconds: int | None = None,
        memory_mb: int | None = None,
        output_kb: int | None = None,
    ) -> Limits:
        """These limits with every override that is not None (exercise, then command line)."""
        return replace(
            self,
            wall_seconds=self.wall_seconds if wall_seconds is None else wall_seconds,
            cpu_seconds=self.cpu_seconds if cpu_seconds is None else cpu_seconds,
            memory_bytes=memory_mb * MiB if memory_mb else self.memory_bytes,
            output_bytes=output_kb * 1024 if output_kb else self.output_bytes,
        )

    def describe(self) -> str:
        return (
            f"{self.wall_seconds:g} s wall clock, {self.cpu_seconds} s CPU, "
            f"{self.memory_bytes // MiB} MiB memory, {self.output_bytes // 1024} KiB output"
        )

    def for_child(self, unprivileged: bool) -> dict[str, int | None]:
        return {
            "cpu_seconds": self.cpu_seconds,
            "memory_bytes": self.memory_bytes,
            "file_bytes": self.file_bytes,
            "open_files": self.open_files,
            # RLIMIT_NPROC never binds root. On Linux no run is root (policy.confine() gives it
            # a uid of its own, or it is the grader's own user), so it binds everywhere there.
            "processes": self.processes if unprivileged else None,
            "output_bytes": self.output_bytes,  # caps a worker's fork server enforces
            "result_bytes": self.result_bytes,
        }
