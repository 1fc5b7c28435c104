"""Read a child's pipe in a thread, keeping a bounded amount of it."""

from __future__ import annotations

import contextlib
import threading
from typing import IO

_TAIL = 4096  # what a report shows of stdout or stderr


class CappedReader:
    """Drain `stream` until EOF; past `cap` bytes (shared with another reader) set `flood`."""

    def __init__(
        self,
        stream: IO[bytes],
        cap: int,
        flood: threading.Event,
        shared_with: CappedReader | None = None,
        keep_all: bool = False,
    ):
        self._stream = stream
        self._cap = cap
        self._flood = flood
        self._keep_all = keep_all
        self._counter = shared_with._counter if shared_with else [0]
        self._chunks: list[bytes] = []
        self._kept = 0
        self._overflow = False
        self._own = 0  # this stream's bytes; the cap may be shared with another stream
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            while (
                chunk := self._stream.read1(65536)
                if hasattr(self._stream, "read1")
                else (self._stream.read(65536))
            ):
                self._counter[0] += len(chunk)
                self._own += len(chunk)
                if self._counter[0] > self._cap:
                    self._flood.set()
                    self._overflow = True
                    if self._keep_all:
                        return  # an oversized result is refused whole, never half-parsed
                self._keep(chunk)
        except (OSError, ValueError):
            pass

    def _keep(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self._kept += len(chunk)
        if not self._keep_all:
            while self._kept - len(self._chunks[0]) >= _TAIL:
                self._kept -= len(self._chunks.pop(0))

    def finish(self, timeout: float) -> None:
        self._thread.join(timeout)
        if self._thread.is_alive():
            return  # an orphan still holds the pipe: closing now would block on the reader
        with contextlib.suppress(OSError):
            self._stream.close()

    def data(self) -> bytes:
        return b"" if self._keep_all and self._overflow else b"".join(self._chunks)

    def text(self) -> str:
        tail = b"".join(self._chunks)[-_TAIL:].decode("utf-8", errors="replace")
        return tail if self._own <= _TAIL else "...\n" + tail
