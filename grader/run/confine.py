"""The operating-system steps of `policy.confine()`: a user of its own, private namespaces, a
size-limited working folder, no capabilities. Child-side like policy.py: stdlib only, imports
nothing from the grader. Linux only; every step raises OSError when it cannot be done, and
`policy.confine()` then ends the run before any student code.
"""

import ctypes
import errno
import os

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 4, 24, 47, 4
PR_SET_NO_NEW_PRIVS = 38
MOUNT_SETATTR, AT_FDCWD, AT_RECURSIVE = 442, -100, 0x8000  # same number on x86_64 and aarch64
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID = 0x1, 0x2
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

# What the kernel (or a container's seccomp profile) answers when namespaces are not allowed.
REFUSED = {errno.EPERM, errno.EACCES, errno.EINVAL, errno.ENOSPC, errno.EUSERS, errno.ENOSYS}
# Shared places a run could read others' leftovers from: each gets an empty read-only tmpfs.
COVERED = ("/dev/shm", "/var/tmp", "/dev/mqueue", "/run/shm")

_libc = ctypes.CDLL(None, use_errno=True)
# Looked up once, when the fork server loads this module: looking a function up in a CDLL
# builds and caches a new object, which in a forked run would be built again every time.
_prctl, _unshare, _mount_call = _libc.prctl, _libc.unshare, _libc.mount
_syscall, _capget, _capset = _libc.syscall, _libc.capget, _libc.capset


def _check(result, what):
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def switch_user(uid):
    """From root to `uid` (also its gid), with no supplementary groups and no capabilities."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid):
        raise OSError(errno.EPERM, f"could not become uid {uid}")
    # setuid() made the process non-dumpable: /proc/self would stay root's, and the run could
    # neither map itself into a user namespace nor list its own fds. No other process is `uid`.
    _check(_prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")


def unshare():
    """A user, mount and IPC namespace of the run's own; False when they are refused.

    The user namespace maps only the run's own uid and gid onto themselves, so files keep
    their owners and the per-user process limit still counts the run's processes.
    """
    uid, gid = os.getuid(), os.getgid()
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:  # the kernel refuses a user namespace to a threaded process (EINVAL)
        raise OSError(errno.EINVAL, f"unshare needs one thread, the run has {threads}")
    # A fork server may have made itself non-dumpable: /proc/self/uid_map would be root's.
    _check(_prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
    if _unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC) != 0:
        code = ctypes.get_errno()
        if code in REFUSED:
            return False
        raise OSError(code, f"unshare: {os.strerror(code)}")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    return True


def _write(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _bytes(text):
    return None if text is None else text.encode()


def _mount(source, target, fstype, flags, data=None):
    result = _mount_call(_bytes(source), _bytes(target), _bytes(fstype), flags, _bytes(data))
    _check(result, f"mount {target}")


def private_mounts(workdir, size, inodes, hidden):
    """In the run's mount namespace: everything read-only, a fresh tmpfs of `size` bytes as
    the working folder, and empty read-only folders over the shared scratch places and over
    `hidden` (the grader's files, when there is no sandbox to leave them out)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing of ours propagates back out
    read_only_everywhere()
    options = f"size={size},nr_inodes={inodes},mode=0700"
    _mount("tmpfs", workdir, "tmpfs", MS_NOSUID | MS_NODEV, options)
    for path in COVERED:
        if os.path.isdir(path) and not os.path.islink(path) and path != workdir:
            _empty(path, "0555")
    for path in hidden:
        if os.path.isdir(path):
            _empty(path, "0000")
        elif os.path.exists(path):
            _mount("/dev/null", path, None, MS_BIND)
            _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY)


def _empty(path, mode):
    flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
    _mount("tmpfs", path, "tmpfs", flags, f"size=4k,nr_inodes=2,mode={mode}")


class _MountAttr(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in ("set", "clr", "propagation", "userns")]


def read_only_everywhere():
    """Every mount the run can see becomes read-only (and nosuid): no writable host path."""
    attr = _MountAttr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, 0)
    done = _syscall(
        MOUNT_SETATTR, AT_FDCWD, b"/", AT_RECURSIVE, ctypes.byref(attr), ctypes.sizeof(attr)
    )
    if done == 0:
        return
    if ctypes.get_errno() != errno.ENOSYS:
        _check(done, "mount_setattr /")
    _remount_each()  # a kernel older than 5.12


def _remount_each():
    keep = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC}
    with open("/proc/self/mountinfo") as table:
        rows = [line.split() for line in table]
    for row in rows:
        target = _unescape(row[4])
        flags = sum(bit for name, bit in keep.items() if name in row[5].split(","))
        _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | flags)


def _unescape(field):
    """mountinfo writes a space, tab, newline and backslash in a path as octal escapes. (No
    codec: the interpreter's own files may be unreadable by now.)"""
    for code, char in (("040", " "), ("011", "\t"), ("012", "\n"), ("134", "\\")):
        field = field.replace("\\" + code, char)
    return field


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def _last_cap():
    with open("/proc/sys/kernel/cap_last_cap") as f:
        return int(f.read())


try:  # the kernel's, read once by the fork server; a run reads it itself if that failed
    _LAST_CAP = _last_cap()
except (OSError, ValueError):
    _LAST_CAP = None


def drop_capabilities():
    """No capability left in any set, none to regain: a new user namespace grants them all."""
    last = _last_cap() if _LAST_CAP is None else _LAST_CAP
    if _effective() != 0:  # dropping from the bounding set needs CAP_SETPCAP
        for cap in range(last + 1):
            _check(_prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "prctl(PR_CAPBSET_DROP)")
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)  # EINVAL before 4.3
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    _check(_capset(ctypes.byref(header), (_CapData * 2)()), "capset")
    _check(_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    if _effective() != 0:
        raise OSError(errno.EPERM, "capabilities remain after dropping them")


def _effective():
    """The effective set, from the kernel (capget) rather than by parsing /proc/self/status."""
    header, data = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    _check(_capget(ctypes.byref(header), data), "capget")
    return data[0].effective | data[1].effective << 32


def not_dumpable():
    """Another process of the same uid may not read this one's memory (/proc/PID/mem)."""
    _check(_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
