# Infinite loop that ignores every signal it may ignore (SIGTERM, SIGINT, SIGHUP, SIGXCPU...), so that only SIGKILL stops it.
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
