"""Tests for grader.run.streams: keep a whole result within its cap, or an output's tail."""

from __future__ import annotations

import pytest

from grader.run.streams import TAIL, Capped


def fed(data: bytes, cap: int = 1 << 20, chunk: int = 65536, **kwargs) -> Capped:
    stream = Capped(cap, **kwargs)
    for start in range(0, len(data), chunk):
        stream.add(data[start : start + chunk])
    return stream


def test_a_short_stream_is_kept_whole() -> None:
    stream = fed(b"hello\nworld\n")
    assert stream.text() == "hello\nworld\n"
    assert stream.data() == b"hello\nworld\n"
    assert not stream.over


@pytest.mark.parametrize("chunk", [1, 1000, 65536], ids=["bytes", "small", "large"])
def test_a_long_stream_keeps_its_tail_and_says_so(chunk: int) -> None:
    data = b"".join(b"line %05d\n" % n for n in range(5000))  # 50 kB
    assert fed(data, chunk=chunk).text() == "...\n" + data[-TAIL:].decode()


def test_invalid_utf8_is_replaced_not_an_error() -> None:
    assert fed(b"caf\xe9\n").text() == "caf\ufffd\n"


@pytest.mark.parametrize(
    ("size", "cap", "over"),
    [(100, 100, False), (101, 100, True), (200_000, 100_000, True), (0, 10, False)],
    ids=["at-cap", "one-over", "far-over", "empty"],
)
def test_passing_the_cap_is_over(size: int, cap: int, over: bool) -> None:
    assert fed(b"x" * size, cap).over is over


def test_two_streams_share_one_cap() -> None:
    out = fed(b"o" * 600, 1000)
    assert not out.over
    err = Capped(1000, shared_with=out)
    err.add(b"e" * 600)
    assert err.over and out.over  # 1200 bytes together, though each alone is under 1000


def test_keep_all_keeps_everything_under_the_cap() -> None:
    data = bytes(range(256)) * 100  # 25.6 kB, more than the tail
    stream = fed(data, cap=len(data), chunk=1000, keep_all=True)
    assert stream.data() == data
    assert not stream.over


def test_an_oversized_result_is_refused_whole() -> None:
    stream = fed(b'{"event": "done"}\n' * 1000, cap=1000, chunk=100, keep_all=True)
    assert stream.over
    assert stream.data() == b""  # never half a result


def test_a_quiet_stream_stays_empty_when_its_partner_is_long() -> None:
    out = fed(b"x" * 10_000)
    err = Capped(1 << 20, shared_with=out)
    assert err.text() == ""
