# Survivor that hides: double fork + setsid, then execs a sleeper with an EMPTY environment (no GRADER_RUN marker to find it by).
import os
import sys
import time

import numpy as np

TAG = "grader-hostile-survivor-tag"  # in the sleeper's command line, so the test can find it


def _daemonize():
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, 256)  # keep none of the grader's pipes
    code = "import time\nt = time.monotonic()\nwhile time.monotonic() - t < 45: time.sleep(0.2)"
    try:
        os.execve(sys.executable, [sys.executable, "-c", code, TAG], {})
    except OSError:
        time.sleep(45)
    os._exit(0)


_daemonize()
time.sleep(0.2)  # let the sleeper exec before the grader starts sweeping


def backward(params, x, y):
    return {name: np.zeros_like(np.asarray(value, dtype=float)) for name, value in params.items()}
