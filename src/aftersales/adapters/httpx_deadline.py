"""An httpx request bounded as a whole: what bounds one WeCom robot post in time.

Why: httpx's timeout bounds each read, not an answer. A receiver that writes its answer a byte at a time,
each byte inside the timeout (a stalled proxy, a hostile endpoint), held a send for as long as it liked,
so a delivery run never ended and its lease ran out (session 34, as the webhook and SMTP transports did:
:mod:`aftersales.adapters.deadline_socket`).

Session 34 bounded every read by swapping the network backend inside httpx's transports (its private
``_transport``, ``_mounts`` and httpcore's ``_pool._network_backend``): httpx has no public hook for it,
and an httpx release renaming them would have left sends unbounded again. Session 35 uses public API
only. A request sent with :class:`RequestDeadline`'s ``extensions`` reports the connection it opens
through httpcore's documented ``trace`` extension (``connection.connect_tcp.complete``, whose
``return_value`` is the network stream, ``get_extra_info("socket")`` its socket); when the deadline
passes first, a timer shuts that socket down, which ends the read in progress at once (httpx raises
its read error) and :attr:`RequestDeadline.passed` says why. The client of :func:`deadline_client` keeps
no idle connection (``httpx.Limits(max_keepalive_connections=0)``), so every request opens (and reports)
its own; proxies from the environment are used as httpx uses them, their connection reported alike.
A robot takes 20 messages a minute: a connection per message costs nothing that matters.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import types
from typing import Any

import httpx

__all__ = ["RequestDeadline", "deadline_client"]

_OPENED = (".connect_tcp.complete", ".connect_unix_socket.complete")
"""Trace events (prefixed by the connection's kind: direct, proxy) whose ``return_value`` is the stream."""


class RequestDeadline:
    """A deadline for the requests made inside ``with`` with :attr:`extensions` (see the module)."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.passed = False
        """The deadline passed before the block ended (a request's error is then its doing)."""

    @property
    def extensions(self) -> dict[str, Any]:
        """The request extensions that report the connections opened to this deadline."""
        return {"trace": self._trace}

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        if not event.endswith(_OPENED):
            return
        stream = info.get("return_value")
        found = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(found, socket.socket):
            return
        with self._lock:
            self._sockets.append(found)
            passed = self.passed
        if passed:  # opened after the deadline (a slow connect): no request on it
            _shut(found)

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            opened = list(self._sockets)
        for sock in opened:
            _shut(sock)

    def __enter__(self) -> RequestDeadline:
        self._timer = threading.Timer(self._seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    # shutdown() wakes a recv() blocked in another thread (close() alone may not); the socket may be gone.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def deadline_client(timeout: float) -> httpx.Client:
    """An ``httpx.Client`` (``timeout`` per operation, as httpx reads it) keeping no idle connection,
    so each request's connection is reported to its :class:`RequestDeadline`."""
    return httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0))
