"""How a run ended (grader/run/outcome.py): statuses and messages a student understands."""

from __future__ import annotations

import json
import signal

import pytest

from grader.run.limits import Limits
from grader.run.outcome import interpret
from grader.run.report import RunReport

LIMITS = Limits(wall_seconds=3, cpu_seconds=2)


def _lines(*events: dict) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


def _interpret(raw: bytes = b"", code: int = 0, timed_out=False, flooded=False, elapsed=0.1):
    report = RunReport(elapsed=elapsed)
    interpret(report, raw, code, timed_out, flooded, LIMITS)
    return report


def test_a_finished_run_is_ok_with_its_events() -> None:
    raw = _lines({"event": "result", "case": 0, "type": "dict", "values": {}}, {"event": "done"})
    report = _interpret(raw)
    assert (report.status, report.message) == ("ok", "")
    assert list(report.events) == [0]


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
    ("code", "elapsed", "timed_out", "status", "words"),
    [
        (0, 0.1, True, "timeout", "3 s of wall-clock time"),
        (-signal.SIGXCPU, 2.0, False, "crashed", "2 s of CPU time"),
        (-signal.SIGKILL, 2.5, False, "crashed", "CPU time"),
        (-signal.SIGKILL, 0.2, False, "crashed", "SIGKILL"),
        (-signal.SIGSEGV, 0.2, False, "crashed", "SIGSEGV"),
        (-signal.SIGABRT, 0.2, False, "crashed", "SIGABRT"),
        (3, 0.2, False, "crashed", "exit status 3"),
    ],
    ids=["wall", "xcpu", "kill-after-cpu", "kill", "segv", "abort", "exit"],
)
def test_why_a_run_ended(code, elapsed, timed_out, status, words) -> None:
    report = _interpret(code=code, elapsed=elapsed, timed_out=timed_out)
    assert report.status == status
    assert words in report.message
