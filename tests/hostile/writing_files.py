# Writes where it should not: appends to the test's canary, drops files in /tmp and next to the canary, overwrites the child script and its own file.
import os
import sys

import numpy as np

CANARY_DIR = "/tmp/grader-canary-hostile"
TARGETS = [
    os.path.join(CANARY_DIR, "canary.txt"),
    os.path.join(CANARY_DIR, "dropped.txt"),
    "/tmp/grader-hostile-dropped.txt",
    "/dev/shm/grader-hostile-dropped.txt",
    "/var/tmp/grader-hostile-dropped.txt",
    sys.argv[0],  # the grader's child script
    __file__,
    os.path.join(os.path.dirname(os.getcwd()), "grader-hostile-dropped.txt"),
]
for _path in TARGETS:
    try:
        with open(_path, "a") as _f:
            _f.write("\n# written by writing_files.py\n")
        print("wrote", _path)
    except OSError as _exc:
        print("could not write", _path, _exc.strerror)


def backward(params, x, y):
    return {k: np.zeros_like(v) for k, v in params.items()}
