"""Reading a socket against a deadline: what bounds one webhook request in time, whatever the receiver.

Why: a socket's timeout bounds each ``recv``, not an answer. A receiver that writes its answer a byte at a
time, each byte inside the timeout (a stalled proxy, a hostile endpoint), held a sender for as long as it
liked — up to the answer's line and header limits, hours at a byte a second — so a delivery run never
ended, its lease ran out and another deliverer sent the same messages again (session 34: 10 s for a 1 s
timeout with forty bytes dripped). Each ``recv`` here waits at most what is left until the deadline.
"""

from __future__ import annotations

import io
import socket
import time

__all__ = ["DeadlineReader"]


class DeadlineReader(io.RawIOBase):
    """The bytes ``sock`` receives, each ``recv`` waiting at most until :attr:`deadline`
    (``time.monotonic()`` seconds); past it, ``TimeoutError``. Wrap it in ``io.BufferedReader``."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self.deadline = float("inf")

    def readable(self) -> bool:
        """A reader, never a writer."""
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Receive into ``buffer`` what arrives before the deadline (0 at the end of the stream)."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the answer did not arrive within the timeout")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)
