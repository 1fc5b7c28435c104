"""Ctrl-C during a class run is the main thread's to handle."""

from __future__ import annotations

import signal


def leave_ctrl_c_to_the_main_thread() -> None:
    """Called first in every thread a class run starts. The kernel hands a signal to any thread
    that does not block it; CPython runs the handler in the main thread, but only wakes it if
    the signal landed there. The main thread waits for the lanes and ends them on Ctrl-C
    (grader/batch/engine.py): one that landed elsewhere would wait until the class was graded."""
    if hasattr(signal, "pthread_sigmask"):  # POSIX
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
