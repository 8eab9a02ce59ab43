"""A WeCom (企业微信) group robot: ``WeComRobotNotifier`` posts messages into a staff group chat.

A group robot is a webhook (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``) that
takes ``{"msgtype": "text", "text": {"content": …, "mentioned_mobile_list": […]}}`` and answers
``{"errcode": 0, "errmsg": "ok"}``. It suits staff alerts (SLA warnings, escalations, callbacks
due) sent to a team's group: the recipient's mobile number, when it is one, is @-mentioned.
The robot allows 20 messages a minute: its "too many" answer (45009) is retried with backoff,
as is any other non-zero code except a wrong key (93000, permanent).

A send is bounded as a whole by ``timeout`` when the notifier made its client: a robot (or a proxy)
dripping its answer a byte at a time, each inside httpx's per-read timeout, held the send without end
(session 34; :mod:`aftersales.adapters.httpx_deadline`, on httpx's public API since session 35). A
host's own ``client=`` stays theirs: its timeouts, its transport and its limits, as httpx applies them
(per read).
"""

from __future__ import annotations

import contextlib
import ipaddress
from urllib.parse import urlsplit

import orjson

from aftersales.adapters.notifier_webhook import check_endpoint, json_payload
from aftersales.adapters.send_timeout import check_timeout
from aftersales.domain.call_shape import host_factories
from aftersales.domain.contact import is_mobile
from aftersales.errors import ConfigurationError, DeliveryError
from aftersales.ports.notifier import RenderedMessage

try:
    import httpx
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ConfigurationError("the WeCom notifier needs httpx: pip install 'aftersales[notifiers]'") from exc

# after httpx: its refusal comes first
from aftersales.adapters.httpx_deadline import RequestDeadline, deadline_client

__all__ = ["WECOM_ROBOT_URL", "WeComRobotNotifier"]

WECOM_ROBOT_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
_CONTENT_LIMIT = 2048  # bytes of UTF-8 the robot takes in a text message
_BAD_KEY = 93000


def _check_robot_url(url: str) -> None:
    """The robot's key travels in the URL's query: over plain HTTP anyone on the way reads it and may
    post into the staff group. ``http://`` is kept for this machine only (a local relay, a test
    server); the webhook notifier allows it anywhere because its secret signs and never travels."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if not local:
        raise ConfigurationError(
            f"the robot's URL carries its key: use https:// (http:// only to this machine), got {url!r}",
            key="url",
        )


@host_factories
class WeComRobotNotifier:
    """Posts each message as a text message to one group robot; thread-safe.

    ``timeout`` bounds each send as a whole (connect, request and answer) on the client the notifier
    makes; a host's ``client=`` keeps its own timeouts, which httpx applies per read.
    """

    def __init__(
        self,
        key: str,
        *,
        url: str = WECOM_ROBOT_URL,
        timeout: float = 5.0,
        client: httpx.Client | None = None,
    ) -> None:
        if not isinstance(key, str) or not key or any(c.isspace() or not c.isprintable() for c in key):
            # A key with a space or a line break is never the robot's: every message would fail.
            raise ConfigurationError("the robot's webhook key is required, without spaces", key="key")
        _check_robot_url(check_endpoint(url))
        check_timeout(timeout)
        if client is not None and not callable(getattr(client, "post", None)):  # else a bare error per send
            raise ConfigurationError("client is an httpx.Client (it posts the requests)", key="client")
        if client is not None and timeout != 5.0:
            raise ConfigurationError("give the timeout to your httpx client, not here", key="timeout")
        self.key = key
        self.url = url
        self._own_client = client is None
        self._timeout = float(timeout)
        self.client = client or deadline_client(timeout)

    def payload(self, message: RenderedMessage) -> dict[str, object]:
        """The robot message for ``message``: subject and body, the recipient @-mentioned by mobile."""
        content = f"{message.subject}\n{message.body}" if message.subject else message.body
        # A lone surrogate cannot be UTF-8: U+FFFD instead, so the length below and the JSON agree.
        content = content.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        raw = content.encode()
        if len(raw) > _CONTENT_LIMIT:
            content = raw[: _CONTENT_LIMIT - 3].decode(errors="ignore") + "…"
        text: dict[str, object] = {"content": content}
        if is_mobile(message.recipient):
            text["mentioned_mobile_list"] = [message.recipient]
        return {"msgtype": "text", "text": text}

    def send(self, message: RenderedMessage) -> None:
        """Post ``message``; raises :class:`DeliveryError` unless the robot answers errcode 0."""
        deadline = RequestDeadline(self._timeout) if self._own_client else None
        try:
            with deadline or contextlib.nullcontext():
                response = self.client.post(
                    self.url,
                    params={"key": self.key},
                    content=json_payload(self.payload(message)),
                    headers={"Content-Type": "application/json"},
                    extensions=deadline.extensions if deadline is not None else None,
                )
        except httpx.HTTPError as exc:
            if deadline is not None and deadline.passed:  # the connection was shut at the deadline
                raise DeliveryError(
                    f"WeCom robot request failed: Timeout (over {self._timeout:g} s)"
                ) from None
            raise DeliveryError(f"WeCom robot request failed: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise DeliveryError(
                f"WeCom robot answered HTTP {response.status_code}", status=response.status_code
            )
        try:
            answer = orjson.loads(response.content)
            code = int(answer.get("errcode", -1))
        except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
            raise DeliveryError("WeCom robot answered something that is not its JSON") from None
        if code != 0:
            raise DeliveryError(f"WeCom robot errcode {code}", permanent=code == _BAD_KEY, status=code)

    def close(self) -> None:
        """Close the HTTP client (if this notifier made it)."""
        if self._own_client:
            self.client.close()
