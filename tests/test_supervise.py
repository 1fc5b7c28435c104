"""grader/run/supervise.py: a run's pipes are read once at its end when it ends at once, and as
they fill after WATCH_AFTER_SECONDS (so a flood is still stopped). Timeouts, caps, a server that
dies or hangs: tests/test_worker.py, which runs every kind of submission through one worker."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from grader.run import supervise
from grader.run.limits import Limits
from grader.run.request import RunRequest

CHATTY = b"""
for number in range(300):
    print("line", number)

def f(x):
    return {"total": x.sum()}
"""

FLOOD = b"""
def f(x):
    while True:
        print("x" * 1000)
"""


def _request(source: bytes, **limits: Any) -> RunRequest:
    return RunRequest(source, "f", [[[1.0, 2.0]]], Limits(**limits), ("grader",))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pipe reads made while the run runs (not the drain at its end)."""
    made: list[int] = []
    real = supervise.Run._read

    def counted(self: Any, fd: int, into: Any) -> None:
        made.append(fd)
        real(self, fd, into)

    monkeypatch.setattr(supervise.Run, "_read", counted)
    return made


def test_a_run_that_ends_before_its_pipes_are_watched_is_read_whole_at_its_end(
    monkeypatch: pytest.MonkeyPatch, reads: list[int], worker_run: Callable[..., Any]
) -> None:
    monkeypatch.setattr(supervise, "WATCH_AFTER_SECONDS", 3600.0)  # never, for this run
    report = worker_run(_request(CHATTY))
    assert report.status == "ok", report.message
    assert report.stdout.splitlines()[-1] == "line 299"
    assert reads == []  # no wake-up of the grader for any of its 300 lines


def test_a_watched_run_has_its_pipes_read_as_they_fill(
    monkeypatch: pytest.MonkeyPatch, reads: list[int], worker_run: Callable[..., Any]
) -> None:
    monkeypatch.setattr(supervise, "WATCH_AFTER_SECONDS", 0.0)
    report = worker_run(_request(CHATTY))
    assert report.status == "ok", report.message
    assert report.stdout.splitlines()[-1] == "line 299"
    assert reads != []


def test_a_flood_is_stopped_as_a_flood_once_its_pipes_are_watched(
    monkeypatch: pytest.MonkeyPatch, worker_run: Callable[..., Any]
) -> None:
    # It fills its pipe long before it is watched, waits, then floods past its cap: stopped
    # for that, not by its wall clock.
    monkeypatch.setattr(supervise, "WATCH_AFTER_SECONDS", 0.5)
    report = worker_run(_request(FLOOD, wall_seconds=60.0, output_bytes=64 * 1024))
    assert report.status == "output-limit", report.message


def test_a_request_larger_than_a_pipe_holds_reaches_the_run_whole(
    worker_run: Callable[..., Any],
) -> None:
    # What the pipe holds is written before the server is told; the rest as the run reads.
    values = [float(n % 97) for n in range(40_000)]  # about 200 KB of JSON
    source = b"def f(x):\n    return {'total': x.sum(), 'count': float(x.size)}\n"
    report = worker_run(RunRequest(source, "f", [[values]], Limits(), ("grader",)))
    assert report.status == "ok", report.message
    result = report.events[0]["values"]
    assert result["count"]["data"] == [40_000.0]
    assert result["total"]["data"] == [sum(values)]


# --- runs sent ahead, against a server of our own making ----------------------------------------


@pytest.fixture
def fake_server() -> Any:
    """A control channel whose far end is this test: it reads the runs sent and answers."""
    import socket

    from grader.run import zygote
    from grader.run.control import Channel

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    server = zygote.Channel(theirs)
    yield Channel(ours), server
    for fd in server.fds:
        os.close(fd)
    ours.close()
    theirs.close()


def _ended(server: Any, run: str) -> list[dict[str, Any]]:
    exited = {"op": "exited", "run": run, "code": 0, "cpu": 0.0, "killed": False, "clean": True}
    return [exited, {"op": "tidied", "run": run, "clean": True}]


def test_what_a_later_runs_server_says_first_is_kept_for_that_run(fake_server: Any) -> None:
    channel, server = fake_server
    first = supervise.send(channel, b"{}", Limits(wall_seconds=5))
    second = supervise.send(channel, b"{}", Limits(wall_seconds=5))
    runs = [server.receive()["run"], server.receive()["run"]]
    for fd in server.fds:
        os.close(fd)  # the runs' ends: every pipe reads to its end
    server.fds = []
    # Both over and reported in one write, the second's report read with the first's.
    server.send(*_ended(server, runs[0]), *_ended(server, runs[1]))
    assert supervise.finish(first).clean and supervise.finish(second).clean


def test_a_report_for_a_run_nobody_sent_is_a_broken_server(fake_server: Any) -> None:
    from grader.run.control import ServerGone

    channel, server = fake_server
    run = supervise.send(channel, b"{}", Limits(wall_seconds=5))
    server.receive()
    server.send(*_ended(server, "no such run"))
    with pytest.raises(ServerGone, match="another run"):
        supervise.finish(run)
