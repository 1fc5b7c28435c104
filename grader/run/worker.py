"""A long-lived sandboxed worker for `grader grade`: one fork server, many submissions.

The interpreter start and the numpy import are paid once per worker. Each submission still
runs in a fresh process of its own (forked by the server inside the sandbox), in a folder of
its own that is deleted before the next one, with the same limits, policy and supervision as a
one-off run. A worker that stops answering is killed whole (its PID namespace takes every
process with it) and replaced before the next submission.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

from grader.run import reaper, sandbox
from grader.run.limits import Limits
from grader.run.outcome import interpret
from grader.run.reaper import kill_tree
from grader.run.report import RunReport
from grader.run.request import RunRequest
from grader.run.runner import CHILD, child_environment, stage

GRACE_SECONDS = 10.0  # beyond a run's own wall limit, before the worker counts as hung
SCRATCH = "/sandbox/scratch"  # in the sandbox, each run writes in a folder of its own here


class Worker:
    def __init__(self) -> None:
        self.box = sandbox.probe()
        self._proc: subprocess.Popen | None = None
        self._root: Path | None = None
        self._hidden: frozenset[str] = frozenset()  # packages the running server hides

    def _start(self) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="grader-worker-"))
        self._root.chmod(0o711)  # runs can reach their own folder, never list the others
        self._mounts = [sandbox.Mount(self._root, "/sandbox/runs", writable=True)]
        self._marker = uuid.uuid4().hex
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        script = sandbox.inside(self.box, CHILD, self._mounts)
        argv = [sys.executable, "-I", "-B", script, "--serve", str(req_r), str(rep_w)]
        cwd = sandbox.inside(self.box, self._root, self._mounts)
        try:
            self._proc = reaper.start(
                sandbox.command(
                    self.box,
                    argv,
                    self._mounts,
                    cwd,
                    scratch=SCRATCH,
                    hidden=tuple(self._hidden),
                    shared_scratch=True,
                ),
                adopt_orphans=not self.box.enabled,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(req_r, rep_w),
                cwd=self._root,
                env=child_environment(cwd, self._marker),
                start_new_session=True,
            )
        finally:
            os.close(req_r)
            os.close(rep_w)
        self._requests = os.fdopen(req_w, "wb")
        self._replies: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, args=(os.fdopen(rep_r, "rb"),), daemon=True).start()

    def _read(self, pipe) -> None:
        for line in pipe:
            self._replies.put(json.loads(line))
        self._replies.put(None)  # the server is gone

    def run(self, job: RunRequest) -> RunReport:
        limits, forbidden_imports = job.limits, job.forbidden_imports
        fresh = not set(forbidden_imports) <= self._hidden  # a package it does not hide yet
        if fresh or self._proc is None or self._proc.poll() is not None:
            self.close()
            self._hidden |= set(forbidden_imports)
            self._start()
        run = uuid.uuid4().hex
        folder = self._root / run
        folder.mkdir(mode=0o755)
        try:
            staged = stage(job.source, folder, self.box.drop_to)
            request = {
                "run": run,
                # The server makes (and afterwards removes) the folder on the size-limited
                # scratch tmpfs; without the sandbox it is the host folder made by stage().
                "workdir": f"{SCRATCH}/{run}" if self.box.enabled else str(folder / "work"),
                "make_workdir": self.box.enabled,
                "scratch": SCRATCH if self.box.enabled else None,
                "submission": sandbox.inside(self.box, staged, self._mounts),
                "function": job.function,
                "drop_to": self.box.drop_to,
                "limits": limits.for_child(self.box.drop_to is not None or os.geteuid() != 0),
                "wall_seconds": limits.wall_seconds,
                "forbidden_imports": list(forbidden_imports),
                "protected": [] if self.box.enabled else list(job.protected),
                "calls": job.calls,
            }
            self._requests.write(json.dumps(request).encode() + b"\n")
            self._requests.flush()
            return self._await(run, limits)
        except (BrokenPipeError, OSError) as exc:
            self.close()
            return RunReport(status="crashed", message=f"the grading worker failed ({exc})")
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _await(self, run: str, limits: Limits) -> RunReport:
        try:
            reply = self._replies.get(timeout=limits.wall_seconds + GRACE_SECONDS)
        except queue.Empty:
            reply = None
        if reply is None or reply.get("run") != run:
            self.close()  # hung or gone: a fresh worker serves the next submission
            return RunReport(
                status="crashed",
                message="the grading worker stopped answering during this submission",
            )
        report = RunReport(stdout=reply["output"], elapsed=reply["elapsed"])
        interpret(
            report,
            reply["results"].encode(),
            reply["code"],
            reply["ended"] == "timeout",
            reply["ended"] == "flooded",
            limits,
        )
        return report

    def close(self) -> None:
        if self._proc is not None:
            kill_tree(self._proc, self._marker)
            self._proc.wait()
            reaper.forget(self._proc)
            self._requests.close()
            self._proc = None
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
