# Opens network connections (connect attempts only, 1 s timeout): 127.0.0.1 where the test listens, and 192.0.2.1 (TEST-NET-1).
import json
import socket

import numpy as np

TARGETS = [("127.0.0.1", 48213), ("127.0.0.1", 80), ("192.0.2.1", 80)]  # 48213: the test's listener
RESULTS = {}
for _host, _port in TARGETS:
    try:
        with socket.create_connection((_host, _port), timeout=1.0):
            RESULTS[f"{_host}:{_port}"] = "connected"
    except OSError as _exc:
        RESULTS[f"{_host}:{_port}"] = f"{type(_exc).__name__}: {_exc}"
try:
    RESULTS["interfaces"] = [name for _, name in socket.if_nameindex()]
except OSError as _exc:
    RESULTS["interfaces"] = str(_exc)
print("NETWORK:", json.dumps(RESULTS))


def backward(params, x, y):
    return {k: np.zeros_like(v) for k, v in params.items()}
