# Raises an exception whose str() and repr() raise too, whose class name is huge, and that carries a 10 MB message.
class _Nasty(Exception):
    def __str__(self):
        raise RuntimeError("str() of this exception fails")

    def __repr__(self):
        raise RuntimeError("repr() of this exception fails")


Nasty = type("N" * 10000, (_Nasty,), {})


def backward(params, x, y):
    raise Nasty("x" * 10_000_000)
