# Infinite loop: backward spins forever and ignores every signal it is allowed to ignore.
import signal

for _name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGXCPU", "SIGALRM", "SIGUSR1"):
    try:
        signal.signal(getattr(signal, _name), signal.SIG_IGN)
    except (AttributeError, OSError, ValueError):
        pass


def backward(params, x, y):
    n = 0
    while True:
        n += 1
