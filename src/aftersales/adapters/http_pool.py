"""Keep-alive HTTP/1.1 connections to one endpoint, shared by threads: ``KeepAlivePool``.

The webhook notifier POSTs thousands of small messages; what each one costs is the client, not the
network. The standard library's ``http.client`` spends about a sixth of the CPU time httpx does on
a request, and a pool of open connections (last used, first reused: with ``n`` senders each ends up
on its own connection) skips the TCP (and TLS) handshake after the first message. Standard library
only, so it adds no dependency.

A reused connection the server has meanwhile closed fails before any answer; that request is sent
once more on a fresh connection (the receiver drops a repeat by its idempotency key anyway).
"""

from __future__ import annotations

import contextlib
import http.client
import io
import math
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlsplit

from aftersales.adapters.deadline_socket import DeadlineReader
from aftersales.domain.bounds import Bounds
from aftersales.errors import ConfigurationError, OutOfBounds, carried_rule
from aftersales.ports.fork_renewal import renew_after_fork
from aftersales.ports.outbox_dispatch import MAX_SENDERS

__all__ = ["POOL_SIZE", "HttpAnswer", "KeepAlivePool", "UnsendableHeader", "check_header"]

POOL_SIZE = Bounds(1, MAX_SENDERS)
"""Open connections a pool keeps (``WebhookNotifier(max_connections=…)``): each sender of a delivery run
keeps its own, so more than the most senders (``MAX_SENDERS``) would never be used — a mistyped
``100000`` was accepted and only held sockets open."""

_ANSWER_LIMIT = 64 * 1024
"""Bytes of an answer's body read; a longer (or chunked, or unsized) one is not read at all: its
connection is closed instead of drained."""

_INHERITED: list[object] = []
"""Idle connections a forked child inherited, held so that the child never closes the parent's."""

_LINE_LIMIT = 8192
_HEADER_LIMIT = 100

_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)

HttpAnswer = tuple[int, bytes]
"""The status code and the body of an answer (empty when it was not read; see ``_ANSWER_LIMIT``)."""


class UnsendableHeader(ValueError):
    """A header the request cannot carry (a line break, a name with spaces, text that is not Latin-1)."""


def check_header(name: str, value: str) -> None:
    """Raise :class:`UnsendableHeader` unless ``name: value`` can go on the request as it is: a name
    without separator, blank or line break, a value without line break or NUL, both Latin-1 text. No
    request splitting through a header; the webhook notifier checks its configured headers with it."""
    if not name or any(c in name for c in ":\r\n \t") or any(c in value for c in "\r\n\0"):
        raise UnsendableHeader(f"invalid header {name!r}")
    if not name.isascii() or not (value.isascii() or _latin1(value)):
        raise UnsendableHeader(f"header {name!r} is not Latin-1 text")


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class _Connection:
    """One open socket to the origin. A request is written in one send (``http.client`` sends head
    and body apart, and the body then waits on Nagle and delayed ACK); of the answer only the status
    matters, so only the status line and the headers that decide whether the connection can be kept
    (length, ``Connection``, chunked) are read, with no general header parsing."""

    __slots__ = ("clock", "reader", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.clock = DeadlineReader(sock)
        self.reader = io.BufferedReader(self.clock)

    def exchange(self, request: bytes, deadline: float) -> tuple[int, bytes, bool]:
        """Send ``request``; the answer's status, body (kept connections only) and whether to keep it.
        Sending and reading end by ``deadline`` (``time.monotonic()``), else ``TimeoutError``."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no time left to send the request")
        self.sock.settimeout(left)  # sendall's whole duration (Python 3.5+)
        self.sock.sendall(request)
        self.clock.deadline = deadline
        readline = self.reader.readline
        while True:
            line = readline(_LINE_LIMIT)
            if not line:
                raise http.client.RemoteDisconnected("the server closed the connection without answering")
            version, _, rest = line.partition(b" ")
            code = rest[:3]
            if not version.startswith(b"HTTP/") or not code.isdigit():
                raise http.client.BadStatusLine(line.decode("latin-1", "replace")[:100])
            status = int(code)
            close, length, chunked = version == b"HTTP/1.0", -1, False
            for _ in range(_HEADER_LIMIT):
                header = readline(_LINE_LIMIT)
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value) if value.strip().isdigit() else -1
                elif name == b"connection":
                    close = b"close" in value.lower() or (close and b"keep-alive" not in value.lower())
                elif name == b"transfer-encoding":
                    chunked = True
            else:
                raise http.client.HTTPException("too many headers in the answer")
            if not 100 <= status < 200:
                break  # an informational answer (1xx) comes before the real one
        keep = not close and not chunked and 0 <= length <= _ANSWER_LIMIT
        body = self.reader.read(length) if keep else b""
        return status, body, keep and len(body) == length

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class KeepAlivePool:
    """At most ``size`` open connections to the origin of ``url``; ``post`` is thread-safe.

    ``timeout`` (seconds) bounds the wait for a free connection, then one request as a whole: connecting,
    sending and reading the answer, however slowly the receiver writes it (before session 34 it bounded
    each read, so an answer dripped a byte at a time held a sender for hours; see
    :mod:`aftersales.adapters.deadline_socket`). ``context`` is the TLS context
    for ``https://`` (default: the system's trusted roots, hostname checked).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        size: Annotated[int, POOL_SIZE] = 16,
        context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"an endpoint URL is http(s)://host/…, got {url!r}", key="url")
        try:
            POOL_SIZE.check(size, "max_connections")
        except OutOfBounds as refused:  # a setting of the host's, worded as every bounded number is
            raise ConfigurationError(str(refused), key="max_connections", **carried_rule(refused)) from None
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < math.inf:
            raise ConfigurationError(
                "the timeout must be a positive number of seconds", key="timeout", rule="positive"
            )
        if context is not None and (not isinstance(context, ssl.SSLContext) or parts.scheme != "https"):
            raise ConfigurationError(
                "a TLS context is an ssl.SSLContext, for an https:// URL", key="tls_context"
            )
        try:
            port = parts.port
        except ValueError:
            raise ConfigurationError(f"the port of {url!r} is not a number", key="url") from None
        if parts.username is not None or parts.password is not None:
            # This pool sends no Authorization header: a user and password in the URL were dropped without
            # a word and every request went out unauthenticated (session 39).
            raise ConfigurationError(
                "a user or password in the URL is not sent by this pool: give the receiver's credentials as "
                "a header (headers={'Authorization': ...}) or send through an httpx client",
                key="url",
            )
        self.host = parts.hostname
        self.https = parts.scheme == "https"
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.timeout = timeout
        self._context = (
            context if context is not None else (ssl.create_default_context() if self.https else None)
        )
        default_port = 443 if self.https else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        self._host_header = host if port in (None, default_port) else f"{host}:{port}"
        self.port = port or default_port
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._size = size
        self._slots = threading.BoundedSemaphore(size)
        self._closed = False
        renew_after_fork(self)

    def _renew_locks_after_fork(self) -> None:
        # The parent's idle connections are the parent's: two processes writing on one socket mix their
        # requests. Held, never used nor closed here; the child opens its own. The senders of the
        # parent do not live on here, so every slot is free.
        _INHERITED.append(self._idle)
        self._idle = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self._size)

    def _connect(self, deadline: float) -> _Connection:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no time left to connect")
        sock = socket.create_connection((self.host, self.port), timeout=left)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._context is not None:
                sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        return _Connection(sock)

    def _head(self, body: bytes, headers: Mapping[str, str]) -> bytes:
        lines = [f"POST {self.target} HTTP/1.1", f"Host: {self._host_header}", f"Content-Length: {len(body)}"]
        for name, value in headers.items():
            check_header(name, value)
            lines.append(f"{name}: {value}")
        lines.append("\r\n")
        try:
            return "\r\n".join(lines).encode("latin-1")
        except UnicodeEncodeError:
            raise UnsendableHeader("a header value is not Latin-1 text") from None

    def post(self, body: bytes, headers: Mapping[str, str]) -> HttpAnswer:
        """POST ``body`` to the URL's path; raises ``OSError``, :class:`UnsendableHeader` or
        ``http.client.HTTPException`` (an answer that is not HTTP)."""
        head = self._head(body, headers)
        if not self._slots.acquire(timeout=self.timeout):
            raise TimeoutError("no free connection in the pool within the timeout")
        deadline = time.monotonic() + self.timeout  # the request's whole time, however it is dripped
        try:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is not None:
                try:
                    return self._exchange(conn, head, body, deadline)
                except _STALE:
                    pass  # closed by the server while idle: once more on a fresh connection
            return self._exchange(self._connect(deadline), head, body, deadline)
        finally:
            self._slots.release()

    def _exchange(self, conn: _Connection, head: bytes, body: bytes, deadline: float) -> HttpAnswer:
        try:
            status, content, keep = conn.exchange(head + body, deadline)
        except BaseException:
            conn.close()
            raise
        if keep:
            with self._lock:
                if not self._closed:
                    self._idle.append(conn)
                    return status, content
        conn.close()
        return status, content

    def close(self) -> None:
        """Close the idle connections; connections in use close when their request ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(OSError):  # a socket the peer already dropped
                conn.close()
