"""One submission's run, in the process the fork server (zygote.py) forks for it. Like
zygote.py it imports nothing from the grader, so the grader's solver, exercises and expected
values are never in its memory, and the server it was forked from holds nothing of any other run.

In order, before any student code: its own session and standard streams, every descriptor but
its request and result pipes closed, the request read straight from the grader's pipe, then
`policy.confine()` (a uid, namespaces, a tmpfs working folder of its own, no capabilities,
limits, the seccomp filter; see docs/sandbox.md), the "confined" event, the submission written
as a read-only submission.py in its working folder, and the import policy. Then it calls the
function once per case on fresh copies of the inputs and writes one JSON line per event to the
result pipe. The grader trusts none of it: it validates every number.
"""

import base64
import contextlib
import ctypes
import importlib.util
import json
import os
import signal
import sys
import traceback

# policy.py lives beside this script; -I keeps the script's folder off sys.path, so put it there
# for this one import and take it off again before any student code can use it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from policy import confine, install_policy  # type: ignore[import-not-found]  # a sibling script

sys.path.pop(0)


def to_argument(value, np):
    """JSON inputs to what a student expects: lists become fresh float64 arrays."""
    if isinstance(value, dict):
        return {key: to_argument(item, np) for key, item in value.items()}
    if isinstance(value, list):
        return np.array(value, dtype=np.float64)
    return value


def changed_inputs(call, args, np):
    """Names of the arguments the function changed in place, e.g. params['W1']."""
    names = []
    for position, (sent, received) in enumerate(zip(call, args, strict=True)):
        pairs = sent.items() if isinstance(sent, dict) else [(None, sent)]
        for key, value in pairs:
            now = received.get(key) if key is not None and hasattr(received, "get") else received
            label = f"argument {position + 1}" + (f"[{key!r}]" if key is not None else "")
            with contextlib.suppress(Exception):
                if isinstance(value, list) and not np.array_equal(np.asarray(now), value):
                    names.append(label)
    return names


_KINDS = {
    "U": "text",
    "S": "bytes",
    "b": "booleans",
    "c": "complex numbers",
    "O": "objects (such as None)",
}


def encode_value(value, np):
    """A returned quantity as nested lists of floats, or the reason it cannot be one."""
    name = type(value).__name__[:100]
    kind = ("an " if name[0] in "aeiou" else "a ") + name
    try:
        array = np.asarray(value)  # the base class: a lying ndarray subclass loses its methods
    except Exception as exc:
        return {"error": f"{kind} that is not an array of numbers ({_short(exc)})"}
    # Integers and floats only: strings, booleans, complex numbers and objects are refused
    # rather than quietly converted.
    if array.dtype.kind not in "iuf":
        held = _KINDS.get(array.dtype.kind, f"{array.dtype} values")
        return {"error": f"{kind} holding {held}, not real numbers"}
    array = array.astype(np.float64)
    return {"shape": list(array.shape), "data": array.ravel().tolist()}


MAX_KEYS = 100


def encode_result(result, np):
    if not hasattr(result, "keys") or not hasattr(result, "__getitem__"):
        return {"type": type(result).__name__[:100]}
    keys = list(result.keys())
    if len(keys) > MAX_KEYS:
        return {"type": f"dict with {len(keys)} keys"}
    values = {}
    for key in keys:
        try:
            name = str(key)[:200]
        except BaseException:
            name = f"<a {type(key).__name__} key>"
        values[name] = encode_value(result[key], np)
    return {"type": "dict", "values": values}


def _short(exc):
    try:
        detail = str(exc)
    except BaseException:  # an exception can be hostile too
        detail = "(its message could not be shown)"
    text = f"{type(exc).__name__}: {detail}"
    return text if len(text) <= 500 else text[:497] + "..."


def _student_traceback(exc, path):
    # lookup_lines=False: reading source lines would open files the policy protects.
    summary = traceback.StackSummary.extract(
        traceback.walk_tb(exc.__traceback__), lookup_lines=False
    )
    frames = [f for f in summary if f.filename == path]
    where = f" (line {frames[-1].lineno})" if frames else ""
    return _short(exc) + where


def load_submission(path, source, send):
    """Import the submission written at `path` from `source`, its bytes."""
    sys.path.insert(0, os.path.dirname(path))
    try:
        spec = importlib.util.spec_from_file_location("submission", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["submission"] = module
        # What spec.loader.exec_module(module) does, from the bytes just written rather than
        # read back (no stat, no look for a .pyc, no file object: each costs the run faults).
        code = compile(source, path, "exec", dont_inherit=True)
        exec(code, module.__dict__)
        return module
    except SystemExit as exc:
        send(event="import-error", error=f"the file called sys.exit({exc.code!r}) on import")
    except BaseException as exc:
        send(event="import-error", error=_student_traceback(exc, path))
    return None


def _out_of_memory(limits):
    mib = (limits.get("memory_bytes") or 0) // (1024 * 1024)
    return (
        f"MemoryError: ran out of memory (the limit is {mib} MiB; a huge array, or a list "
        "that grows inside a loop, is the usual cause)"
    )


def run_cases(function, calls, path, send, np, limits):
    for number, call in enumerate(calls):
        args = [to_argument(arg, np) for arg in call]
        try:
            # Positional: students name their parameters as they like (p, X, Y, lr).
            result = function(*args)
            event = encode_result(result, np)
            event["mutated"] = changed_inputs(call, args, np)
            send(event="result", case=number, **event)
        except SystemExit as exc:
            send(event="call-error", case=number, error=f"called sys.exit({exc.code!r})")
        except MemoryError:
            send(event="call-error", case=number, error=_out_of_memory(limits))
        except BaseException as exc:
            send(event="call-error", case=number, error=_student_traceback(exc, path))


def grade(request, path, source, send, np):
    """From a confined process to its results: the policy, the import, every case."""
    install_policy(request.get("forbidden_imports", []), request.get("protected", []), send)
    module = load_submission(path, source, send)
    if module is None:
        return
    function = getattr(module, request["function"], None)
    if not callable(function):
        send(event="missing-function", error=f"no function {request['function']!r} defined")
        return
    run_cases(function, request["calls"], path, send, np, request["limits"])
    send(event="done")


# The first event of every confined run. A run that exits with policy.CONFINE_EXIT without it
# was never confined (a grader failure); one that sent it ran student code (the student's).
CONFINED = "confined"


def sender(fd):
    """One JSON line per event, written straight to the pipe (no file object to build)."""

    # Bound now, before student code runs: patching json.dumps later changes nothing here.
    def send(_dumps=json.dumps, _write=os.write, _fd=fd, **event):
        line = (_dumps(event) + "\n").encode()
        while line:
            line = line[_write(_fd, line) :]

    return send


def _standard_streams(stdout_fd, stderr_fd):
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(stdout_fd, 1)
    os.dup2(stderr_fd, 2)


def _close_all_but(keep):
    """Close every descriptor above 2 but `keep`: the control socket above all."""
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096)


def _write_submission(source):
    """Write the submission as submission.py in the working folder; its path and bytes."""
    path = os.path.join(os.getcwd(), "submission.py")
    data = base64.b64decode(source)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)
    try:
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
    finally:
        os.close(fd)
    os.chmod(path, 0o444)
    return path, data


def _read_request(fd):
    """The request, read straight from the grader's pipe to its end (no file object)."""
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    os.close(fd)
    return json.loads(b"".join(chunks))


_prctl = ctypes.CDLL(None).prctl  # looked up once, in the server, not by every run
_PR_SET_PDEATHSIG, _SIGKILL = 1, int(signal.SIGKILL)


def _die_with_server():
    # Set after confine(): a change of uid clears it. A run whose server died has no one left
    # to supervise it.
    with contextlib.suppress(Exception):
        _prctl(_PR_SET_PDEATHSIG, _SIGKILL, 0, 0, 0)


# A made-up submission for prepare(): the shapes of a real run's, no student's.
_SAMPLE_SOURCE = b"""
import numpy as np


def sample(params, x, y):
    W, b = np.asarray(params["W"], dtype=float), params["b"].reshape(-1, 1)
    z = W @ x.reshape(-1, 1) + b
    h = np.tanh(z) * np.maximum(z, 0.0) + 1.0 / (1.0 + np.exp(-z))
    d = (h - y.reshape(-1, 1)) ** 2 / len(y)
    g = np.where(z > 0, d, -d) * (1 - h)
    return {
        "W": np.outer(g, x) + W.T.dot(np.ones_like(b)).sum(axis=0, keepdims=True).mean(),
        "b": np.sum(g, axis=1).ravel() - np.zeros_like(b).ravel(),
        "n": np.array(len(x)),
    }
"""


def prepare():
    """In the fork server, before any run: take a run's own steps once, on made-up data.

    What they fill on first use (numpy's ufunc dispatch caches, the interpreter's method
    cache, json's and the compiler's first allocations) is then filled already in every
    forked run, instead of being filled again, page by copied page, by each. Runs nothing of
    any submission, writes no file and leaves no module behind.
    """
    import numpy as np

    events = []

    def send(_dumps=json.dumps, **event):
        events.append((_dumps(event) + "\n").encode())

    call = [{"W": [[0.5, -0.25], [0.125, 1.0]], "b": [0.0, 0.5]}, [1.0, -2.0], [0.5, 1.5]]
    calls = json.loads(json.dumps([call, call]).encode())  # as a run reads its request
    path = "/nonexistent/submission.py"
    module = load_submission(path, _SAMPLE_SOURCE, send)
    sys.modules.pop("submission", None)  # the server keeps no submission, made-up or not
    sys.path.remove(os.path.dirname(path))
    run_cases(module.sample, calls, path, send, np, {})
    run_cases(len, [[1, 2]], path, send, np, {})  # an error, for its path
    return events


def become_run(run, fds):
    """In the process the server forked: become one submission's run. Never returns."""
    code = 0
    try:
        request_fd, result_fd, stdout_fd, stderr_fd = fds
        os.setsid()
        _standard_streams(stdout_fd, stderr_fd)
        _close_all_but({request_fd, result_fd})
        request = _read_request(request_fd)
        confine(request)  # its own uid, namespaces and working folder; exit 71 if it cannot
        _die_with_server()
        send = sender(result_fd)
        send(event=CONFINED)  # first on the pipe: no student code has run before it
        path, source = _write_submission(request["source"])
        import numpy as np  # loaded by the server already: this costs nothing

        grade(request, path, source, send, np)
    except BaseException:
        code = 70
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
