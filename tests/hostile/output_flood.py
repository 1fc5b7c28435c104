# Output flood: endless text on stdout and stderr, unbuffered through os.write as well as print.
import os
import sys


def backward(params, x, y):
    line = "loss = 0.123456789 " * 50 + "\n"
    while True:
        print(line, end="")
        sys.stderr.write(line)
        os.write(1, line.encode())
        os.write(2, b"\x00\xff binary \x1b[31m too\n")
