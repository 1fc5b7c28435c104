"""The fork server: the interpreter and numpy are paid once per worker, and it holds nothing of
any student. Like child.py it imports nothing from the grader.

Runs as `python -I -B zygote.py CONTROL_FD SCRATCH [TRIAL]` (inside the worker's sandbox when
there is one; SCRATCH is "" without it). TRIAL, when given, is a run's request (JSON, from
sandbox.trial()) that a forked process tries `policy.confine()` with before the server is ready:
whether runs here can have namespaces of their own. CONTROL_FD is a Unix stream socket to the
grader carrying JSON lines:

    grader -> server  {"op": "run", "run": ID}  with four descriptors (SCM_RIGHTS): the read
                      end of the run's request pipe and the write ends of its result, stdout
                      and stderr pipes
                      {"op": "kill", "run": ID}
    server -> grader  {"op": "ready", "namespaces": BOOL}  once, numpy loaded; whether the
                      TRIAL confined itself (false without one)
                      {"op": "exited", "run": ID, "code": N, "cpu": SECONDS, "killed": BOOL,
                       "clean": BOOL}  every process of the run is dead (clean: none was left)
                      {"op": "tidied", "run": ID, "clean": BOOL}  the scratch folder is empty

`code` is the exit status or -N for signal N, `cpu` the run's CPU seconds (wait4), `killed`
whether a kill request found it still running. A run message that arrives while a run runs
waits for it: its run starts as soon as that one is over and reported (the grader sends the
next submission early, and does its own work for the last one while the next one runs).

For each run it forks; the forked process reads its request from the grader's pipe and writes
its results and output to the grader's pipes itself (child.become_run), and the server closes
its copies at once. No request, result or output ever enters the server's memory, so a forked
run inherits nothing of any other run. The server only waits, kills when told, kills whatever
the run left behind (it is a child subreaper: orphans come back to it) and empties the scratch
folder (where a run's working folder lies when it cannot have a tmpfs of its own), whatever
shape the run left it in, with tree.py.
"""

import contextlib
import ctypes
import gc
import json
import os
import select
import signal
import socket
import sys
import time

# tree.py lies beside this script; -I keeps the script's folder off sys.path, so put it there
# for this one import only.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tree import empty  # type: ignore[import-not-found]  # a sibling script

sys.path.pop(0)

_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_SET_CHILD_SUBREAPER = 1, 4, 36
SWEEP_SECONDS = 5.0  # past this, leftovers count as not cleaned and the worker is replaced


def _prctl(option, value):
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(option, value, 0, 0, 0)


class Channel:
    """JSON lines on the control socket; descriptors that arrive wait in `fds`, in order."""

    def __init__(self, sock):
        self.sock, self.buffer, self.fds = sock, b"", []

    def send(self, *messages, **message):
        """`message`, or each of `messages`, in one write: the grader wakes once for them."""
        lines = [json.dumps(m) + "\n" for m in (messages or [message])]
        self.sock.sendall("".join(lines).encode())

    def has_line(self):
        return b"\n" in self.buffer

    def receive(self):
        """The next message; None when the grader has gone."""
        while b"\n" not in self.buffer:
            data, fds, _, _ = socket.recv_fds(self.sock, 65536, 16)
            self.fds += fds
            if not data:
                return None
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def _kill(pid):
    # Its session and group (from its first step on), and itself in case it is not there yet.
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(OSError):
            kill(pid, signal.SIGKILL)


def _exit_code(status):
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _reaped(pid):
    """(exit code, CPU seconds) if the run has ended, else None."""
    done, status, usage = os.wait4(pid, os.WNOHANG)
    return (_exit_code(status), usage.ru_utime + usage.ru_stime) if done else None


def _pidfd(pid):
    """A descriptor readable when the run ends (Linux 5.3+), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _watch(channel, pid, run, poller, waiting):
    """Wait for the run to end, killing it when told; (code, cpu, whether a kill request found
    it alive), or None if the grader left. A run message that comes meanwhile joins `waiting`
    (its descriptors wait in channel.fds, in order). `poller` watches the control socket (one
    poll object for all runs: a selector built per run cost the server a page fault per
    object)."""
    exited, killed = _pidfd(pid), False
    if exited is not None:
        poller.register(exited, select.POLLIN)
    control = channel.sock.fileno()
    try:
        while True:
            if not channel.has_line():
                events = poller.poll(None if exited is not None else 10)  # ms
                if not any(fd == control for fd, _ in events):
                    if (ended := _reaped(pid)) is not None:
                        return (*ended, killed)
                    continue
            message = channel.receive()
            if message is None:
                _kill(pid)
                os.wait4(pid, 0)
                return None
            if message.get("op") == "run":
                waiting.append(message)
            elif message.get("op") == "kill" and message.get("run") == run:
                if (ended := _reaped(pid)) is not None:
                    return (*ended, killed)  # it ended on its own before the kill came
                killed = True
                _kill(pid)
    finally:
        if exited is not None:
            poller.unregister(exited)
            os.close(exited)


def _children():
    me, found = os.getpid(), []
    for name in os.listdir("/proc"):
        with contextlib.suppress(OSError, IndexError, ValueError), open(f"/proc/{name}/stat") as f:
            if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                found.append(int(name))
    return found


def sweep():
    """Kill and reap every child left: as a subreaper, all of them are orphans of the run that
    just ended (setsid and double forks included). True when none is left."""
    deadline = time.monotonic() + SWEEP_SECONDS
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return True
        if time.monotonic() > deadline or not os.path.isdir("/proc"):
            return False
        for pid in _children():
            with contextlib.suppress(OSError):
                if os.getpgid(pid) != os.getpgrp():
                    os.killpg(os.getpgid(pid), signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.001)


# --- the server ---------------------------------------------------------------------------------


def _tidy(scratch):
    """Empty the scratch folder (if there is one); whether that worked."""
    if not scratch:
        return True
    try:
        empty(scratch)
    except Exception:  # never the server's end: the grader replaces a worker left unclean
        return False
    return True


def trial(request, confine):
    """Whether a forked run confines itself as `request` says; it runs no code but that."""
    pid = os.fork()
    if pid == 0:
        confine(request)  # ends the process with policy.CONFINE_EXIT when it cannot
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return sweep() and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def serve(channel, scratch, become_run, namespaces=False):
    channel.send(op="ready", namespaces=namespaces)
    poller = select.poll()
    poller.register(channel.sock, select.POLLIN)
    waiting = []  # run messages that came while a run ran, in order
    while (message := waiting.pop(0) if waiting else channel.receive()) is not None:
        if message.get("op") != "run":
            continue  # a late kill for a run that is over
        fds, channel.fds = channel.fds[:4], channel.fds[4:]
        if len(fds) != 4:
            raise SystemExit("a run arrived without its four pipes")
        run = str(message["run"])
        pid = os.fork()
        if pid == 0:
            become_run(run, fds)  # never returns
        for fd in fds:
            os.close(fd)  # at once: what the run writes never passes through here
        ended = _watch(channel, pid, run, poller, waiting)
        if ended is None:
            break
        code, cpu, killed = ended
        swept = sweep()  # before the grader reads its pipes to the end: no writer is left
        exited = dict(op="exited", run=run, code=code, cpu=cpu, killed=killed, clean=swept)
        channel.send(exited, dict(op="tidied", run=run, clean=_tidy(scratch)))
    sweep()


def main():
    # A server started from a class run's lane thread inherits its blocked Ctrl-C (see
    # grader/batch/signals.py): every run starts with no signal blocked, wherever it came from.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    control, scratch = int(sys.argv[1]), sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)  # -I keeps the script's folder off sys.path: child.py is there
    from child import become_run, prepare  # type: ignore[import-not-found]  # a sibling script
    from policy import confine, preload  # type: ignore[import-not-found]  # a sibling script

    sys.path.pop(0)
    # numpy and what a submission plausibly imports, once here (policy.PRELOADED): a run that
    # becomes a uid that cannot read the interpreter's files still has them, and confine()'s
    # own modules are loaded by the import of child above.
    preload()
    # A run's own steps, once, on made-up data: each run finds them warm. Only a warm-up: a
    # server where it fails (numpy missing) serves as it would without it.
    with contextlib.suppress(Exception):
        prepare()
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # without bwrap's --die-with-parent too
    # A run under the server's own uid (no root to drop from) must not ptrace the server.
    _prctl(_PR_SET_DUMPABLE, 0)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)  # a run's orphans come back here, not to init
    # What the server loaded stays out of every collection: a run's collector would otherwise
    # visit (and so copy, page by page) every object it shares with the server.
    gc.freeze()
    attempt = sys.argv[3] if len(sys.argv) > 3 else ""
    namespaces = bool(attempt) and trial(json.loads(attempt), confine)
    serve(Channel(socket.socket(fileno=control)), scratch, become_run, namespaces)


if __name__ == "__main__":
    main()
