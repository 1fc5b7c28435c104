"""The submission's side of the pipe. Runs as a script in its own process: `python -I child.py
REQUEST_FD RESULT_FD`. It imports nothing from the grader, so the grader's solver, exercises and
expected values are never in its memory.

In order, before any student code runs: read the one JSON request, give up root (when asked),
set resource limits, install the import policy as an audit hook (which cannot be removed).
Then it calls the function once per case on fresh copies of the inputs and writes one JSON line
per event to RESULT_FD. The parent trusts none of it: it validates every number itself.
"""

import contextlib
import json
import os
import sys
import traceback

POLICY_EXIT = 86  # the exit status of a run stopped by the import policy


def drop_privileges(uid):
    if uid is None:
        return
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)  # from root this also clears every capability


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
    # One second of slack on the hard limit: the soft one sends SIGXCPU, which says "CPU".
    cpu = limits.get("cpu_seconds")
    with contextlib.suppress(ValueError, OSError):
        if cpu is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    _limit(resource, "RLIMIT_AS", limits.get("memory_bytes"))
    _limit(resource, "RLIMIT_FSIZE", limits.get("file_bytes"))
    _limit(resource, "RLIMIT_NOFILE", limits.get("open_files"))
    _limit(resource, "RLIMIT_NPROC", limits.get("processes"))


def _violation(event, args, roots, protected):
    """What a policy audit event breaks, or None. Paths cover what `import` events miss:
    importlib.import_module and loaders run module code through `exec` without one."""
    if event == "import" and args and str(args[0]).split(".")[0] in roots:
        return f"imported {args[0]}"
    if event in ("exec", "open", "os.listdir", "os.scandir") and args:
        target = args[0]
        path = getattr(target, "co_filename", target)
        if not isinstance(path, (str, bytes, os.PathLike)):
            return None
        path = os.path.realpath(os.fsdecode(path))
        for root in roots & set(path.split(os.sep)) if event == "exec" else ():
            return f"imported {root} (running {path})"
        for folder in protected:
            if path == folder or path.startswith(folder + os.sep):
                return f"tried to read the grader's own files ({path})"
    return None


def _stop(send, what, _exit=os._exit):
    """End the run for a policy violation, keeping what it printed so far.

    `_exit` is bound when this module loads, before any student code: patching os._exit
    later does not keep the run alive.
    """
    with contextlib.suppress(BaseException):
        send(event="forbidden-import", error=what)
    for stream in (sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(BaseException):
            stream.flush()
    _exit(POLICY_EXIT)


class _Sentinel:
    """First on sys.meta_path: catches an attempt on a forbidden package even when it is not
    installed (importlib.import_module fires no audit event of its own). A submission could
    remove it, but an installed package would still be caught by the audit hook."""

    def __init__(self, roots, send):
        self.roots, self.send = roots, send

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.roots:
            _stop(self.send, f"imported {name}")
        return None


def install_policy(forbidden, protected, send):
    """Stop the run at the first forbidden import or look at the grader's files.

    Audit hooks cannot be removed, and the process ends at once, so the student cannot undo
    the detection; the grader scores the exercise 0.
    """
    roots = frozenset(forbidden)
    protected = tuple(os.path.realpath(p) for p in protected)

    def hook(event, args):
        what = _violation(event, args, roots, protected)
        if what:
            _stop(send, what)

    if roots or protected:
        sys.addaudithook(hook)
    if roots:
        sys.meta_path.insert(0, _Sentinel(roots, send))


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


def load_submission(path, send):
    import importlib.util

    sys.path.insert(0, os.path.dirname(path))
    try:
        spec = importlib.util.spec_from_file_location("submission", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["submission"] = module
        spec.loader.exec_module(module)
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


def grade(request, send, np):
    """Everything between a fresh process and its results: limits, policy, import, cases."""
    set_limits(request["limits"])
    install_policy(request.get("forbidden_imports", []), request.get("protected", []), send)
    path = request["submission"]
    module = load_submission(path, send)
    if module is None:
        return
    function = getattr(module, request["function"], None)
    if not callable(function):
        send(event="missing-function", error=f"no function {request['function']!r} defined")
        return
    run_cases(function, request["calls"], path, send, np, request["limits"])
    send(event="done")


def _sender(fd):
    out = os.fdopen(fd, "w", buffering=1)

    # Bound now, before student code runs: patching json.dumps later changes nothing here.
    def send(_dumps=json.dumps, _write=out.write, _flush=out.flush, **event):
        _write(_dumps(event) + "\n")
        _flush()

    return send


def main():
    if sys.argv[1] == "--serve":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from zygote import serve  # beside this file: the fork server of `grader grade`

        serve(*(int(fd) for fd in sys.argv[2:4]), grade)
        return
    request_fd, result_fd = int(sys.argv[1]), int(sys.argv[2])
    with os.fdopen(request_fd, "rb") as f:
        request = json.loads(f.read())
    send = _sender(result_fd)
    drop_privileges(request.get("drop_to"))
    import numpy as np  # before the limits: its import is the grader's cost, not the student's

    grade(request, send, np)


if __name__ == "__main__":
    main()
