"""The library's one error hierarchy; the CLI turns each class into a message and an exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes, like pytest's."""

    OK = 0  # full marks / all valid
    FAILED = 1  # graded but not full marks / validation found a discrepancy
    USAGE = 2  # usage or input error: bad file, unknown exercise, missing submission
    INTERNAL = 3  # the grader itself broke
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it; what was graded is kept


class GraderError(Exception):
    """Base class: anything the grader reports to a person instead of a traceback."""

    exit_code = ExitCode.INTERNAL


class InputError(GraderError):
    """The user gave us something we cannot use (a path, an option, a file)."""

    exit_code = ExitCode.USAGE


class ExerciseError(InputError):
    """An exercise file is broken; names the file and every key path that is wrong."""

    def __init__(self, path: str, problems: list[tuple[str, str]]):
        self.path = path
        self.problems = problems  # (key path, message) pairs; key path "" means the whole file
        lines = [f"{path}: {key}: {msg}" if key else f"{path}: {msg}" for key, msg in problems]
        super().__init__("\n".join(lines))


class SubmissionNotFound(InputError):
    """The submission path does not exist or holds no Python file we can grade."""


class SubmissionRefused(SubmissionNotFound):
    """The submission is there but is not read: a symbolic link, not a regular file, too big.

    For a class it is that student's "missing" result, like a file that is not there.
    """


class SandboxUnavailable(InputError):
    """The sandbox was required (--require-sandbox) but does not work here."""


class PluginError(InputError):
    """A plugin is missing, broken, or does not keep its contract; names `group[name]`."""


class InternalError(GraderError):
    """The grader broke, not the student or the instructor."""
