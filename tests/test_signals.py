"""grader/batch/signals.py: a class run's threads leave Ctrl-C to the main thread."""

from __future__ import annotations

import signal
import sys
import threading

import pytest


@pytest.mark.skipif(sys.platform == "win32", reason="no per-thread signal masks")
def test_a_class_runs_thread_blocks_ctrl_c_and_the_main_thread_does_not() -> None:
    from grader.batch.signals import leave_ctrl_c_to_the_main_thread

    seen: list[set[int]] = []

    def thread() -> None:
        leave_ctrl_c_to_the_main_thread()
        seen.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, [])))

    worker = threading.Thread(target=thread)
    worker.start()
    worker.join()
    assert seen == [{signal.SIGINT}]
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
