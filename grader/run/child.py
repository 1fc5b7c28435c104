"""The submission's side of the pipe. Runs as a script in its own process: `python -I child.py
REQUEST_FD RESULT_FD`. It imports nothing from the grader, so the grader's solver, exercises and
expected values are never in its memory.

It reads one JSON request (submission path, function name, limits, the inputs of each case),
sets its own resource limits before any student code runs, calls the function once per case on
fresh copies of the inputs, and writes one JSON line per event to RESULT_FD. The parent trusts
none of it: it validates every number itself.
"""

import contextlib
import json
import os
import sys
import traceback


def _limit(resource, name, value):
    if value is None or not hasattr(resource, name):
        return
    # A limit the platform refuses leaves the parent's wall clock and its own checks.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(getattr(resource, name), (value, value))


def set_limits(limits):
    try:
        import resource
    except ImportError:  # Windows: only the parent's wall clock applies
        return
    _limit(resource, "RLIMIT_CORE", 0)
    _limit(resource, "RLIMIT_CPU", limits.get("cpu_seconds"))
    _limit(resource, "RLIMIT_AS", limits.get("memory_bytes"))
    _limit(resource, "RLIMIT_FSIZE", limits.get("file_bytes"))
    _limit(resource, "RLIMIT_NOFILE", limits.get("open_files"))
    _limit(resource, "RLIMIT_NPROC", limits.get("processes"))


def to_argument(value, np):
    """JSON inputs to what a student expects: lists become fresh float64 arrays."""
    if isinstance(value, dict):
        return {key: to_argument(item, np) for key, item in value.items()}
    if isinstance(value, list):
        return np.array(value, dtype=np.float64)
    return value


def encode_value(value, np):
    """A returned quantity as nested lists of floats, or the reason it cannot be one."""
    try:
        array = np.array(value, dtype=np.float64)
    except Exception as exc:
        return {"error": f"{type(value).__name__} that is not numbers ({_short(exc)})"}
    return {"shape": list(array.shape), "data": array.ravel().tolist()}


def encode_result(result, np):
    if not hasattr(result, "keys") or not hasattr(result, "__getitem__"):
        return {"type": type(result).__name__}
    values = {}
    for key in list(result.keys()):
        values[str(key)] = encode_value(result[key], np)
    return {"type": "dict", "values": values}


def _short(exc):
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 500 else text[:497] + "..."


def _student_traceback(exc, path):
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    where = f" (line {frames[-1].lineno})" if frames else ""
    return _short(exc) + where


def main():
    request_fd, result_fd = int(sys.argv[1]), int(sys.argv[2])
    with os.fdopen(request_fd, "rb") as f:
        request = json.loads(f.read())
    out = os.fdopen(result_fd, "w", buffering=1)

    def send(**event):
        out.write(json.dumps(event) + "\n")
        out.flush()

    set_limits(request["limits"])
    import importlib.util

    import numpy as np

    path = request["submission"]
    sys.path.insert(0, os.path.dirname(path))
    try:
        spec = importlib.util.spec_from_file_location("submission", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["submission"] = module
        spec.loader.exec_module(module)
    except SystemExit as exc:
        send(event="import-error", error=f"the file called sys.exit({exc.code!r}) on import")
        return
    except BaseException as exc:
        send(event="import-error", error=_student_traceback(exc, path))
        return
    function = getattr(module, request["function"], None)
    if not callable(function):
        send(event="missing-function", error=f"no function {request['function']!r} defined")
        return
    for number, call in enumerate(request["calls"]):
        try:
            # Positional: students name their parameters as they like (p, X, Y, lr).
            result = function(*[to_argument(arg, np) for arg in call])
            send(event="result", case=number, **encode_result(result, np))
        except SystemExit as exc:
            send(event="call-error", case=number, error=f"called sys.exit({exc.code!r})")
        except BaseException as exc:
            send(event="call-error", case=number, error=_student_traceback(exc, path))
    send(event="done")


if __name__ == "__main__":
    main()
