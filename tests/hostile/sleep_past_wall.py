# Sleeps an hour inside the call: blocked in a system call, using no CPU, so only the wall clock can stop it.
import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)


def backward(params, x, y):
    time.sleep(3600)
    return {"W1": [[0, 0], [0, 0]], "b1": [0, 0], "W2": [[0, 0]], "b2": [0]}
