"""The isolation layers around the child process (see docs/sandbox.md for the threat model).

Always: a fresh interpreter (`-I`), a scrubbed environment, stdin closed, a private working
folder, its own session, resource limits set before any student code runs, an import policy
enforced by an audit hook, and the whole process tree killed at the end.

On Linux with a working bubblewrap (`bwrap`) on top: no network, its own PID namespace (so
every process it starts dies with it, setsid or double fork included), `--die-with-parent`,
`--new-session`, a read-only view of only the interpreter, its libraries and the child script,
a small private /tmp, and the grader's own package (reference solver, bundled exercises and
solutions) hidden.

Per run, on Linux, with or without bubblewrap: `isolation()` gives the run a uid of its own
(when the grader is root) and says whether it can have user, mount and IPC namespaces of its
own; `policy.confine()` in the run does the rest (a tmpfs working folder, read-only mounts,
no capabilities, limits, a seccomp filter); `cleanup()` sweeps what is left by that uid.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import SandboxUnavailable
from grader.run import sweep

TMP_BYTES = 16 * 1024 * 1024
SCRATCH = "/sandbox/scratch"  # in the sandbox: a size-limited tmpfs that only the server sees
SCRATCH_BYTES = 64 * 1024 * 1024  # all that the runs of one sandbox may write, together
RUN_BYTES = 64 * 1024 * 1024  # all that one run may write: its own tmpfs
RUN_INODES = 16384  # files and folders in it (each costs kernel memory that `size` ignores)
UID_BASE = 2_000_000_000  # per-run uids: UID_BASE + a random 24-bit number, never a user's


@dataclass(frozen=True)
class Sandbox:
    """How the child is started: the command prefix and the paths the child sees."""

    enabled: bool
    reason: str  # why it is off, for the one-line notice
    as_root: bool  # the grader is root: bwrap without a user namespace, a uid per run
    per_run: bool = False  # each run gets user, mount and IPC namespaces of its own


def _readable_by_anyone(path: Path) -> bool:
    """Whether any other user (a run's own uid) could reach `path`: every folder above it
    searchable by others."""
    return all(p.stat().st_mode & 0o001 for p in (path, *path.parents) if p.exists())


def _fallback(reason: str) -> Sandbox:
    """No bubblewrap. As root, each run still gets a uid of its own (`isolation()`)."""
    return _with_per_run(Sandbox(False, reason, is_root()))


def is_root() -> bool:
    """Whether the grader runs as root (then each run gets a uid of its own)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _probe_argv() -> list[str] | None:
    """The probe's command (bubblewrap around an interpreter that does nothing), or None where
    the answer needs no bubblewrap run."""
    bwrap = shutil.which("bwrap")
    if os.environ.get("GRADER_NO_SANDBOX") or not sys.platform.startswith("linux") or not bwrap:
        return None
    return [bwrap, *_namespaces(is_root()), "--ro-bind", "/", "/", "--", sys.executable, "-c", "0"]


_witness: Callable[[], bool] | None = None  # a server started on presume()'s answer (vouch)


@functools.cache
def _probe() -> Sandbox:
    global _witness
    if os.environ.get("GRADER_NO_SANDBOX"):
        return _fallback("the sandbox is switched off (GRADER_NO_SANDBOX)")
    argv = _probe_argv()
    if argv is None:
        return _fallback("bubblewrap (bwrap) is not installed")
    witness, _witness = _witness, None
    if witness is not None and witness():
        # A fork server started in these very namespaces and said it was ready: bubblewrap
        # works, and a second one started only to exit would cost the start-up its time.
        return Sandbox(True, "", is_root(), per_run=True)
    return _ask_bubblewrap(argv)  # no server vouches, or it did not start: this says why


def _ask_bubblewrap(argv: list[str]) -> Sandbox:
    """Start bubblewrap around an interpreter that does nothing: whether it works here."""
    try:
        run = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _, err = run.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            run.kill()
            run.wait()
            raise
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _fallback(f"bubblewrap does not start ({exc})")
    if run.returncode != 0:
        detail = (err.strip().splitlines() or ["no message"])[-1]
        return _fallback(f"bubblewrap is refused here ({detail})")
    # Whether a run may also have namespaces of its own inside bubblewrap is tried by each
    # worker's fork server, in a forked run, before it says it is ready (grader/run/zygote.py):
    # the same trial as _with_per_run's, without a second sandbox and interpreter to start.
    return Sandbox(True, "", is_root(), per_run=True)


_probing = threading.Lock()


def probe() -> Sandbox:
    """Whether bubblewrap works here; asked once per process (a thread that asks while
    another probes waits for that answer).

    With bubblewrap, `per_run` says that a run may try namespaces of its own; each worker's
    server confirms it before its first run (`Worker`), and `confirmed()` answers for good.
    Without it, `per_run` is the answer of a trial run (the notices depend on it).
    """
    with _probing:
        return _probe()


def presume() -> Sandbox:
    """At once, what `probe()` will most likely say: where bubblewrap is installed, that the
    sandbox works. A worker started on this answer vouches for it (`vouch`): its server's
    start is the probe, and no run ever starts before `probe()` has answered (`Worker`)."""
    with _probing:
        if _probe.cache_info().currsize or _probe_argv() is None:
            return _probe()
        return Sandbox(True, "", is_root(), per_run=True)


def vouch(witness: Callable[[], bool]) -> None:
    """Let the next `probe()` ask `witness()` first: whether a fork server started in
    `presume()`'s sandbox became ready (then bubblewrap works, and no probe of its own runs).
    When it says no, bubblewrap is asked as usual, which also says why. Withdraw it with
    `withdraw(witness)` when the server is gone before anyone asked."""
    global _witness
    with _probing:
        if not _probe.cache_info().currsize:
            _witness = witness


def withdraw(witness: Callable[[], bool]) -> None:
    """`witness` no longer answers (its server was closed): a later `probe()` asks bubblewrap."""
    global _witness
    with _probing:
        if _witness == witness:
            _witness = None


def _forget() -> None:
    """Probe afresh next time (the tests switch GRADER_NO_SANDBOX on and off)."""
    global _witness
    with _probing:
        _probe.cache_clear()
        _witness = None


# As functools.cache would have them: the tests start afresh, or ask without the cache.
probe.cache_clear = _forget  # type: ignore[attr-defined]
probe.__wrapped__ = _probe.__wrapped__  # type: ignore[attr-defined]


@functools.cache
def confirmed(box: Sandbox) -> Sandbox:
    """`box` with `per_run` tried in a throwaway run (inside bubblewrap when enabled)."""
    return _with_per_run(box) if box.enabled and box.per_run else box


def trial(box: Sandbox) -> dict:
    """What a throwaway run needs to try `policy.confine()` with namespaces of its own; pass
    it to `cleanup(box, trial(...)["isolation"])` afterwards."""
    settings = _isolation(Sandbox(box.enabled, "", box.as_root, True))
    return {"isolation": {**settings, "hide": []}, "limits": {}}


def require(required: bool) -> str:
    """A one-line notice when the sandbox is off ("" when on); refuse if it is required."""
    box = probe()
    if box.enabled:
        return ""
    if required:
        raise SandboxUnavailable(
            f"the sandbox is required but {box.reason}; install bubblewrap (apt-get install "
            "bubblewrap) or grade without --require-sandbox / GRADER_REQUIRE_SANDBOX"
        )
    where = " (Gradescope's container)" if in_gradescope() else ""
    return f"note{where}: {box.reason}; {_what_remains(box)} (--require-sandbox refuses this)"


SANDBOX_RUN_MOUNT = "/sandbox/run"  # an empty folder bwrap makes for a run's own tmpfs


@functools.cache  # asked for every run; interpreter_paths() is fixed for the process
def _holds_interpreter(folder: str) -> bool:
    return any(path == Path(folder) or Path(folder) in path.parents for path in interpreter_paths())


def run_mount(box: Sandbox) -> str:
    """Where a run mounts its own tmpfs (its working folder): over /tmp, unless the interpreter
    lives there (a virtualenv in /tmp, as some CI jobs make), which the tmpfs would hide."""
    if not _holds_interpreter("/tmp"):
        return "/tmp"
    if box.enabled:
        return SANDBOX_RUN_MOUNT
    # Without bubblewrap the folder must exist on the host; /var/tmp is otherwise covered empty.
    return "/var/tmp" if not _holds_interpreter("/var/tmp") else "/tmp"


def in_gradescope() -> bool:
    """Whether this looks like Gradescope's autograder container (its fixed /autograder layout)."""
    return Path("/autograder/run_autograder").is_file()


def _what_remains(box: Sandbox) -> str:
    """What still isolates a run without bubblewrap, in a clause (docs/sandbox.md's modes)."""
    linux_root = sys.platform.startswith("linux") and is_root()
    who = "as a user of its own" if linux_root else "as you"
    if box.per_run:
        return (
            f"each submission runs {who} in namespaces of its own (a read-only view of this "
            "machine, the grader's files hidden), but sees the network and other processes"
        )
    if linux_root:
        return (
            "each submission runs as a user of its own in a private folder, without namespaces: "
            "files readable by every user stay readable, and the network is open"
        )
    return "submissions run as you with resource limits only: no network, file or process isolation"


def isolation(box: Sandbox, hide: Iterable[str | Path] = ()) -> dict:
    """What one run's `policy.confine()` needs to isolate itself (JSON; opaque elsewhere).

    Call once per run, and `cleanup(box, settings)` after it. `hide`: more folders the run
    must not see when there is no sandbox (the output folder, the class's submissions).
    """
    return _isolation(box, hide)


def _isolation(box: Sandbox, hide: Iterable[str | Path] = ()) -> dict:
    linux = sys.platform.startswith("linux")
    uid = _fresh_uid() if linux and is_root() else None
    settings: dict[str, Any] = {
        "uid": uid,  # the run's own uid and gid: only when the grader is root
        "unshare": box.per_run,  # user, mount and IPC namespaces of its own
        "seccomp": linux,
        "tmpfs_bytes": RUN_BYTES,
        "tmpfs_inodes": RUN_INODES,
        "hide": [] if box.enabled else _hideable(hide),
        "make_workdir": False,
        "host_folder": None,
    }
    if box.per_run:
        settings["workdir"] = run_mount(box)  # a fresh tmpfs over whatever was there
    elif box.enabled:  # made by confine() on the worker's scratch, which its server empties
        settings["workdir"] = f"{SCRATCH}/run-{secrets.token_hex(8)}"
        settings["make_workdir"] = True
    else:  # no namespaces: a host folder only the run's uid may enter
        folder = tempfile.mkdtemp(prefix="grader-run-")  # mode 0700
        if uid is not None:
            os.chown(folder, uid, uid)
        settings["workdir"] = settings["host_folder"] = folder
    return settings


def cleanup(box: Sandbox, settings: dict, contained: bool = False) -> None:
    """After a run: kill whatever runs as its uid, remove its IPC objects and files outside
    its namespaces, and its host folder; then release the uid. Only that run's uid is swept.

    `contained`: the fork server saw every process of the run die, inside bubblewrap's PID
    namespace. Only the server's descendants live there and it is their subreaper, so no
    process of that uid can be left anywhere: the search of every process on the machine
    (the grader's largest fixed cost per run on a busy host) is skipped.
    """
    uid = settings.get("uid")
    try:
        if uid is not None:
            if not (contained and box.enabled):
                sweep.kill_uid(uid)
            if not box.enabled:  # inside the sandbox these live and die with it
                sweep.remove_ipc(uid)
                sweep.remove_files_of(uid)
        if settings.get("host_folder"):  # removed, moved or replaced by the run: still fine
            sweep.remove_tree(settings["host_folder"])
    finally:
        with _uid_lock:
            _uids_in_use.discard(uid)


_uids_in_use: set[int] = set()  # given to a run, or checked ahead for one (_stock)
_stock: list[int] = []  # checked ahead: no user or group has them (stock_uid)
_uid_lock = threading.Lock()
STOCK = 4  # uids checked ahead at most


def _fresh_uid() -> int:
    """A uid (and gid) no user, group or other run of this grader has: one checked ahead
    (`stock_uid`), or one checked now."""
    with _uid_lock:
        if _stock:
            return _stock.pop()
    return _checked_uid()


def stock_uid() -> None:
    """Check a uid ahead of time, for a later run. A worker does it while its current run
    runs: the next run's start then waits for no look-up in the user and group databases
    (with --jobs 2 those look-ups, between one run and the next, cost a class run 4 % of its
    throughput). Where runs get no uid of their own, nothing."""
    if not (sys.platform.startswith("linux") and is_root()):
        return
    with _uid_lock:
        if len(_stock) >= STOCK:
            return
    uid = _checked_uid()
    with _uid_lock:
        _stock.append(uid)


def _checked_uid() -> int:
    """A uid reserved for this grader (in `_uids_in_use`) that no user or group has. The
    look-ups run outside the lock: another lane's run may start or end meanwhile."""
    import grp
    import pwd

    while True:
        with _uid_lock:
            uid = UID_BASE + secrets.randbelow(1 << 24)
            if uid in _uids_in_use:
                continue
            _uids_in_use.add(uid)  # reserved while it is looked up
        owned = False
        for lookup in (pwd.getpwuid, grp.getgrgid):
            try:
                lookup(uid)
                owned = True
            except KeyError:
                pass
        if not owned:
            return uid
        # A user's or a group's: it stays reserved, so that no run is ever given it.


def _hideable(paths: Iterable[str | Path]) -> list[str]:
    """Paths to hide from a run, minus any that hold the interpreter (it must stay)."""
    needed = interpreter_paths()
    kept = {Path(p).resolve() for p in paths}
    return sorted(str(p) for p in kept if not any(p == n or p in n.parents for n in needed))


_ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# Runs policy.confine() in a throwaway process: whether this machine gives a run namespaces
# of its own (Docker's default seccomp profile, for one, refuses unshare).
_PROBE = (
    "import json, sys; sys.path.insert(0, sys.argv[1]); import policy; "
    "policy.confine(json.loads(sys.argv[2])); print('confined')"
)


def _with_per_run(box: Sandbox) -> Sandbox:
    if not sys.platform.startswith("linux"):
        return box
    attempt = trial(box)
    if box.enabled:  # inside the very sandbox a worker gets, where the scripts are /sandbox/*
        argv = [sys.executable, "-I", "-c", _PROBE, "/sandbox", json.dumps(attempt)]
        argv = command(box, argv, [], SCRATCH, SCRATCH, shared_scratch=True)
    else:
        argv = [sys.executable, "-I", "-c", _PROBE, str(HERE), json.dumps(attempt)]
    # Pinned to one thread like a real run: the kernel refuses a threaded process a namespace.
    env = {"PATH": os.defpath, **dict.fromkeys(_ONE_THREAD, "1")}
    try:
        run = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env)
        works = run.returncode == 0 and run.stdout.strip() == "confined"
    except (OSError, subprocess.TimeoutExpired):
        works = False
    finally:
        cleanup(box, attempt["isolation"])
    return Sandbox(box.enabled, box.reason, box.as_root, works)


def require_isolation(allowed: bool, protected: Iterable[str] = ()) -> str:
    """For `grader grade`: a one-line notice ("" in the sandbox), or SandboxUnavailable when
    runs would not be kept from each other and from the grader's files, unless `allowed`
    (`--no-isolation`). `protected`: the exercises' folders and solutions."""
    box = probe()
    if box.enabled:
        return ""
    problem = _weakness(box, protected)
    if problem is None:
        return f"note: {box.reason}; {_what_remains(box)}"
    if not allowed:
        raise SandboxUnavailable(
            f"submissions would run without isolation: {problem}. Install bubblewrap "
            "(apt-get install bubblewrap), or grade as root, or pass --no-isolation to grade "
            "anyway"
        )
    return f"note: grading with --no-isolation: {problem}"


def _weakness(box: Sandbox, protected: Iterable[str]) -> str | None:
    """Why runs without bubblewrap would not be isolated here, or None when they are."""
    if not (sys.platform.startswith("linux") and is_root()):
        return "they would run as your own user, able to read your files and stop each other"
    if box.per_run:
        return None  # a uid of its own, and the grader's folders covered in its namespace
    exposed = [p for p in protected if _readable_by_anyone(Path(p))]
    if exposed:
        return f"{exposed[0]} is readable by every user and no namespace can hide it here"
    return None


def _namespaces(as_root: bool) -> list[str]:
    common = [
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
    ]
    if not as_root:
        return ["--unshare-user", *common]  # unprivileged: a user namespace is how bwrap works
    # As root, bwrap sets up the mounts itself and keeps root's capabilities: the fork server
    # needs them to give each run its uid and folder, and each run drops them all in
    # policy.confine() before any student code.
    return common


@functools.cache
def interpreter_paths() -> tuple[Path, ...]:  # fixed for the process: asked once
    """What the interpreter and numpy need to start: prefixes and site-packages, resolved."""
    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).resolve().parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(Path(sysconfig.get_paths()[key]))
    numpy = importlib.util.find_spec("numpy")
    if numpy and numpy.origin:
        paths.add(Path(numpy.origin).resolve().parent.parent)
    resolved = sorted({p.resolve() for p in paths if p.exists()})
    # Keep only the outermost: binding /a and /a/b twice is redundant.
    return tuple(p for p in resolved if not any(q != p and q in p.parents for q in resolved))


def _hidden_paths(names: tuple[str, ...]) -> list[Path]:
    """Where the interpreter would find each package: the grader's own, and `names` (the
    packages an exercise forbids). Hiding them is the policy's structural half: the audit
    hook inside the child is code a determined submission can tamper with."""
    # Search where the child's interpreter looks (its site folders), not where this process
    # happened to import from: a test run from a source tree imports the grader from there.
    roots = interpreter_paths()
    folders = {Path(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")}
    folders |= {Path(p) for p in sys.path if p and any(r in Path(p).parents for r in roots)}
    found = []
    for name in ("grader", *names):
        for folder in sorted(folders):
            package, module = folder / name, folder / f"{name}.py"
            if package.is_dir():
                found.append(package.resolve())
            elif module.is_file():
                found.append(module.resolve())
    return found


def _without(hidden: list[Path]) -> list[str]:
    """Arguments that make `hidden` absent: its folder is re-created from everything else.

    An empty folder over a package would still import (as a namespace package) and still be
    found; so the folder holding it becomes a tmpfs into which every other entry is bound back.
    """
    args: list[str] = []
    inside = [p for p in hidden if any(r in p.parents for r in interpreter_paths())]
    for parent in sorted({p.parent for p in inside}):
        args += ["--perms", "0755", "--tmpfs", str(parent)]
        for entry in sorted(parent.iterdir()):
            if entry in inside:
                continue
            if entry.is_symlink():
                args += ["--symlink", os.readlink(entry), str(entry)]
            else:
                args += ["--ro-bind", str(entry), str(entry)]
    return args


def _dirs_for(target: Path) -> list[str]:
    args: list[str] = []
    for parent in reversed(target.parents):
        if parent != Path("/"):
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


SCRIPTS = (
    "child.py",
    "policy.py",
    "confine.py",
    "tree.py",
    "seccomp.py",
    "zygote.py",
)  # beside this module; bound read-only at /sandbox/<name>
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Mount:
    host: Path
    inside: str
    writable: bool


def command(
    box: Sandbox,
    child_argv: list[str],
    mounts: list[Mount],
    cwd: str,
    scratch: str,
    hidden: tuple[str, ...] = (),
    shared_scratch: bool = False,
) -> list[str]:
    """The full command: bwrap around `child_argv` when enabled, `child_argv` itself when not.

    Inside, the child sees the interpreter, the scripts at /sandbox/<name>, `mounts`, and a
    writable tmpfs of SCRATCH_BYTES at `scratch`: a run fills that, never the grader's disk.
    """
    if not box.enabled:
        return child_argv
    argv = [shutil.which("bwrap") or "bwrap", *_namespaces(box.as_root)]
    # /tmp first: a later bind under /tmp (a virtualenv there) must stay visible. Its mode
    # keeps a dropped child from writing there: each run writes only to its own folder.
    argv += ["--perms", "0755", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "sbin"):
        link = Path("/") / name
        if link.is_symlink():
            argv += ["--symlink", os.readlink(link), str(link)]
        elif link.is_dir():
            argv += ["--ro-bind", str(link), str(link)]
    for path in interpreter_paths():
        argv += [*_dirs_for(path), "--ro-bind", str(path), str(path)]
    argv += _without(_hidden_paths(hidden))
    argv += ["--proc", "/proc", "--dev", "/dev", "--perms", "0755", "--dir", "/sandbox"]
    argv += ["--perms", "0755", "--dir", SANDBOX_RUN_MOUNT]
    for name in SCRIPTS:
        argv += ["--ro-bind", str(HERE / name), f"/sandbox/{name}"]
    for mount in mounts:
        argv += ["--bind" if mount.writable else "--ro-bind", str(mount.host), mount.inside]
    # A scratch shared by successive runs (a worker's) is not writable at its top: each run
    # gets a folder of its own there, removed before the next run.
    perms = "0755" if shared_scratch else "1777"
    argv += ["--perms", perms, "--size", str(SCRATCH_BYTES), "--tmpfs", scratch]
    return [*argv, "--chdir", cwd, "--", *child_argv]


def inside(box: Sandbox, path: Path, mounts: list[Mount]) -> str:
    """A host path (a script, or one under a mount) as the child sees it."""
    if not box.enabled:
        return str(path)
    if path.parent == HERE and path.name in SCRIPTS:
        return f"/sandbox/{path.name}"
    for mount in mounts:
        if path == mount.host or mount.host in path.parents:
            return str(Path(mount.inside) / path.relative_to(mount.host))
    raise ValueError(f"{path} is not visible inside the sandbox")
