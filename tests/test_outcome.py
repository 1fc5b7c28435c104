"""How a run ended (grader/run/outcome.py): statuses and messages a student understands."""

from __future__ import annotations

import dataclasses
import json
import signal

import pytest

from grader.run.limits import Limits
from grader.run.outcome import interpret
from grader.run.report import RunReport, RunStatus
from grader.run.supervise import Ended

LIMITS = Limits(wall_seconds=3, cpu_seconds=2)
TIMEOUT = (
    "did not finish within its time limits (3 s of wall-clock time, 2 s of CPU time): an "
    "infinite loop, a very long loop or waiting on input are the usual causes"
)


def _lines(*events: dict) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


def _interpret(
    raw: bytes = b"", code: int = 0, timed_out=False, flooded=False, cpu=0.1
) -> RunReport:
    ended = Ended(raw, "out", "err", code, cpu, 0.5, timed_out, flooded, True)
    return interpret(ended, LIMITS)


def test_a_finished_run_is_ok_with_its_events() -> None:
    raw = _lines({"event": "result", "case": 0, "type": "dict", "values": {}}, {"event": "done"})
    report = _interpret(raw)
    assert (report.status, report.message) == (RunStatus.OK, "")
    assert list(report.events) == [0]
    assert (report.stdout, report.stderr, report.elapsed) == ("out", "err", 0.5)


def test_the_report_is_immutable_and_its_status_a_string() -> None:
    report = _interpret(_lines({"event": "done"}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.status = RunStatus.CRASHED  # type: ignore[misc]
    assert report.status == "ok" and f"{report.status}" == "ok" and str(report.status) == "ok"
    assert RunReport(status="timeout").status is RunStatus.TIMEOUT  # type: ignore[arg-type]


def test_a_policy_event_clears_every_result() -> None:
    raw = _lines(
        {"event": "result", "case": 0, "type": "dict", "values": {}},
        {"event": "forbidden-import", "error": "imported torch"},
    )
    report = _interpret(raw, code=86)
    assert report.status == "forbidden-import"
    assert report.events == {}
    assert report.message.startswith("imported torch")


def test_exit_86_alone_is_not_a_policy_violation() -> None:
    assert _interpret(b"", code=86).status == "crashed"


def test_a_flood_is_scored_on_nothing_even_after_done() -> None:
    raw = _lines({"event": "result", "case": 0, "type": "dict", "values": {}}, {"event": "done"})
    report = _interpret(raw, flooded=True)
    assert report.status == "output-limit" and report.events == {}


@pytest.mark.parametrize(
    ("code", "cpu", "timed_out"),
    [
        (-signal.SIGKILL, 0.1, True),  # the wall clock ran out: the grader had it killed
        (-signal.SIGXCPU, 2.0, False),  # the soft CPU limit
        (-signal.SIGKILL, 3.0, False),  # the hard CPU limit, a second later (SIGXCPU ignored)
    ],
    ids=["wall", "cpu-soft", "cpu-hard"],
)
def test_every_time_limit_is_the_same_timeout(code: int, cpu: float, timed_out: bool) -> None:
    raw = _lines({"event": "result", "case": 0, "type": "dict", "values": {}})
    report = _interpret(raw, code=code, cpu=cpu, timed_out=timed_out)
    assert (report.status, report.message) == (RunStatus.TIMEOUT, TIMEOUT)
    assert list(report.events) == [0]  # the cases it finished still count, whichever fired


def test_a_run_that_said_done_is_ok_even_if_it_was_then_stopped() -> None:
    raw = _lines({"event": "done"})
    assert _interpret(raw, code=-signal.SIGKILL, timed_out=True).status == "ok"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (-signal.SIGKILL, "SIGKILL"),
        (-signal.SIGSEGV, "SIGSEGV"),
        (-signal.SIGABRT, "SIGABRT"),
        (3, "exit status 3"),
    ],
    ids=["kill", "segv", "abort", "exit"],
)
def test_why_a_run_crashed(code: int, words: str) -> None:
    report = _interpret(code=code, cpu=0.2)
    assert report.status == "crashed"
    assert words in report.message
