# Kills its parent (the grader, or bwrap's init), pid 1 (only a sandbox's init, see README) and its own process group.
import os
import signal


def backward(params, x, y):
    parent = os.getppid()
    try:
        with open(f"/proc/{parent}/cmdline", "rb") as f:
            print("parent", parent, f.read().replace(b"\0", b" ")[:200].decode(errors="replace"))
    except OSError:
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(parent, sig)
            print("sent", sig.name, "to the parent", parent)
        except OSError as exc:
            print("could not signal the parent:", exc.strerror)
    try:
        with open("/proc/1/cmdline", "rb") as f:
            init = f.read()
    except OSError:
        init = b""
    if b"bwrap" in init:  # never the test machine's own init (see README)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(1, sig)
                print("sent", sig.name, "to pid 1")
            except OSError as exc:
                print("could not signal pid 1:", exc.strerror)
    else:
        print("pid 1 is not a sandbox's init: left alone")
    os.killpg(0, signal.SIGKILL)  # its own process group, itself included
    return {"W1": [[0, 0], [0, 0]], "b1": [0, 0], "W2": [[0, 0]], "b2": [0]}
