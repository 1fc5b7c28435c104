"""Tests for grader.run.streams: drain a pipe in a thread, keep a bounded tail, flag floods."""

from __future__ import annotations

import io
import os
import threading
import time

import pytest

from grader.run.streams import CappedReader

TAIL = 4096  # what a report shows of stdout or stderr


def drained(data: bytes, cap: int = 1 << 20, **kwargs) -> tuple[CappedReader, threading.Event]:
    flood = threading.Event()
    reader = CappedReader(io.BytesIO(data), cap, flood, **kwargs)
    reader.finish(timeout=2.0)
    return reader, flood


def test_a_short_stream_is_kept_whole() -> None:
    reader, flood = drained(b"hello\nworld\n")
    assert reader.text() == "hello\nworld\n"
    assert reader.data() == b"hello\nworld\n"
    assert not flood.is_set()


def test_a_long_stream_keeps_its_tail_and_says_so() -> None:
    data = b"".join(b"line %05d\n" % n for n in range(5000))  # 50 kB
    reader, _ = drained(data)
    text = reader.text()
    assert text == "...\n" + data[-TAIL:].decode()


def test_invalid_utf8_is_replaced_not_an_error() -> None:
    reader, _ = drained(b"caf\xe9\n")
    assert reader.text() == "caf\ufffd\n"


@pytest.mark.parametrize(
    ("size", "cap", "flooded"),
    [(100, 100, False), (101, 100, True), (200_000, 100_000, True), (0, 10, False)],
    ids=["at-cap", "one-over", "far-over", "empty"],
)
def test_passing_the_cap_sets_the_flood_flag(size: int, cap: int, flooded: bool) -> None:
    _, flood = drained(b"x" * size, cap)
    assert flood.is_set() is flooded


def test_two_readers_share_one_cap() -> None:
    flood = threading.Event()
    out = CappedReader(io.BytesIO(b"o" * 600), 1000, flood)
    out.finish(timeout=2.0)
    assert not flood.is_set()
    err = CappedReader(io.BytesIO(b"e" * 600), 1000, flood, shared_with=out)
    err.finish(timeout=2.0)
    assert flood.is_set()  # 1200 bytes together, though each stream alone is under 1000


def test_keep_all_keeps_everything_under_the_cap() -> None:
    data = bytes(range(256)) * 100  # 25.6 kB, more than the tail
    reader, flood = drained(data, cap=len(data), keep_all=True)
    assert reader.data() == data
    assert not flood.is_set()


def test_an_oversized_result_is_refused_whole() -> None:
    reader, flood = drained(b'{"event": "done"}\n' * 1000, cap=1000, keep_all=True)
    assert flood.is_set()
    assert reader.data() == b""  # never half a result


def test_finish_does_not_wait_for_an_orphan_holding_the_pipe() -> None:
    read_fd, write_fd = os.pipe()
    try:
        reader = CappedReader(os.fdopen(read_fd, "rb"), 1000, threading.Event())
        os.write(write_fd, b"partial output\n")
        started = time.monotonic()
        reader.finish(timeout=0.2)
        assert time.monotonic() - started < 1.0
        assert reader.text() == "partial output\n"
    finally:
        os.close(write_fd)  # lets the reader's thread see EOF and end


def test_a_quiet_stream_stays_empty_when_its_partner_is_long() -> None:
    flood = threading.Event()
    out = CappedReader(io.BytesIO(b"x" * 10_000), 1 << 20, flood)
    out.finish(timeout=2.0)
    err = CappedReader(io.BytesIO(b""), 1 << 20, flood, shared_with=out)
    err.finish(timeout=2.0)
    assert err.text() == ""
