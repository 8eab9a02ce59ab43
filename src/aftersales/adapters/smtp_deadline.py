"""An SMTP session bounded in time as a whole: what ``SmtpNotifier``'s ``timeout`` means.

Why: ``smtplib`` gives its timeout to the socket, so it bounds each read and write, not a message. A server
writing its replies a byte at a time, each byte inside the timeout (a tarpit, a stalled relay), held a
sender as long as it liked — the delivery run with it, past its lease (session 34; the webhook had the
same fault: :mod:`aftersales.adapters.deadline_socket`). Here every connect, write and read of one message
waits at most what is left of its time.
"""

from __future__ import annotations

import io
import smtplib
import socket
import time
from typing import TYPE_CHECKING, Any

from aftersales.adapters.deadline_socket import DeadlineReader

if TYPE_CHECKING:
    from typing_extensions import Buffer

__all__ = ["DeadlineSMTP", "DeadlineSMTPSSL"]


class _Deadline(smtplib.SMTP):
    """The overrides both sessions share; ``deadline`` is ``time.monotonic()`` seconds."""

    deadline: float = float("inf")

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the SMTP session did not end within the timeout")
        return left

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return super()._get_socket(host, port, min(timeout, self._left()))  # type: ignore[misc,no-any-return]

    def send(self, s: str | Buffer) -> None:
        """Write ``s`` within what is left of the session's time."""
        if self.sock is not None:
            self.sock.settimeout(self._left())
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        """Read a reply within what is left of the session's time."""
        if self.file is None and self.sock is not None:  # a new connection, or after STARTTLS
            reader = DeadlineReader(self.sock)
            reader.deadline = self.deadline
            self.file = io.BufferedReader(reader)
        return super().getreply()


class DeadlineSMTP(_Deadline):
    """``smtplib.SMTP`` whose session ends by ``deadline`` (``TimeoutError`` past it)."""

    def __init__(self, host: str, port: int, *, timeout: float, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        super().__init__(host, port, timeout=timeout, **kwargs)


class DeadlineSMTPSSL(_Deadline, smtplib.SMTP_SSL):
    """``smtplib.SMTP_SSL`` whose session ends by ``deadline`` (``TimeoutError`` past it)."""

    def __init__(self, host: str, port: int, *, timeout: float, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        smtplib.SMTP_SSL.__init__(self, host, port, timeout=timeout, **kwargs)
