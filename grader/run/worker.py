"""A worker: one fork server (grader/run/zygote.py), any number of runs, one at a time.

`grader grade` keeps one per lane; `grader check` is a worker with a single request
(grader.run.runner). The interpreter start and the numpy import are paid once per worker; each
submission still runs in a fresh process of its own, supervised from here (grader.run.supervise)
with pipes the server never reads. Anything that goes wrong on the grader's side (a server that
dies, hangs or cannot clean up) costs the current run a WorkerFailed, never the student a
grade, and the next run gets a fresh server.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from grader.run import sandbox, supervise
from grader.run.control import Channel, ServerGone
from grader.run.outcome import interpret
from grader.run.report import RunReport
from grader.run.request import RunRequest
from grader.run.supervise import Ended

ZYGOTE = Path(__file__).with_name("zygote.py")
SCRATCH = sandbox.SCRATCH
# policy.CONFINE_EXIT (policy.py is child-side: the grader does not import it) and the first
# event of a confined run (child.CONFINED).
CONFINE_EXIT = 71
_CONFINED = b'{"event": "confined"}\n'
START_SECONDS = 60.0  # for a new server to import numpy and say it is ready
_PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT")


class WorkerFailed(RuntimeError):
    """The grader's side of a run failed: the fork server died, hung, or could not clean up.

    Never the student's doing. A RuntimeError and not a GraderError on purpose:
    grader/batch/engine.py's grade_job reports any such exception as an "error" result (a
    grader failure), and `grader check` exits 3.
    """


def child_environment(marker: str) -> dict[str, str]:
    """The server's environment, which every run inherits (each sets HOME and TMPDIR itself)."""
    env = {
        "PATH": os.defpath,
        "GRADER_RUN": marker,  # lets the tests find every process of a worker
        "LANG": "C.UTF-8",
        # One thread each: deterministic sums, and no thread pools to outlive a timeout.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ})
    return env


class NotConfined(RuntimeError):
    """The run could not isolate itself (policy.confine() refused): no student code ran."""


def _require_confined(ended: Ended) -> None:
    """A run that exits with CONFINE_EXIT before its first event was never confined: the
    grader's failure, never cached as the student's. After that event it is the student's."""
    # A flood is student code too: an unconfined run writes one short line to stderr, and the
    # results it sent past their cap are not kept to look at.
    if ended.code == CONFINE_EXIT and not ended.flooded and not ended.results.startswith(_CONFINED):
        why = ended.stderr.strip().splitlines()[-1:] or ["no reason given"]
        raise NotConfined(why[0])


@dataclass(frozen=True)
class Sent:
    """A run sent to a worker's server (`Worker.send`), to be finished with `Worker.finish`."""

    job: RunRequest
    server: int  # which of the worker's servers has it: a replaced server took it along
    box: sandbox.Sandbox
    isolation: dict
    run: supervise.Run


@dataclass(frozen=True)
class _Launch:
    """A server started and not yet ready; its trial run's settings, to clean up after."""

    attempt: dict | None


class Worker:
    def __init__(self, box: sandbox.Sandbox | None = None) -> None:
        """`box`: `sandbox.presume()`'s answer, to start a server before the probe has
        answered; it is checked against `sandbox.probe()` before the first run, and the
        server's own start answers that probe (`sandbox.vouch`)."""
        self._presumed = box is not None
        self.box = box if box is not None else sandbox.probe()
        self._proc: subprocess.Popen | None = None
        self._channel: Channel | None = None
        self._marker: str | None = None
        self._hidden: frozenset[str] = frozenset()  # packages the running server hides
        self._namespaces = False  # whether the running server's trial run got namespaces
        self._launching: _Launch | None = None  # a server started, not yet ready
        self._start_failure: Exception | None = None  # why a vouching server did not start
        self._server = 0  # counts the servers started and ended: a Sent knows its own

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, kind: type | None, value: BaseException | None, tb: TracebackType | None):
        self.close()

    def run(self, job: RunRequest) -> RunReport:
        """Run one submission. Raises WorkerFailed, and nothing else, when the grader failed."""
        return self.finish(self.send(job))

    def send(self, job: RunRequest) -> Sent:
        """Send one submission to the server now: it runs as soon as the runs sent before it
        are over, and the grader may do its own work meanwhile. `finish` each, in the order
        sent. Raises WorkerFailed, and nothing else, when the grader failed."""
        try:
            return self._send(job)
        except Exception as exc:
            raise self._failed(exc) from exc

    def finish(self, sent: Sent) -> RunReport:
        """The report of a sent run, once it is over (sent again first if its server was
        replaced before it ran: a server that died, or was replaced after the run ahead of it,
        took it along, and the student is not charged for that). Raises WorkerFailed, and
        nothing else, when the grader failed."""
        try:
            if sent.server != self._server:
                self.forget(sent)
                sent = self._send(sent.job)
            ended = None
            try:
                # The next run's uid is looked up while this one runs.
                ended = supervise.finish(sent.run, sandbox.stock_uid)
            finally:
                contained = ended is not None and ended.clean
                sandbox.cleanup(sent.box, sent.isolation, contained=contained)
            _require_confined(ended)
            report = interpret(ended, sent.job.limits)
        except Exception as exc:
            raise self._failed(exc) from exc
        if not ended.clean:
            self.close()  # it left something the server could not remove: start afresh
        return report

    def forget(self, sent: Sent) -> None:
        """A sent run that will not be finished (its server is gone, or the class run was
        interrupted): its pipes closed, its uid's processes and files removed, and the server
        that still has it replaced (it would report a run nobody supervises). Never raises."""
        if sent.server == self._server:
            self.close()
        with contextlib.suppress(Exception):
            sent.run.close()
            sandbox.cleanup(sent.box, sent.isolation)  # whatever it may have left

    def _send(self, job: RunRequest) -> Sent:
        self._probed(job.forbidden_imports)
        channel = self._serve(job.forbidden_imports)
        box = self._run_box()
        isolation = sandbox.isolation(box, hide=job.hide)
        try:
            run = supervise.send(channel, self._payload(job, isolation), job.limits)
        except BaseException:
            sandbox.cleanup(box, isolation)
            raise
        return Sent(job, self._server, box, isolation, run)

    def _failed(self, exc: Exception) -> WorkerFailed:
        why = self._why(exc)
        self.close()  # a fresh server for the next submission
        return WorkerFailed(f"the grading worker failed during this submission: {why}")

    def launch(self, forbidden_imports: tuple[str, ...]) -> None:
        """Start a server now (for runs that hide `forbidden_imports`) without waiting for it:
        it loads while the caller works, and the first run waits for it to be ready. A server
        that fails to start is the first run's failure, and reported there."""
        self.close()
        self._hidden = frozenset(forbidden_imports)
        with contextlib.suppress(Exception):
            self._launching = self._launch()
        if self._presumed and self._launching is not None and self.box.enabled:
            sandbox.vouch(self._vouch)  # its start answers the probe: no second bubblewrap

    def _vouch(self) -> bool:
        """Whether this worker's server, started in the presumed sandbox, became ready: then
        bubblewrap works here. Why it did not start is kept for its first run (`_serve`)."""
        launch = self._launching
        if launch is None or not self.box.enabled:
            return False
        try:
            self._ready(launch)
        except Exception as exc:
            self._start_failure = exc
            return False
        return True

    def _probed(self, forbidden_imports: tuple[str, ...]) -> None:
        """Before the first run of a worker started on a presumed sandbox: the probe's answer,
        and a fresh server if it differs (no run ever starts on a presumption). A server
        started first answers the probe where it starts (`sandbox.vouch`)."""
        if not self._presumed:
            return
        if self._launching is None and self._channel is None:
            self.launch(forbidden_imports)
        self._presumed = False
        truth = sandbox.probe()
        if truth.enabled != self.box.enabled:
            self.close()
            self.box = truth

    def _run_box(self) -> sandbox.Sandbox:
        """The sandbox as runs of this server get it: namespaces of their own only where its
        trial run had them (sandbox.probe() only says that a run may try)."""
        if self.box.per_run and not self._namespaces:
            return replace(self.box, per_run=False)
        return self.box

    def _payload(self, job: RunRequest, isolation: dict) -> bytes:
        # On Linux a run is never root (a uid of its own, or the grader's own): RLIMIT_NPROC binds.
        unprivileged = sys.platform.startswith("linux") or not sandbox.is_root()
        request = {
            "source": base64.b64encode(job.source).decode("ascii"),
            "function": job.function,
            "calls": job.calls,
            "limits": job.limits.for_child(unprivileged),
            "forbidden_imports": list(job.forbidden_imports),
            # In the sandbox those folders do not exist; without it, the audit hook guards them.
            "protected": [] if self.box.enabled else list(job.protected),
            "isolation": isolation,
        }
        return json.dumps(request).encode()

    def _why(self, exc: Exception) -> str:
        text = str(exc) if isinstance(exc, ServerGone) else f"{type(exc).__name__}: {exc}"
        code = self._proc.poll() if self._proc is not None else None
        if code is not None:
            if self.box.enabled and code > 128:
                code = 128 - code  # bwrap reports its child's death by signal N as 128 + N
            how = f"signal {-code}" if code < 0 else f"exit status {code}"
            text += f" (the fork server ended with {how})"
        return text

    def _serve(self, forbidden_imports: tuple[str, ...]) -> Channel:
        """A live server that hides every forbidden package: this one, or a fresh one."""
        fresh = not set(forbidden_imports) <= self._hidden  # a package it does not hide yet
        failed, self._start_failure = self._start_failure, None
        if failed is not None and not fresh:
            raise failed  # it did not start although bubblewrap works: the grader's failure
        if not fresh and self._launching is not None:
            return self._ready(self._launching)
        if fresh or self._channel is None or self._proc is None or self._proc.poll() is not None:
            self.close()
            self._hidden |= set(forbidden_imports)
            return self._ready(self._launch())
        return self._channel

    def _launch(self) -> _Launch:
        """Start a server; `_ready()` waits for it."""
        # The sandbox's scratch tmpfs, which its server empties after every run: where a run
        # that cannot have a tmpfs of its own keeps its folder. Without bubblewrap a run has
        # its own tmpfs, or a host folder that sandbox.cleanup() removes: the server has none.
        scratch = SCRATCH if self.box.enabled else ""
        # A throwaway run tries namespaces of its own first, inside this very server.
        attempt = sandbox.trial(self.box) if self.box.per_run else None
        try:
            self._spawn(scratch, attempt)
        except BaseException:
            if attempt is not None:
                sandbox.cleanup(self.box, attempt["isolation"])
            raise
        return _Launch(attempt)

    def _ready(self, launch: _Launch) -> Channel:
        """Wait for a launched server to say it is ready."""
        self._launching = None
        try:
            hello = self._channel.wait(START_SECONDS) if self._channel is not None else None
        finally:
            if launch.attempt is not None:
                sandbox.cleanup(self.box, launch.attempt["isolation"])
        if not hello or hello.get("op") != "ready" or self._channel is None:
            raise ServerGone(f"the fork server did not start (it said {hello})")
        self._namespaces = hello.get("namespaces") is True
        return self._channel

    def _spawn(self, scratch: str, attempt: dict | None) -> None:
        """Start the server's process, talking on a fresh control socket."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._channel = Channel(ours)
        self._marker = uuid.uuid4().hex
        script = sandbox.inside(self.box, ZYGOTE, [])
        argv = [sys.executable, "-I", "-B", script, str(theirs.fileno()), scratch]
        if attempt is not None:
            argv.append(json.dumps(attempt))
        hidden = tuple(self._hidden)
        try:
            # Its own session, so that close() can take down the server (or bwrap) whole. A
            # server outlives no grader: bwrap's --die-with-parent, or its own PR_SET_PDEATHSIG.
            self._proc = subprocess.Popen(
                sandbox.command(self.box, argv, [], scratch, scratch, hidden, shared_scratch=True),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),),
                cwd="/",
                env=child_environment(self._marker),
                start_new_session=True,
            )
        finally:
            theirs.close()

    def abort(self) -> None:
        """From another thread: end the server, and with it the run in progress, now. The
        thread running it gets a WorkerFailed at once (and closes the worker). Never raises."""
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                proc.kill()

    def close(self) -> None:
        """Stop the server (and with it, its sandbox, its scratch and the runs sent to it).
        Never raises."""
        self._server += 1
        sandbox.withdraw(self._vouch)
        self._start_failure = None
        launch, self._launching = self._launching, None
        if launch is not None and launch.attempt is not None:
            sandbox.cleanup(self.box, launch.attempt["isolation"])
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._proc is not None:
            # Its own session: the server, or bwrap (whose PID namespace takes every run along).
            with contextlib.suppress(OSError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                self._proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=10)
            self._proc = None
