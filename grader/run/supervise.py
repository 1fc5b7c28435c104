"""Supervise one run from the grader's side: the one implementation of caps and the wall clock.

The grader makes the run's four pipes, hands the run's ends to the fork server (SCM_RIGHTS,
see grader/run/zygote.py) and keeps its own: it writes the request, reads results and output
under their caps, and when the wall clock runs out or a cap is passed asks the server to kill
the run. The server answers with the exit status, the CPU time used, and whether it cleaned up.
The run's result is settled when it has ended; a clean-up that fails or takes too long costs
the worker (it is replaced), never the student.

A run can be sent before the one ahead of it on the same server is over (`send`, then `finish`
each in the order sent): the server starts it the moment that one is reported, while the
grader is still busy with it. Its wall clock starts then, not when it was sent.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import selectors
import time
from collections.abc import Callable
from dataclasses import dataclass

from grader.run.control import Channel, ServerGone
from grader.run.limits import Limits
from grader.run.streams import Capped

GRACE_SECONDS = 10.0  # for the server to answer a kill before it counts as hung
# A run that ends sooner has its pipes read once, at its end: no wake-up of the grader for each
# line it writes (most runs end within a few milliseconds). Past this, they are read as they
# fill, so a flood is still stopped early; until then a run that fills a pipe waits.
WATCH_AFTER_SECONDS = 0.02
TIDY_SECONDS = 30.0  # for it to empty the run's folder; past that the worker is replaced


_run_ids = itertools.count(1)


class ServerHung(ServerGone):
    """The fork server did not report the end of a run it was told to kill."""


@dataclass(frozen=True)
class Ended:
    """How one run ended, as its supervisor saw it (grader.run.outcome says what it means)."""

    results: bytes  # the result channel; empty when it went past its cap
    stdout: str  # tails
    stderr: str
    code: int  # exit status, or -N for signal N
    cpu: float  # CPU seconds the run's process used
    elapsed: float
    timed_out: bool  # the wall clock ran out while it still ran (and it was killed)
    flooded: bool  # output or results past their caps
    clean: bool  # the server left nothing of it behind


class _Pipes:
    """The run's four pipes: its ends go to the server, ours stay here (non-blocking)."""

    def __init__(self) -> None:
        self.request_r, self.request_w = os.pipe()
        self.results_r, self.results_w = os.pipe()
        self.stdout_r, self.stdout_w = os.pipe()
        self.stderr_r, self.stderr_w = os.pipe()
        self.theirs = [self.request_r, self.results_w, self.stdout_w, self.stderr_w]
        self.ours = [self.request_w, self.results_r, self.stdout_r, self.stderr_r]
        for fd in self.ours:
            os.set_blocking(fd, False)

    def close(self, which: list[int]) -> None:
        while which:
            fd = which.pop()
            with contextlib.suppress(OSError):
                os.close(fd)

    def close_request(self) -> None:
        """All of the request is written: the run reads to its end."""
        self.ours.remove(self.request_w)
        os.close(self.request_w)


class Run:
    """One run, from its send to its end (`send` and `finish` below)."""

    def __init__(self, channel: Channel, payload: bytes, limits: Limits) -> None:
        self.channel, self.payload, self.limits = channel, payload, limits
        self.id = str(next(_run_ids))  # unique in this process: no random bytes to draw
        self.pipes = _Pipes()
        self.results = Capped(limits.result_bytes, keep_all=True)
        self.stdout = Capped(limits.output_bytes)
        self.stderr = Capped(limits.output_bytes, shared_with=self.stdout)
        self.selector = selectors.DefaultSelector()
        self.sent_at = self.started = 0.0
        self.exited: dict | None = None
        self.exited_at = 0.0
        self.tidied: bool | None = None
        self.killed_at: float | None = None
        self.timed_out = False
        self.watching = False  # its pipes, read as they fill (see WATCH_AFTER_SECONDS)

    def send(self) -> None:
        self._write(self.pipes.request_w)  # what the pipe holds at once: the run never waits
        self.channel.expect(self.id)
        try:
            self.channel.send(fds=self.pipes.theirs, op="run", run=self.id)
        finally:
            self.pipes.close(self.pipes.theirs)  # the run's ends now live in the run alone
        self.sent_at = time.monotonic()
        self.selector.register(self.channel.fileno(), selectors.EVENT_READ, self._control)
        if self.payload:
            self.selector.register(self.pipes.request_w, selectors.EVENT_WRITE, self._write)

    def _watch_pipes(self) -> None:
        self.watching = True
        for fd, into in (
            (self.pipes.results_r, self.results),
            (self.pipes.stdout_r, self.stdout),
            (self.pipes.stderr_r, self.stderr),
        ):
            self.selector.register(fd, selectors.EVENT_READ, into)

    def _control(self, fd: int) -> None:
        arrived = time.monotonic()
        for message in self.channel.read():
            run = message.get("run")
            if run == self.id:
                self._take(arrived, message)
            elif self.channel.expects(run):  # a run sent after this one, already over
                self.channel.keep(run, arrived, message)
            else:
                raise ServerGone(f"the fork server answered for another run: {message}")

    def _take_kept(self) -> None:
        for arrived, message in self.channel.kept(self.id):
            self._take(arrived, message)

    def _take(self, arrived: float, message: dict) -> None:
        if message.get("op") == "exited":
            self.exited = message
            self.exited_at = self.channel.free_since = arrived
        elif message.get("op") == "tidied":
            self.tidied = message.get("clean") is True

    def _write(self, fd: int) -> None:
        try:
            written = os.write(fd, self.payload[:65536])
        except BlockingIOError:
            return
        except OSError:  # it died before reading its request: its exit status says why
            written = len(self.payload)
        self.payload = self.payload[written:]
        if not self.payload:
            if fd in self.selector.get_map():
                self.selector.unregister(fd)
            self.pipes.close_request()

    def _read(self, fd: int, into: Capped) -> None:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return
        if chunk:
            into.add(chunk)
        else:
            self.selector.unregister(fd)  # its end of the pipe is closed

    def _kill(self) -> None:
        if self.killed_at is None:
            self.channel.send(op="kill", run=self.id)
            self.killed_at = time.monotonic()

    def wait(self) -> None:
        # It started when the run ahead of it was over (the server goes straight on to it), or
        # when it was sent to an idle server.
        self.started = max(self.sent_at, self.channel.free_since)
        self._take_kept()
        deadline = self.started + self.limits.wall_seconds
        while self.exited is None:
            now = time.monotonic()
            if self.killed_at is None and now >= deadline:
                self.timed_out = True
                self._kill()
            if self.killed_at is not None and now >= self.killed_at + GRACE_SECONDS:
                raise ServerHung("the fork server stopped answering during this submission")
            if self.channel.pending:
                self._control(self.channel.fileno())
                continue
            until = deadline if self.killed_at is None else self.killed_at + GRACE_SECONDS
            if not self.watching:
                if now >= self.started + WATCH_AFTER_SECONDS:
                    self._watch_pipes()
                    continue
                until = min(until, self.started + WATCH_AFTER_SECONDS)
            for key, _ in self.selector.select(max(0.0, until - now)):
                if isinstance(key.data, Capped):
                    self._read(key.fd, key.data)
                else:
                    key.data(key.fd)
            if self.results.over or self.stdout.over:
                self._kill()

    def wait_tidied(self) -> None:
        """Until the server says the run's folder is empty; giving up leaves `tidied` None."""
        self._take_kept()
        if self.tidied is not None:
            return  # said with the run's end, as the server does
        self.selector.close()
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.channel.fileno(), selectors.EVENT_READ, self._control)
        give_up = time.monotonic() + TIDY_SECONDS
        while self.tidied is None and (left := give_up - time.monotonic()) > 0:
            if self.channel.pending:
                self._control(self.channel.fileno())
                continue
            for key, _ in self.selector.select(left):
                key.data(key.fd)

    def drain(self) -> None:
        """What the pipes still hold: every writer is dead now, so this never waits."""
        for fd, into in (
            (self.pipes.results_r, self.results),
            (self.pipes.stdout_r, self.stdout),
            (self.pipes.stderr_r, self.stderr),
        ):
            while not (self.results.over or self.stdout.over) and self._read_now(fd, into):
                pass

    def _read_now(self, fd: int, into: Capped) -> bool:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # nothing more for now (an escaped writer would be the server's to kill)
            return False
        into.add(chunk)
        return bool(chunk)

    def ended(self) -> Ended:
        exited = self.exited or {}
        try:
            code, cpu = int(exited["code"]), float(exited["cpu"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ServerGone(f"the fork server's report is malformed: {exited}") from exc
        return Ended(
            results=self.results.data(),
            stdout=self.stdout.text(),
            stderr=self.stderr.text(),
            code=code,
            cpu=cpu,
            elapsed=self.exited_at - self.started,
            # Only a kill that found it running: a run that ended as the clock ran out did not.
            timed_out=self.timed_out and exited.get("killed") is True,
            flooded=self.results.over or self.stdout.over,
            clean=exited.get("clean") is True and self.tidied is True,
        )

    def close(self) -> None:
        self.channel.forget(self.id)
        self.selector.close()
        self.pipes.close(self.pipes.theirs)
        self.pipes.close(self.pipes.ours)


def send(channel: Channel, payload: bytes, limits: Limits) -> Run:
    """Send one request to the server behind `channel`: it runs when the runs sent before it
    are over. Supervise each with `finish`, in the order sent. Raises ServerGone."""
    run = Run(channel, payload, limits)
    try:
        run.send()
    except BaseException:
        run.close()
        raise
    return run


def finish(run: Run, meanwhile: Callable[[], None] | None = None) -> Ended:
    """Supervise a sent run to its end; raises ServerGone if the server fails. `meanwhile` is
    called first, while the run runs: work that would otherwise wait for it."""
    try:
        if meanwhile is not None:
            meanwhile()
        run.wait()
        run.drain()
        run.wait_tidied()
        return run.ended()
    finally:
        run.close()


def supervise(
    channel: Channel,
    payload: bytes,
    limits: Limits,
    meanwhile: Callable[[], None] | None = None,
) -> Ended:
    """Run one request on the server behind `channel` (`send` and `finish`)."""
    return finish(send(channel, payload, limits), meanwhile)
