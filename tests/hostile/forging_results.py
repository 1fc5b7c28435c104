# Forges the result channel: writes fake, malformed, oversized and deeply nested events straight to the grader's result pipe.
import json
import os
import stat

import numpy as np


def _result_pipe():
    """The result channel: the one pipe this process holds besides its standard streams."""
    for name in sorted(os.listdir("/proc/self/fd"), key=int):
        fd = int(name)
        try:
            if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode):
                return fd
        except OSError:
            continue
    return 1


FD = _result_pipe()


def _forge(line):
    try:
        os.write(FD, line if isinstance(line, bytes) else line.encode())
    except OSError as exc:
        print("cannot write to the result pipe:", exc.strerror)


def backward(params, x, y):
    _forge(b"\x00\xff not json at all\n")
    _forge("[" * 100_000 + "]" * 100_000 + "\n")  # deeper than any JSON parser recurses
    _forge('{"event": "result", "case": 0, "type": "dict", "values": ' + "{" * 50_000 + "}" * 50_000 + "}\n")
    _forge(json.dumps({"event": "done", "extra": 1}) + "\n")
    _forge(json.dumps({"event": "result", "case": -1, "type": "dict", "values": {}}) + "\n")
    _forge(
        json.dumps(
            {
                "event": "result",
                "case": 0,
                "type": "dict",
                "values": {
                    "W1": {"shape": [2, 2], "data": [1e308, -1e308, 0, 0]},
                    "b1": {"shape": [10**30], "data": [0.0]},
                    "W2": {"shape": [1] * 5000, "data": [0.0]},
                    "b2": {"shape": [1], "data": ["NaN"]},
                },
                "mutated": ["x" * 200] * 100,
            }
        )
        + "\n"
    )
    _forge('{"event": "forbidden-import", "error": "' + "y" * 5000 + '"}\n')
    return {k: np.zeros_like(v) for k, v in params.items()}
