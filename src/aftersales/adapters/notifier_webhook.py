"""An HTTP webhook with an HMAC-SHA256 signature and a timestamp: ``WebhookNotifier``.

Each message is POSTed as JSON to the host's endpoint (its own SMS gateway, a CRM, a queue)::

    POST /hooks/aftersales
    Content-Type: application/json
    X-Aftersales-Timestamp: 1772414400
    X-Aftersales-Signature: v1=5f2b…            (hex HMAC-SHA256 of "<timestamp>.<body>")
    X-Aftersales-Idempotency-Key: SR-2026-000001:3:assigned:customer:9c1e…
    X-Aftersales-Attempt: 1

    {"idempotency_key": …, "channel": "sms", "recipient": "13800138000", "subject": …, "body": …,
     "locale": "zh_Hans", "attempt": 1}

The receiver checks with :func:`verify_signature` (same secret; a timestamp older than the
tolerance is refused, so a captured request cannot be replayed later) and drops a repeated key.
A 2xx answer is delivery; 408, 429 and 5xx are retried with backoff; other 4xx are permanent.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

import orjson

from aftersales.adapters.http_pool import POOL_SIZE, KeepAlivePool, UnsendableHeader, check_header
from aftersales.adapters.send_timeout import check_timeout
from aftersales.domain.call_shape import host_factories
from aftersales.domain.contact import MessageChannel
from aftersales.errors import ConfigurationError, DeliveryError, shown_repr
from aftersales.ports.notifier import RenderedMessage

try:
    import httpx
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ConfigurationError("the webhook notifier needs httpx: pip install 'aftersales[notifiers]'") from exc

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookNotifier",
    "check_endpoint",
    "json_payload",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Aftersales-Signature"
TIMESTAMP_HEADER = "X-Aftersales-Timestamp"
_VERSION = "v1="
_RETRIED = frozenset({408, 425, 429})


LONGEST_URL: Final = 8_000
"""The longest webhook URL taken: RFC 9110 4.1 asks every HTTP party to take 8,000 octets, and one longer
is refused by many servers (414) on every message, until each is a dead letter; the refusal quoted it
whole."""


def check_endpoint(url: object, key: str = "url") -> str:
    """``url`` if it is an ``http(s)://host…`` URL a request can be sent to, else a
    :class:`ConfigurationError` naming ``key``: a URL that never works would otherwise make every
    message fail until it is a dead letter."""
    bad = ConfigurationError(
        f"a webhook URL is http(s)://host/… of at most {LONGEST_URL:,} characters, got {shown_repr(url, 80)}",
        key=key,
    )
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > LONGEST_URL:
        raise bad
    if any(c.isspace() or not c.isprintable() for c in url):
        raise bad
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # an unclosed [IPv6], a port that is not 0-65535
        raise bad from None
    if not parts.hostname or port == 0:
        raise bad
    return url


def json_payload(value: Mapping[str, Any]) -> bytes:
    """``value`` as UTF-8 JSON, always: a lone surrogate (which UTF-8 cannot carry) in any text
    becomes U+FFFD instead of failing the message on every attempt. NUL and line breaks are escaped
    by JSON itself."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return orjson.dumps(_mended(value))


def _mended(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, Mapping):
        return {_mended(k): _mended(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mended(v) for v in value]
    return value


def _secret(secret: str | bytes) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    if not isinstance(key, bytes) or len(key) < 16:
        raise ConfigurationError("a webhook secret is at least 16 bytes", key="secret")
    return key


def sign(secret: str | bytes, timestamp: int, body: bytes) -> str:
    """The signature header value of ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(_secret(secret), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return _VERSION + mac.hexdigest()


def verify_signature(
    secret: str | bytes,
    timestamp: str | int,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance: float = 300.0,
) -> bool:
    """Whether ``signature`` signs ``body`` at ``timestamp`` with ``secret``, within ``tolerance`` seconds."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature)


_OWN_HEADERS: Final = frozenset(
    h.lower()
    for h in (
        "Content-Type", "Content-Length", "Host", "Connection", "Transfer-Encoding", SIGNATURE_HEADER,
        TIMESTAMP_HEADER, "X-Aftersales-Idempotency-Key", "X-Aftersales-Attempt",
    )
)  # fmt: skip
"""Headers the notifier writes itself: a host's value for one would be dropped, so it is refused."""


def _channels(channels: object) -> frozenset[str] | None:
    # A bare string would be read as a set of letters, an empty set would refuse every message.
    if channels is None:
        return None
    if isinstance(channels, str) or not isinstance(channels, frozenset | set | tuple | list):
        raise ConfigurationError("channels is a set of channel names, such as {'sms'}", key="channels")
    known = {c.value for c in MessageChannel}
    unknown = sorted(str(c) for c in channels if c not in known)
    if unknown or not channels:
        raise ConfigurationError(
            f"channels is a non-empty set of {sorted(known)}, got {sorted(map(str, channels))}",
            key="channels",
        )
    return frozenset(str(c) for c in channels)


def _headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    # Checked here, once: a header that cannot be sent would otherwise dead-letter every message.
    if headers is not None and not isinstance(headers, Mapping):  # pairs: a bare AttributeError before
        raise ConfigurationError(
            "headers map header names to values, such as {'X-Tenant': 'a'}", key="headers"
        )
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ConfigurationError(f"header names and values are text, got {name!r}", key="headers")
        try:
            check_header(name, value)
        except UnsendableHeader as exc:
            raise ConfigurationError(f"{exc}: it cannot be sent", key="headers") from None
        if name.lower() in _OWN_HEADERS:
            raise ConfigurationError(f"header {name!r} is written by the notifier itself", key="headers")
        checked[name] = value
    return checked


@host_factories
class WebhookNotifier:
    """POSTs each message, signed, to ``url``; thread-safe.

    By default the requests go over a pool of at most ``max_connections`` (1 to 256, the most senders
    a delivery run has: ``POOL_SIZE``) keep-alive connections
    (:class:`~aftersales.adapters.http_pool.KeepAlivePool`, standard library): with ``senders``
    threads delivering, each sender keeps its own open connection. Pass ``client`` (an
    ``httpx.Client``) to send through httpx instead: a proxy, client certificates, HTTP/2.
    ``tls_context`` replaces the default TLS set-up of ``https://`` URLs (the system's trusted roots,
    hostname checked): a private CA, a client certificate. ``channels`` limits which channels it
    takes (``None``: all). ``headers`` are added to every request (an API key of the receiver).
    ``clock`` gives Unix seconds (tests pin it).
    """

    def __init__(
        self,
        url: str,
        secret: str | bytes,
        *,
        timeout: float = 5.0,
        headers: Mapping[str, str] | None = None,
        channels: frozenset[str] | None = None,
        max_connections: Annotated[int, POOL_SIZE] = 16,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        check_endpoint(url)
        check_timeout(timeout)
        self.url = url
        self._secret = _secret(secret)
        self.channels = _channels(channels)
        self.headers = _headers(headers)
        if not callable(clock):  # else every send fails with a bare TypeError
            raise ConfigurationError("clock is a function giving Unix seconds", key="clock")
        self._clock = clock
        if client is not None and not callable(getattr(client, "post", None)):
            raise ConfigurationError("client is an httpx.Client (it posts the requests)", key="client")
        self.client = client
        if client is not None:  # the client's own settings apply: these would be ignored
            for name, given, default in (
                ("tls_context", tls_context, None), ("timeout", timeout, 5.0),
                ("max_connections", max_connections, 16),
            ):  # fmt: skip
                if given != default:
                    raise ConfigurationError(f"give the {name} to your httpx client, not here", key=name)
        if tls_context is not None and not isinstance(tls_context, ssl.SSLContext):
            raise ConfigurationError("tls_context is an ssl.SSLContext", key="tls_context")
        if tls_context is not None and not url.startswith("https://"):  # it would wrap plain HTTP in TLS
            raise ConfigurationError("tls_context is for an https:// URL", key="tls_context")
        self._pool = (
            None
            if client is not None
            else KeepAlivePool(url, timeout=timeout, size=max_connections, context=tls_context)
        )

    def body(self, message: RenderedMessage) -> bytes:
        """The JSON body sent for ``message`` (valid JSON whatever its text: see :func:`json_payload`)."""
        return json_payload(
            {
                "idempotency_key": message.idempotency_key,
                "channel": message.channel,
                "recipient": message.recipient,
                "subject": message.subject,
                "body": message.body,
                "locale": message.locale,
                "attempt": message.attempt,
            }
        )

    def send(self, message: RenderedMessage) -> None:
        """POST ``message``; raises :class:`DeliveryError` unless the receiver answers 2xx."""
        if self.channels is not None and message.channel not in self.channels:
            raise DeliveryError(f"this webhook does not take {message.channel}", permanent=True)
        body = self.body(message)
        timestamp = int(self._clock())
        headers = {
            **self.headers,
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            "X-Aftersales-Idempotency-Key": message.idempotency_key,
            "X-Aftersales-Attempt": str(message.attempt),
        }
        if self._pool is not None:
            try:
                status, _ = self._pool.post(body, headers)
            except UnsendableHeader as exc:  # a line break, not Latin-1: it never will be sent
                raise DeliveryError(f"webhook request cannot be sent: {exc}", permanent=True) from None
            except (OSError, ValueError, http.client.HTTPException) as exc:
                raise DeliveryError(f"webhook request failed: {type(exc).__name__}") from None
        else:
            assert self.client is not None
            try:
                status = self.client.post(self.url, content=body, headers=headers).status_code
            except httpx.HTTPError as exc:
                raise DeliveryError(f"webhook request failed: {type(exc).__name__}") from None
        if 200 <= status < 300:
            return
        permanent = 400 <= status < 500 and status not in _RETRIED
        raise DeliveryError(f"webhook answered {status}", permanent=permanent, status=status)

    def close(self) -> None:
        """Close the pooled connections (a ``client`` passed in is the caller's to close)."""
        if self._pool is not None:
            self._pool.close()
