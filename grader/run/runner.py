"""The grader's side of the pipe: start the child, feed it inputs, collect capped output.

The submission runs in a fresh interpreter (`-I`) inside the layers of `grader.run.sandbox`,
in a private temporary folder holding a copy of the submission. Results come back as JSON lines
on a dedicated pipe, never pickle, and are validated by `grader.run.wire` before anything is
scored. When the child ends, times out or floods, every process it started is killed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from grader.run import reaper, sandbox
from grader.run.limits import Limits
from grader.run.outcome import interpret
from grader.run.reaper import kill_tree
from grader.run.report import RunReport
from grader.run.request import RunRequest
from grader.run.streams import CappedReader

CHILD = Path(__file__).with_name("child.py")
_PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT")


def child_environment(workdir: str, marker: str) -> dict[str, str]:
    env = {
        "PATH": os.defpath,
        "HOME": workdir,
        "TMPDIR": workdir,
        "GRADER_RUN": marker,  # finds escaped processes when there is no PID namespace
        "LANG": "C.UTF-8",
        # One thread each: deterministic sums, and no thread pools to outlive a timeout.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ})
    return env


def stage(source: bytes, root: Path, owner: int | None) -> Path:
    """Write the submission's bytes into the private folder, read-only."""
    target = root / "submission" / "submission.py"
    target.parent.mkdir(mode=0o755)
    target.write_bytes(source)
    target.chmod(0o444)
    work = root / "work"
    work.mkdir(mode=0o700)
    if owner is not None:
        os.chown(work, owner, owner)  # the only folder the child may write to
    return target


def _send(fd: int, payload: bytes) -> None:
    try:
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(payload)
    except OSError:
        pass  # the child died before reading: its exit status says why


def run_submission(run: RunRequest) -> RunReport:
    """Run `run.function` from the submission once per call (positional arguments as JSON)."""
    limits, forbidden_imports = run.limits, run.forbidden_imports
    box = sandbox.probe()
    root = Path(tempfile.mkdtemp(prefix="grader-"))
    root.chmod(0o711)  # a child that gave up root must reach its folders, never list others
    try:
        staged = stage(run.source, root, box.drop_to)
        mounts = [sandbox.Mount(root / "submission", "/sandbox/submission", writable=False)]
        # Per-user process limits bind only a process that is not root.
        unprivileged = box.drop_to is not None or os.geteuid() != 0
        request = {
            "submission": sandbox.inside(box, staged, mounts),
            "function": run.function,
            "drop_to": box.drop_to,
            "limits": limits.for_child(unprivileged),
            "forbidden_imports": list(forbidden_imports),
            # In the sandbox those folders do not exist; without it, the hook guards them.
            "protected": [] if box.enabled else list(run.protected),
            "calls": run.calls,
        }
        return _supervise(request, box, root, mounts, limits, forbidden_imports)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _start(
    request: dict[str, Any],
    box: sandbox.Sandbox,
    root: Path,
    mounts: list,
    marker: str,
    hidden: tuple[str, ...],
):
    req_r, req_w = os.pipe()
    res_r, res_w = os.pipe()
    # -I ignores every PYTHON* variable; -B keeps the read-only copy free of bytecode files.
    child = [sys.executable, "-I", "-B", sandbox.inside(box, CHILD, mounts), str(req_r), str(res_w)]
    # In the sandbox the working folder is a size-limited tmpfs; without it, a host folder.
    work = "/sandbox/work" if box.enabled else str(root / "work")
    try:
        proc = reaper.start(
            sandbox.command(box, child, mounts, cwd=work, scratch=work, hidden=hidden),
            adopt_orphans=not box.enabled,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(req_r, res_w),
            cwd=root / "work",
            env=child_environment(work, marker),
            start_new_session=True,
        )
    finally:
        os.close(req_r)
        os.close(res_w)
    payload = json.dumps(request).encode()
    threading.Thread(target=_send, args=(req_w, payload), daemon=True).start()
    return proc, os.fdopen(res_r, "rb")


def _supervise(
    request: dict[str, Any],
    box: sandbox.Sandbox,
    root: Path,
    mounts: list,
    limits: Limits,
    hidden: tuple[str, ...],
) -> RunReport:
    marker = uuid.uuid4().hex
    started = time.monotonic()
    proc, result_pipe = _start(request, box, root, mounts, marker, hidden)
    flood = threading.Event()
    out = CappedReader(proc.stdout, limits.output_bytes, flood)
    err = CappedReader(proc.stderr, limits.output_bytes, flood, shared_with=out)
    results = CappedReader(result_pipe, limits.result_bytes, flood, keep_all=True)
    report = RunReport()
    deadline = started + limits.wall_seconds
    while proc.poll() is None and time.monotonic() < deadline and not flood.is_set():
        time.sleep(0.005)
    timed_out = proc.poll() is None and not flood.is_set()
    kill_tree(proc, marker)  # its group, and anything that escaped it
    proc.wait()
    reaper.forget(proc)
    for reader in (out, err, results):
        reader.finish(timeout=1.0)  # an orphan holding a pipe open cannot make us wait
    report.elapsed = time.monotonic() - started
    report.stdout, report.stderr = out.text(), err.text()
    code = proc.returncode
    if box.enabled and code > 128:
        code = 128 - code  # bwrap reports its child's death by signal N as 128 + N
    interpret(report, results.data(), code, timed_out, flood.is_set(), limits)
    return report
