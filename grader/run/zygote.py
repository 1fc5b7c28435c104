"""The fork server behind `grader grade`: pay the interpreter and numpy once per worker.

Runs inside the worker's sandbox as `python -I -B child.py --serve REQUEST_FD REPLY_FD`. For each
request line it forks a fresh process that becomes one submission's child (its own session,
working folder and output, then the same steps as a one-off child), and supervises it the way
`grader.run.runner` supervises a one-off child: wall clock, output and result caps, a kill of
its whole process group. Only then does it reply, on a pipe the submission never holds, with
one JSON line: the raw result lines (which the grader parses strictly), the output's tail and
how the run ended. Like child.py it imports nothing from the grader.
"""

import contextlib
import ctypes
import json
import os
import selectors
import shutil
import signal
import sys
import time

TAIL = 4096  # what a report shows of the output


def _reap_orphans():
    """Kill whatever a finished child left behind: as a subreaper, its orphans are ours."""
    me = str(os.getpid())
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError), open(f"/proc/{name}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[1] == me:
                os.kill(int(name), signal.SIGKILL)
                os.waitpid(int(name), 0)


def _not_traceable():
    # A submission running under the worker's own uid (no root to drop from) must not be able
    # to ptrace the server and tamper with the next student's run.
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4


def _become_child(request, result_w, output_w, steps, np):
    """In the forked process: isolate, then grade. Never returns."""
    code = 0
    try:
        os.setsid()
        os.chdir(request["workdir"])
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output_w, 1)
        os.dup2(output_w, 2)
        steps.drop_privileges(request.get("drop_to"))
        steps.grade(request, steps.sender(result_w), np)
    except BaseException:
        code = 70
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _drain(fd, into, cap):
    """Read what is already there without blocking (the child is gone; an orphan may not be)."""
    os.set_blocking(fd, False)
    with contextlib.suppress(BlockingIOError, OSError):
        while len(into) <= cap and (chunk := os.read(fd, 65536)):
            into += chunk


def _supervise(pid, result_r, output_r, request):
    """Collect the child's results and output within the limits; (results, tail, how, code)."""
    limits = request["limits"]
    deadline = time.monotonic() + request["wall_seconds"]
    results, output, ended, status = bytearray(), bytearray(), "exited", None
    caps = {result_r: limits["result_bytes"], output_r: limits["output_bytes"]}
    buffers = {result_r: results, output_r: output}
    selector = selectors.DefaultSelector()
    for fd in caps:
        selector.register(fd, selectors.EVENT_READ)
    while status is None:
        if time.monotonic() > deadline:
            ended = "timeout"
            break
        for key, _ in selector.select(0.05):
            chunk = os.read(key.fd, 65536)
            if chunk:
                buffers[key.fd] += chunk
            else:
                selector.unregister(key.fd)
        if any(len(buffers[fd]) > caps[fd] for fd in caps):
            ended = "flooded"
            break
        done, status = os.waitpid(pid, os.WNOHANG)
        status = status if done else None
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the child's session: it and anything it left
    if status is None:
        _, status = os.waitpid(pid, 0)
    for fd in caps:
        _drain(fd, buffers[fd], caps[fd])
    selector.close()
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    if ended == "exited" and any(len(buffers[fd]) > caps[fd] for fd in caps):
        ended = "flooded"
    text = output[-TAIL:].decode("utf-8", errors="replace")
    return (
        results.decode("utf-8", errors="replace"),
        ("...\n" if len(output) > TAIL else "") + text,
        ended,
        code,
    )


def serve(request_fd, reply_fd, steps):
    """`steps` is child.py's module: its grade, sender and drop_privileges run in each child."""
    import numpy as np  # once per worker: every forked child shares it

    _not_traceable()
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come to us
    requests = os.fdopen(request_fd, "rb")
    reply = os.fdopen(reply_fd, "w", buffering=1)
    for line in requests:
        request = json.loads(line)
        if request.get("make_workdir"):
            os.mkdir(request["workdir"], 0o700)
            if request.get("drop_to") is not None:
                os.chown(request["workdir"], request["drop_to"], request["drop_to"])
        result_r, result_w = os.pipe()
        output_r, output_w = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.close(result_r)
            os.close(output_r)
            os.close(request_fd)
            os.close(reply_fd)
            _become_child(request, result_w, output_w, steps, np)
        os.close(result_w)
        os.close(output_w)
        results, output, ended, code = _supervise(pid, result_r, output_r, request)
        _reap_orphans()
        os.close(result_r)
        os.close(output_r)
        if request.get("scratch"):  # the next run starts on an empty scratch
            for name in os.listdir(request["scratch"]):
                path = os.path.join(request["scratch"], name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.remove(path)
        reply.write(
            json.dumps(
                {
                    "run": request["run"],
                    "results": results,
                    "output": output,
                    "ended": ended,
                    "code": code,
                    "elapsed": time.monotonic() - started,
                }
            )
            + "\n"
        )
