"""A seccomp filter the run installs on itself last, just before student code: classic BPF
written by hand (no dependency). Child-side like policy.py: stdlib only, imports nothing
from the grader.

Denied calls fail with EPERM (clone3 with ENOSYS, so that glibc falls back to clone, whose
flags the filter can read). What they reach is state outside the run that could outlive it or
touch other runs: the kernel keyrings, System V IPC and POSIX message queues (memory that no
rlimit counts), other processes' memory, new namespaces, mounts, io_uring, bpf,
perf_event_open, userfaultfd, and the machine's administration calls. An unknown architecture,
or a call made through another ABI (x32, or 32-bit int 0x80 on x86_64), kills the process.
"""

import ctypes
import errno
import os
import struct

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_SECCOMP_SYSCALL = {"x86_64": 317, "aarch64": 277}
_X32_BIT = 0x40000000

# The same names on both tables: keyrings, SysV IPC, mqueues, other processes, namespaces and
# mounts, io_uring, bpf, perf, userfaultfd, administration. Numbers from the kernel's
# asm/unistd_64.h (x86_64) and asm-generic/unistd.h (aarch64).
_TABLES = {
    "x86_64": """
    add_key=248 request_key=249 keyctl=250 shmget=29 shmat=30 shmctl=31 shmdt=67 semget=64
    semop=65 semctl=66 semtimedop=220 msgget=68 msgsnd=69 msgrcv=70 msgctl=71 mq_open=240
    mq_unlink=241 mq_timedsend=242 mq_timedreceive=243 mq_notify=244 mq_getsetattr=245
    ptrace=101 process_vm_readv=310 process_vm_writev=311 pidfd_getfd=438 kcmp=312
    process_madvise=440 unshare=272 setns=308 mount=165 umount2=166 pivot_root=155 chroot=161
    open_tree=428 move_mount=429 fsopen=430 fsconfig=431 fsmount=432 fspick=433
    mount_setattr=442 io_uring_setup=425 io_uring_enter=426 io_uring_register=427 bpf=321
    perf_event_open=298 userfaultfd=323 kexec_load=246 kexec_file_load=320 init_module=175
    finit_module=313 delete_module=176 reboot=169 swapon=167 swapoff=168 acct=163 quotactl=179
    quotactl_fd=443 syslog=103 vhangup=153 lookup_dcookie=212 open_by_handle_at=304
    name_to_handle_at=303 fanotify_init=300 memfd_secret=447 iopl=172 ioperm=173 uselib=134
""",
    "aarch64": """
    add_key=217 request_key=218 keyctl=219 shmget=194 shmat=196 shmctl=195 shmdt=197 semget=190
    semop=193 semctl=191 semtimedop=192 msgget=186 msgsnd=189 msgrcv=188 msgctl=187 mq_open=180
    mq_unlink=181 mq_timedsend=182 mq_timedreceive=183 mq_notify=184 mq_getsetattr=185
    ptrace=117 process_vm_readv=270 process_vm_writev=271 pidfd_getfd=438 kcmp=272
    process_madvise=440 unshare=97 setns=268 mount=40 umount2=39 pivot_root=41 chroot=51
    open_tree=428 move_mount=429 fsopen=430 fsconfig=431 fsmount=432 fspick=433
    mount_setattr=442 io_uring_setup=425 io_uring_enter=426 io_uring_register=427 bpf=280
    perf_event_open=241 userfaultfd=282 kexec_load=104 kexec_file_load=294 init_module=105
    finit_module=273 delete_module=106 reboot=142 swapon=224 swapoff=225 acct=89 quotactl=60
    quotactl_fd=443 syslog=116 vhangup=58 lookup_dcookie=18 open_by_handle_at=265
    name_to_handle_at=264 fanotify_init=262 memfd_secret=447
""",
}
_DENIED = {
    arch: {name: int(nr) for name, nr in (pair.split("=") for pair in text.split())}
    for arch, text in _TABLES.items()
}
_CLONE = {"x86_64": 56, "aarch64": 220}
_CLONE3 = 435  # the same on both

# clone()'s namespace flags: NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.
# (CLONE_NEWTIME, 0x80, overlaps clone()'s exit-signal byte and exists only for clone3/unshare.)
CLONE_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000
CLONE_NAMESPACES |= 0x20000000 | 0x40000000

# Classic BPF opcodes and seccomp return values (linux/filter.h, linux/seccomp.h).
_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_KILL_PROCESS, _ALLOW, _ERRNO = 0x80000000, 0x7FFF0000, 0x00050000
_NR, _ARCH, _ARG0_LOW = 0, 4, 16  # offsets in struct seccomp_data (little-endian)

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 1, 1


def machine():
    return os.uname().machine.lower().replace("arm64", "aarch64").replace("amd64", "x86_64")


def _program(arch):
    """The filter as (code, jt, jf, k) tuples; a jump names its target by label."""
    deny, enosys, allow = "deny", "enosys", "allow"
    prog = [
        (_LD_W_ABS, 0, 0, _ARCH),
        (_JEQ, 1, 0, _AUDIT_ARCH[arch]),
        (_RET, 0, 0, _KILL_PROCESS),  # another ABI: its numbers mean other calls
        (_LD_W_ABS, 0, 0, _NR),
    ]
    if arch == "x86_64":
        prog.append((_JGE, "kill", 0, _X32_BIT))  # x32 calls reuse the numbers + this bit
    prog += [(_JEQ, deny, 0, nr) for nr in sorted(_DENIED[arch].values())]
    prog += [
        (_JEQ, enosys, 0, _CLONE3),
        (_JEQ, 0, allow, _CLONE[arch]),
        (_LD_W_ABS, 0, 0, _ARG0_LOW),  # clone's flags: the low 32 bits of its first argument
        (_JSET, deny, allow, CLONE_NAMESPACES),
    ]
    labels = {"allow": len(prog), "deny": len(prog) + 1, "enosys": len(prog) + 2}
    labels["kill"] = len(prog) + 3
    prog += [
        (_RET, 0, 0, _ALLOW),
        (_RET, 0, 0, _ERRNO | errno.EPERM),
        (_RET, 0, 0, _ERRNO | errno.ENOSYS),
        (_RET, 0, 0, _KILL_PROCESS),
    ]
    return [
        (code, _jump(jt, labels, i), _jump(jf, labels, i), k)
        for i, (code, jt, jf, k) in enumerate(prog)
    ]


def _jump(target, labels, at):
    if isinstance(target, int):
        return target
    offset = labels[target] - at - 1
    if not 0 <= offset <= 255:  # classic BPF jumps are one byte
        raise ValueError("seccomp filter too long for a jump")
    return offset


class _Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _compiled(arch):
    """The filter as the kernel reads it: a struct sock_fprog, and the buffer it points to
    (kept alive with it)."""
    code = b"".join(struct.pack("=HBBI", *op) for op in _program(arch))
    buffer = ctypes.create_string_buffer(code, len(code))
    return _Fprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p)), buffer


_libc = ctypes.CDLL(None, use_errno=True)
_prctl, _syscall = _libc.prctl, _libc.syscall
# Compiled when this module loads, in the fork server before it forks any run: a run only
# installs it (building it in Python cost every run about half a millisecond).
_COMPILED = {arch: _compiled(arch) for arch in (machine(),) if arch in _DENIED}


def install():
    """Deny the calls above for this process and every thread and child it has later.

    Refuses (OSError) on an architecture the tables do not cover: a filter that checked the
    wrong numbers would be worse than none, and the caller must not run student code then.
    """
    arch = machine()
    if arch not in _DENIED:
        raise OSError(errno.ENOSYS, f"no seccomp table for {arch}")
    prog = (_COMPILED.get(arch) or _compiled(arch))[0]
    if _prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    # TSYNC: every thread of the process gets the filter, not only the calling one.
    done = _syscall(
        _SECCOMP_SYSCALL[arch],
        SECCOMP_SET_MODE_FILTER,
        SECCOMP_FILTER_FLAG_TSYNC,
        ctypes.byref(prog),
    )
    if done != 0:
        raise OSError(ctypes.get_errno(), "seccomp(SECCOMP_SET_MODE_FILTER)")
