"""Resource limits for one submission, with their documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, replace

MiB = 1024 * 1024


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
        changes = {
            "wall_seconds": wall_seconds,
            "cpu_seconds": cpu_seconds,
            "memory_bytes": memory_mb * MiB if memory_mb else None,
            "output_bytes": output_kb * 1024 if output_kb else None,
        }
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

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
