# Detached survivor: fork, setsid, fork again (a daemon's double fork), close stdio and sleep on after the grader is done.
import os
import time

import numpy as np


def _daemonize():
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)  # the intermediate child exits at once
        return
    os.setsid()  # a new session: out of the grader's process group
    if os.fork():
        os._exit(0)
    # The grandchild: reparented to init, no controlling terminal, its own session.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    deadline = time.monotonic() + 60  # a safety net for the test machine if containment fails
    while time.monotonic() < deadline:
        time.sleep(0.2)
    os._exit(0)


_daemonize()


def backward(params, x, y):
    return {name: np.zeros_like(np.asarray(value, dtype=float)) for name, value in params.items()}
