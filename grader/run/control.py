"""The grader's end of the control socket to a fork server (protocol: grader/run/zygote.py).

Only control messages travel here: run ids, pids, exit statuses, and the descriptors of a run's
pipes. The server never sends descriptors; a message it cannot parse is a broken server.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from typing import Any, TypeGuard


class ServerGone(Exception):
    """The fork server closed its end, or said something that is not a control message."""


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = b""
        self._pending: list[dict[str, Any]] = []
        # Runs sent and not yet over, with what was read for each while another run was
        # supervised (its time of arrival, the message): the server runs them one at a time.
        self._kept: dict[str, list[tuple[float, dict[str, Any]]]] = {}
        self.free_since = 0.0  # when the last run supervised to its end was over

    def expect(self, run: str) -> None:
        self._kept.setdefault(run, [])

    def expects(self, run: object) -> TypeGuard[str]:
        return isinstance(run, str) and run in self._kept

    def keep(self, run: str, arrived: float, message: dict[str, Any]) -> None:
        self._kept[run].append((arrived, message))

    def kept(self, run: str) -> list[tuple[float, dict[str, Any]]]:
        """What was read for `run` while another run was supervised, each message once."""
        found = self._kept.get(run, [])
        if found:
            self._kept[run] = []
        return found

    def forget(self, run: str) -> None:
        self._kept.pop(run, None)

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, fds: Sequence[int] = (), **message: Any) -> None:
        data = json.dumps(message).encode() + b"\n"
        try:
            if fds:
                sent = socket.send_fds(self.sock, [data], list(fds))
                self.sock.sendall(data[sent:])
            else:
                self.sock.sendall(data)
        except OSError as exc:
            raise ServerGone(f"the fork server does not listen ({exc})") from exc

    def _receive(self) -> None:
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            raise
        except OSError as exc:
            raise ServerGone(f"the control socket failed ({exc})") from exc
        if not data:
            raise ServerGone("the fork server ended")
        *lines, self._buffer = (self._buffer + data).split(b"\n")
        try:
            messages = [json.loads(line) for line in lines]
        except ValueError as exc:
            raise ServerGone(f"the fork server sent garbage ({exc})") from exc
        if not all(isinstance(m, dict) for m in messages):
            raise ServerGone("the fork server sent something that is not a message")
        self._pending += messages

    @property
    def pending(self) -> bool:
        """Whether messages already read wait to be taken (select() will not say so)."""
        return bool(self._pending)

    def read(self) -> list[dict[str, Any]]:
        """The messages waiting, or else what one read brings (call it when readable)."""
        if not self._pending:
            self._receive()
        messages, self._pending = self._pending, []
        return messages

    def wait(self, timeout: float) -> dict[str, Any] | None:
        """The next message within `timeout` seconds, or None."""
        self.sock.settimeout(timeout)
        try:
            while not self._pending:
                try:
                    self._receive()
                except TimeoutError:
                    return None
        finally:
            self.sock.settimeout(None)
        return self._pending.pop(0)

    def close(self) -> None:
        self.sock.close()
