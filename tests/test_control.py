"""The grader's end of the control socket (grader/run/control.py) against the server's end
(grader/run/zygote.py's Channel): messages, descriptors, and a server that breaks."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from grader.run import zygote
from grader.run.control import Channel, ServerGone


@pytest.fixture
def ends() -> Iterator[tuple[Channel, zygote.Channel]]:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    yield Channel(ours), zygote.Channel(theirs)
    ours.close()
    theirs.close()


def test_a_run_message_carries_its_descriptors(ends: tuple[Channel, zygote.Channel]) -> None:
    grader, server = ends
    read_end, write_end = os.pipe()
    try:
        grader.send(fds=[write_end], op="run", run="r1")
        grader.send(op="kill", run="r1")
        assert server.receive() == {"op": "run", "run": "r1"}
        [passed] = server.fds
        os.write(passed, b"through the server's copy")
        os.close(passed)
        assert os.read(read_end, 100) == b"through the server's copy"
        assert server.receive() == {"op": "kill", "run": "r1"}
    finally:
        os.close(read_end)
        os.close(write_end)


def test_replies_arrive_in_order(ends: tuple[Channel, zygote.Channel]) -> None:
    grader, server = ends
    server.send(op="ready")
    server.send(op="started", run="r1", pid=7)
    assert grader.wait(5) == {"op": "ready"}
    assert grader.read() == [{"op": "started", "run": "r1", "pid": 7}]


def test_nothing_within_the_time_is_none(ends: tuple[Channel, zygote.Channel]) -> None:
    assert ends[0].wait(0.05) is None


@pytest.mark.parametrize("sent", [b"not json\n", b"[1, 2]\n"], ids=["garbage", "not-a-message"])
def test_a_server_that_says_nonsense_is_gone(
    ends: tuple[Channel, zygote.Channel], sent: bytes
) -> None:
    grader, server = ends
    server.sock.sendall(sent)
    with pytest.raises(ServerGone):
        grader.read()


def test_a_closed_server_is_gone(ends: tuple[Channel, zygote.Channel]) -> None:
    grader, server = ends
    server.sock.close()
    with pytest.raises(ServerGone, match="ended"):
        grader.wait(5)
