"""What the run does to itself before any student code runs: confine itself (a user, namespaces
and working folder of its own, no capabilities, resource limits, a seccomp filter) and install
the import policy. A script beside child.py (and, in the sandbox, at /sandbox/policy.py): like
child.py it imports nothing from the grader; confine.py and seccomp.py lie beside it.
"""

import contextlib
import os
import sys

POLICY_EXIT = 86  # the exit status of a run stopped by the import policy
CONFINE_EXIT = 71  # the run could not be isolated: no student code ran (EX_OSERR)

try:  # imported now: once the run is a user of its own, the interpreter may be unreadable
    import resource as _resource
except ImportError:  # Windows: only the parent's wall clock applies
    _resource = None  # type: ignore[assignment]  # Windows has no resource module

if sys.platform.startswith("linux"):
    # Beside this file, like this file itself: put the folder on sys.path for these imports only.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        import confine as _os_steps  # type: ignore[import-not-found]  # a sibling script
        import seccomp as _seccomp  # type: ignore[import-not-found]  # a sibling script
    finally:
        sys.path.pop(0)
else:  # macOS, Windows: only the rlimits and the grader's own checks apply
    _os_steps = _seccomp = None


# Imported before the run becomes a user of its own: from then on the interpreter's own files
# may be unreadable (an interpreter under /root), and a module first imported later fails with
# ModuleNotFoundError. The same list in a one-off run and a fork server's run keeps their
# results the same.
# fmt: off
PRELOADED = (
    "abc", "array", "bisect", "collections", "collections.abc", "contextlib", "copy", "csv",
    "dataclasses", "datetime", "decimal", "enum", "fnmatch", "fractions", "functools", "glob",
    "heapq", "inspect", "io", "itertools", "json", "math", "numbers", "operator", "os",
    "pathlib", "pprint", "random", "re", "shutil", "signal", "statistics", "string", "struct",
    "tempfile", "textwrap", "time", "traceback", "types", "typing", "warnings", "weakref",
    "numpy", "numpy.linalg", "numpy.random",
)
# fmt: on


# Not empty once preload() has run in this process, or in the fork server it was forked from.
_preloaded: list[bool] = []


def preload(names=PRELOADED):
    """Import `names`; the default list only once per process: in a run forked from a server
    that loaded it, confine() finds it done (importing 45 loaded modules again costs a run
    dozens of copy-on-write faults)."""
    if names is PRELOADED and _preloaded:
        return
    for name in names:
        with contextlib.suppress(ImportError):
            __import__(name)
    if names is PRELOADED:
        _preloaded.append(True)


def confine(request):
    """Everything a run does to itself before any student code, in one place.

    Called first thing in the process that becomes the run (after its session and standard
    streams are set up). `request["isolation"]` comes from `sandbox.isolation()` on the
    grader's side and is opaque to the supervisor; `request["limits"]` from
    `Limits.for_child()`. When any step fails the run ends here with CONFINE_EXIT and one
    line on fd 2: student code never runs half-confined.
    """
    try:
        _confine(request["isolation"], request["limits"], request.get("protected") or ())
    except BaseException as exc:  # whatever it is, no student code may run
        _refuse(exc)


def _refuse(exc, _write=os.write, _exit=os._exit):
    with contextlib.suppress(BaseException):
        text = f"the run could not be isolated ({type(exc).__name__}: {exc})"[:400]
        _write(2, (text.replace("\n", " ") + "\n").encode("utf-8", "replace"))
    _exit(CONFINE_EXIT)


def _confine(isolation, limits, protected):
    """The order matters: the uid before the namespaces (they then belong to that uid), the
    mounts while the new namespace's capabilities last, the capabilities gone before the
    limits, and the seccomp filter last (it forbids mounting)."""
    uid, workdir = isolation.get("uid"), isolation["workdir"]
    preload()
    if isolation.get("make_workdir"):  # on the worker's scratch tmpfs, made while still root
        os.mkdir(workdir, 0o700)
        if uid is not None:
            os.chown(workdir, uid, uid)
    if uid is not None:
        _os_steps.switch_user(uid)
    if isolation.get("unshare"):
        if not _os_steps.unshare():
            raise OSError("the kernel refused the run a user namespace")
        hidden = [*isolation.get("hide", ()), *protected]
        size, inodes = isolation["tmpfs_bytes"], isolation["tmpfs_inodes"]
        _os_steps.private_mounts(workdir, size, inodes, hidden)
    os.chdir(workdir)
    _working_folder(workdir)
    if _os_steps is not None:
        _os_steps.drop_capabilities()
        if uid is None:  # the run shares the grader's uid: keep other runs out of its memory
            _os_steps.not_dumpable()
    if hasattr(os, "geteuid") and 0 in (os.getuid(), os.geteuid()):
        raise OSError("the run would be root")
    set_limits(limits)
    if isolation.get("seccomp"):
        _seccomp.install()


def _working_folder(path):
    os.environ["HOME"] = os.environ["TMPDIR"] = path
    tempfile = sys.modules.get("tempfile")
    if tempfile is not None:
        tempfile.tempdir = None  # gettempdir() may have cached the old folder


def _limit(name, soft, hard=None):
    """Lower one limit (never above what the process already has). On Linux a refusal is an
    error: confine() then ends the run. Elsewhere (macOS refuses RLIMIT_AS) the parent's wall
    clock and its own checks remain."""
    if soft is None or _resource is None or not hasattr(_resource, name):
        return
    which = getattr(_resource, name)
    hard = soft if hard is None else hard
    current = _resource.getrlimit(which)[1]
    if current != _resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    try:
        _resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        if sys.platform.startswith("linux"):
            raise


def set_limits(limits):
    _limit("RLIMIT_CORE", 0)
    # One second of slack on the hard limit: the soft one sends SIGXCPU, which says "CPU".
    cpu = limits.get("cpu_seconds")
    _limit("RLIMIT_CPU", cpu, None if cpu is None else cpu + 1)
    _limit("RLIMIT_AS", limits.get("memory_bytes"))
    _limit("RLIMIT_FSIZE", limits.get("file_bytes"))
    _limit("RLIMIT_NOFILE", limits.get("open_files"))
    _limit("RLIMIT_NPROC", limits.get("processes"))


def _violation(event, args, roots, protected):
    """What a policy audit event breaks, or None (the hook's own check, for tests)."""
    return _checker(roots, protected)(event, args)


_PATH_EVENTS = ("exec", "open", "os.listdir", "os.scandir", "os.chdir")


def _checker(
    roots,
    protected,
    _realpath=os.path.realpath,
    _fsdecode=os.fsdecode,
    _readlink=os.readlink,
    _listdir=os.listdir,
    _join=os.path.join,
    _isabs=os.path.isabs,
    _isdir=os.path.isdir,
    _sep=os.sep,
    _str=str,
    _isinstance=isinstance,
    _getattr=getattr,
    _set=set,
    _paths=(str, bytes, os.PathLike),
):
    """The hook's check, with everything it uses bound now, before any student code: replacing
    a module attribute later (this module's, os's, builtins') changes nothing here.

    Paths cover what `import` events miss (importlib.import_module and loaders run module code
    through `exec` without one). A relative name may be opened against any directory the
    process holds open (`dir_fd=`), so it is checked against each of them; an fd is checked
    as the path it stands for.
    """

    def fd_path(fd):
        try:
            return _readlink(f"/proc/self/fd/{fd}")
        except (OSError, ValueError):
            return None

    def candidates(target):
        if _isinstance(target, int):
            path = fd_path(target)
            return [_realpath(path)] if path else []
        path = _fsdecode(target)
        if _isabs(path):
            return [_realpath(path)]
        found = [_realpath(path)]
        try:
            fds = _listdir("/proc/self/fd")
        except OSError:
            fds = []
        for fd in fds:
            folder = fd_path(fd)
            if folder and folder.startswith("/") and _isdir(folder):
                found.append(_realpath(_join(folder, path)))
        return found

    def guarded(path):
        return any(path == folder or path.startswith(folder + _sep) for folder in protected)

    def check(event, args):
        if event == "import" and args and _str(args[0]).split(".")[0] in roots:
            return f"imported {args[0]}"
        if event not in _PATH_EVENTS or not args:
            return None
        target = _getattr(args[0], "co_filename", args[0])
        if not _isinstance(target, (*_paths, int)) or _isinstance(target, bool):
            return None
        for path in candidates(target):
            for root in roots & _set(path.split(_sep)) if event == "exec" else ():
                return f"imported {root} (running {path})"
            if guarded(path):
                return f"tried to read the grader's own files ({path})"
        return None

    return check


def _stop(send, what, _exit=os._exit, _code=POLICY_EXIT, _streams=(sys.__stdout__, sys.__stderr__)):
    """End the run for a policy violation, keeping what it printed so far.

    Everything is bound when this module loads, before any student code: patching os._exit,
    contextlib or this module later does not keep the run alive.
    """
    # try/except, not contextlib.suppress: a class the student can patch by now.
    try:  # noqa: SIM105
        send(event="forbidden-import", error=what)
    except BaseException:
        pass
    for stream in _streams:
        try:  # noqa: SIM105
            stream.flush()
        except BaseException:
            pass
    _exit(_code)


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

    check, stop = _checker(roots, protected), _stop

    def hook(event, args):
        what = check(event, args)
        if what:
            stop(send, what)

    if roots or protected:
        sys.addaudithook(hook)
    if roots:
        sys.meta_path.insert(0, _Sentinel(roots, send))
