"""What the child does to itself before any student code runs: give up root, set resource
limits, and install the import policy. A script beside child.py (and, in the sandbox, at
/sandbox/policy.py): like child.py it imports nothing from the grader.
"""

import contextlib
import os
import sys

POLICY_EXIT = 86  # the exit status of a run stopped by the import policy


def drop_privileges(uid):
    if uid is None:
        return
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)  # from root this also clears every capability


def confine(request):
    """Everything a run does to itself before any student code, in one place.

    Called first thing in the process that becomes the run (after its session and standard
    streams are set up). `request["isolation"]` comes from `sandbox.isolation()` on the
    grader's side and is opaque to the supervisor; `request["limits"]` from
    `Limits.for_child()`.
    """
    isolation = request.get("isolation") or {}
    drop_privileges(isolation.get("uid"))
    set_limits(request["limits"])


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
