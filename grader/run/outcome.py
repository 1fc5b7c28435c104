"""How a run ended, in words a student understands: from the child's events and exit status."""

from __future__ import annotations

import signal
from typing import Any

from grader.run.limits import Limits
from grader.run.report import RunReport, RunStatus
from grader.run.supervise import Ended

_FAILURES = {
    "import-error": RunStatus.IMPORT_ERROR,
    "missing-function": RunStatus.MISSING_FUNCTION,
    "forbidden-import": RunStatus.FORBIDDEN_IMPORT,
}


def _read(raw: bytes) -> tuple[dict[int, dict[str, Any]], dict[str, Any] | None, bool]:
    """(results by case, the child's own failure report or None, whether it said done)."""
    events: dict[int, dict[str, Any]] = {}
    failure, done = None, False
    # Here, not at the top: wire.py needs numpy and pydantic, and a worker is started before
    # `grader check` imports them (grader.run.runner.early_runner).
    from grader.run.wire import parse_events

    for event in parse_events(raw):
        kind = event["event"]
        if kind in _FAILURES:
            failure = event
        elif kind in ("result", "call-error"):
            events[event["case"]] = event
        elif kind == "done":
            done = True
    return events, failure, done


def interpret(ended: Ended, limits: Limits) -> RunReport:
    events, failure, done = _read(ended.results)
    status, message = _judge(ended, limits, failure, done)
    if status in (RunStatus.FORBIDDEN_IMPORT, RunStatus.OUTPUT_LIMIT):
        # A violation scores 0; what arrived before a flood depends on timing: score none.
        events = {}
    return RunReport(status, message, events, ended.stdout, ended.stderr, ended.elapsed)


def _judge(
    ended: Ended, limits: Limits, failure: dict[str, Any] | None, done: bool
) -> tuple[RunStatus, str]:
    # Only the child's own report counts: a submission may call os._exit(86) itself.
    if failure and failure["event"] == "forbidden-import":
        what = failure.get("error") or "imported a forbidden package"
        return RunStatus.FORBIDDEN_IMPORT, (
            f"{what}, which this exercise does not allow (backpropagation is to be written by "
            "hand, from the inputs alone): the exercise scores 0"
        )
    if ended.flooded:
        return RunStatus.OUTPUT_LIMIT, (
            f"printed more than {limits.output_bytes // 1024} KiB or returned more "
            f"than {limits.result_bytes // (1024 * 1024)} MiB; it was stopped "
            "(a print inside a loop is the usual cause)"
        )
    if failure:
        return _FAILURES[failure["event"]], failure.get("error", "")
    if done:
        return RunStatus.OK, ""
    if out_of_time(ended, limits):
        return RunStatus.TIMEOUT, (
            f"did not finish within its time limits ({limits.wall_seconds:g} s of wall-clock "
            f"time, {limits.cpu_seconds} s of CPU time): an infinite loop, a very long loop or "
            "waiting on input are the usual causes"
        )
    return RunStatus.CRASHED, _describe_exit(ended.code)


def out_of_time(ended: Ended, limits: Limits) -> bool:
    """Whichever time limit fired first: the wall clock, or the CPU limit (SIGXCPU at the soft
    limit, SIGKILL at the hard one a second later). Which one wins depends on the machine's
    load, so both must mean the same."""
    if ended.timed_out or ended.code == -signal.SIGXCPU:
        return True
    return ended.code == -signal.SIGKILL and ended.cpu >= limits.cpu_seconds


def _describe_exit(code: int) -> str:
    if code == -signal.SIGKILL:
        return (
            "the process was killed (SIGKILL) before returning results: by a resource "
            "limit, or from outside the grader"
        )
    if code == -signal.SIGSEGV:
        return (
            "crashed with a segmentation fault (SIGSEGV): very deep recursion or a fault in "
            "native code are the usual causes"
        )
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        return f"the process was killed by signal {name}"
    return (
        f"the process ended (exit status {code}) before returning results: os._exit, "
        "exhausted memory or a crash in native code"
    )
