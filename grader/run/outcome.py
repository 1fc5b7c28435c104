"""How a run ended, in words a student understands: from the child's events and exit status."""

from __future__ import annotations

import signal

from grader.run.limits import Limits
from grader.run.report import RunReport
from grader.run.wire import parse_events


def interpret(
    report: RunReport, raw: bytes, code: int, timed_out: bool, flooded: bool, limits: Limits
) -> None:
    done = False
    for event in parse_events(raw):
        kind = event["event"]
        if kind in ("import-error", "missing-function", "forbidden-import"):
            report.status, report.message = kind, event.get("error", "")
        elif kind in ("result", "call-error"):
            report.events[event["case"]] = event
        elif kind == "done":
            done = True
    # Only the child's own report counts: a submission may call os._exit(86) itself.
    if report.status == "forbidden-import":
        report.events.clear()  # a policy violation scores 0 for the exercise
        report.status = "forbidden-import"
        what = report.message or "imported a forbidden package"
        report.message = (
            f"{what}, which this exercise does not allow (backpropagation is to be written by "
            "hand, from the inputs alone): the exercise scores 0"
        )
        return
    if flooded:
        # Whatever arrived before the cap depends on timing: score none of it, every time.
        report.events.clear()
        report.status = "output-limit"
        report.message = (
            f"printed more than {limits.output_bytes // 1024} KiB or returned more "
            f"than {limits.result_bytes // (1024 * 1024)} MiB; it was stopped "
            "(a print inside a loop is the usual cause)"
        )
    elif report.status != "ok" or done:
        return
    elif timed_out:
        report.status = "timeout"
        report.message = (
            f"did not finish within {limits.wall_seconds:g} s of wall-clock time "
            "(an infinite loop, a very long loop or waiting on input are the "
            "usual causes)"
        )
    else:
        report.status = "crashed"
        report.message = _describe_exit(code, limits, report.elapsed)


def _describe_exit(code: int, limits: Limits, elapsed: float) -> str:
    if code == -signal.SIGKILL and elapsed >= limits.cpu_seconds:
        # The hard CPU limit kills a process that ignored SIGXCPU at the soft one.
        return (
            f"was stopped after using its {limits.cpu_seconds} s of CPU time (an infinite "
            "or very long loop is the usual cause)"
        )
    if code == -signal.SIGKILL:
        return (
            "the process was killed (SIGKILL) before returning results: by a resource "
            "limit, or from outside the grader"
        )
    if code == -signal.SIGXCPU:
        return (
            f"was stopped after using {limits.cpu_seconds} s of CPU time (an infinite or "
            "very long loop is the usual cause)"
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
