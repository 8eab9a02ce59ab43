"""An httpx client whose requests are bounded as a whole: what bounds one WeCom robot post in time.

Why: httpx's timeout bounds each read, not an answer. A receiver that writes its answer a byte at a time,
each byte inside the timeout (a stalled proxy, a hostile endpoint), held a send for as long as it liked,
so a delivery run never ended and its lease ran out (session 34, as the webhook and SMTP transports did:
:mod:`aftersales.adapters.deadline_socket`). Here every connect, read and write of the client's
connections waits at most what is left until the deadline of the request in progress
(:func:`request_deadline`), on the direct transport and on a proxy's taken from the environment.
"""

from __future__ import annotations

import contextlib
import math
import ssl
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

__all__ = ["deadline_client", "request_deadline"]

_DEADLINE: ContextVar[float] = ContextVar("aftersales_http_deadline", default=math.inf)


@contextlib.contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """Bound the requests made inside the block (on a :func:`deadline_client`) to ``seconds`` in all."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _left(timeout: float | None, error: type[Exception]) -> float:
    """The smaller of ``timeout`` and the time left to the deadline; past it, ``error``."""
    left = _DEADLINE.get() - time.monotonic()
    if left <= 0:
        raise error("the request did not complete within its timeout")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        return _Stream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _bound(transport: object) -> None:
    # httpx offers no public hook for the pool's network backend; httpcore's pools (direct and proxy)
    # keep it as ``_network_backend``. A transport without one is left as it is.
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if isinstance(inner, httpcore.NetworkBackend) and not isinstance(inner, _Backend):
        pool._network_backend = _Backend(inner)  # type: ignore[union-attr]


def deadline_client(timeout: float) -> httpx.Client:
    """An ``httpx.Client`` (``timeout`` per operation, as httpx reads it) whose connections honour
    :func:`request_deadline`; proxies from the environment are used as httpx uses them, bounded too."""
    client = httpx.Client(timeout=timeout)
    _bound(client._transport)
    for mounted in client._mounts.values():
        _bound(mounted)
    return client
