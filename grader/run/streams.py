"""What a run's pipe sent, kept within bounds: a whole result channel up to its cap, or the
tail of stdout or stderr. Streams may share one cap (stdout and stderr do)."""

from __future__ import annotations

TAIL = 4096  # what a report shows of stdout or stderr


class Capped:
    def __init__(self, cap: int, keep_all: bool = False, shared_with: Capped | None = None):
        self._cap = cap
        self._keep_all = keep_all
        self._counter: list[int] = shared_with._counter if shared_with else [0]  # all streams
        self._kept = bytearray()
        self._own = 0  # this stream's bytes

    @property
    def over(self) -> bool:
        return self._counter[0] > self._cap

    def add(self, chunk: bytes) -> None:
        self._counter[0] += len(chunk)
        self._own += len(chunk)
        if not self._keep_all:
            self._kept += chunk
            del self._kept[:-TAIL]
        elif not self.over:
            self._kept += chunk

    def data(self) -> bytes:
        """Everything, or nothing once past the cap: an oversized result is never half-parsed."""
        return b"" if self._keep_all and self.over else bytes(self._kept)

    def text(self) -> str:
        tail = self._kept[-TAIL:].decode("utf-8", errors="replace")
        return tail if self._own <= TAIL else "...\n" + tail
