"""A notifier's settings are checked when it is made: each bad one is a ConfigurationError naming it.

Before, some were taken and failed only later, message by message: a header with a line break
dead-lettered every webhook message, a NaN timeout reached the socket, a sender name with a line
break raised a bare ``ValueError``, ``channels="sms"`` was read as the set {"s", "m"}, an empty set
refused every message, and a host's ``Content-Type`` header was silently replaced by the notifier's.
"""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.adapters.notifier_smtp import SmtpNotifier
from aftersales.adapters.notifier_webhook import WebhookNotifier
from aftersales.errors import ConfigurationError

SECRET = "0123456789abcdef-secret"
URL = "http://127.0.0.1:9/hook"


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"channels": "sms"}, "channels"),
        ({"channels": frozenset()}, "channels"),
        ({"channels": frozenset({"sms", "fax"})}, "channels"),
        ({"headers": {"X-Api-Key": "k\r\nX-Evil: 1"}}, "headers"),
        ({"headers": {"X Api": "k"}}, "headers"),
        ({"headers": {"X-Name": "王"}}, "headers"),
        ({"headers": {"content-type": "text/plain"}}, "headers"),
        ({"headers": {"X-Aftersales-Signature": "forged"}}, "headers"),
    ],
)
def test_bad_webhook_settings_are_refused_naming_the_setting(settings: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        WebhookNotifier(URL, SECRET, **settings)
    assert caught.value.key == key


def test_good_webhook_settings_are_kept() -> None:
    notifier = WebhookNotifier(
        URL, SECRET, headers={"Authorization": "Bearer t", "X-Site": "café"}, channels={"sms", "email"}
    )
    assert notifier.channels == frozenset({"sms", "email"})
    assert notifier.headers == {"Authorization": "Bearer t", "X-Site": "café"}
    notifier.close()


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"timeout": float("nan")}, "timeout"),
        ({"sender_name": "售后\r\nBcc: all@example.cn"}, "sender_name"),
        ({"domain": "example.cn\r\nX-Evil: 1"}, "domain"),
        ({"domain": ""}, "domain"),
    ],
)
def test_bad_smtp_settings_are_refused_naming_the_setting(settings: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        SmtpNotifier("localhost", sender="service@example.cn", **settings)
    assert caught.value.key == key


def test_a_chinese_sender_name_is_kept() -> None:
    notifier = SmtpNotifier("localhost", sender="service@example.cn", sender_name="售后服务部")
    assert notifier.sender.display_name == "售后服务部"


def test_a_route_for_a_channel_that_does_not_exist_is_refused() -> None:
    from aftersales.adapters.notifier_routing import ChannelNotifier
    from aftersales.adapters.notifiers import MemoryNotifier

    assert set(ChannelNotifier({"sms": MemoryNotifier(), "wechat": MemoryNotifier()}).routes) == {
        "sms",
        "wechat",
    }
    with pytest.raises(ConfigurationError) as caught:
        ChannelNotifier({"mail": MemoryNotifier()})  # "email": this route would never be taken
    assert caught.value.key == "mail"
    with pytest.raises(ConfigurationError) as caught:  # a bare AttributeError before
        ChannelNotifier([("sms", MemoryNotifier())])  # type: ignore[arg-type]
    assert caught.value.key == "routes"


@pytest.mark.parametrize(
    "settings", [{"timeout": 0}, {"timeout": float("nan")}, {"timeout": 30, "client": "httpx client"}]
)
def test_bad_wecom_settings_are_refused(settings: dict[str, Any]) -> None:
    pytest.importorskip("httpx")
    from aftersales.adapters.notifier_wecom import WeComRobotNotifier

    if "client" in settings:
        import httpx

        settings["client"] = httpx.Client()
    with pytest.raises(ConfigurationError) as caught:
        WeComRobotNotifier("robot-key", **settings)
    assert caught.value.key == "timeout"


class _Client:
    """Stands for an httpx.Client: it has post()."""

    def post(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("not called")


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        # Taken before, then every send raised a bare TypeError or AttributeError (an untyped error
        # out of the outbox's notifier) ...
        ({"clock": 1_700_000_000}, "clock"),
        ({"client": "httpx client"}, "client"),
        ({"tls_context": "/etc/ssl/ca.pem"}, "tls_context"),
        ({"timeout": True}, "timeout"),
        # ... or was ignored: the client's own timeout and pool apply, and an http:// URL has no TLS.
        ({"client": _Client(), "timeout": 30}, "timeout"),
        ({"client": _Client(), "max_connections": 4}, "max_connections"),
    ],
)
def test_webhook_settings_that_would_fail_each_send_or_be_ignored_are_refused(
    settings: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        WebhookNotifier(URL, SECRET, **settings)
    assert caught.value.key == key


def test_a_tls_context_for_a_plain_http_url_is_refused() -> None:
    import ssl

    with pytest.raises(ConfigurationError) as caught:
        WebhookNotifier(URL, SECRET, tls_context=ssl.create_default_context())
    assert caught.value.key == "tls_context"
    WebhookNotifier("https://127.0.0.1:9/hook", SECRET, tls_context=ssl.create_default_context()).close()
    WebhookNotifier(URL, SECRET, client=_Client()).close()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"username": 42, "password": "secret"}, "username"),
        ({"username": "svc", "password": b"secret"}, "password"),
        ({"username": "", "password": "secret"}, "username"),
        ({"timeout": True}, "timeout"),
    ],
)
def test_smtp_credentials_and_timeout_of_the_wrong_type_are_refused(
    settings: dict[str, Any], key: str
) -> None:
    # Before, a login of a number failed at every send with a bare TypeError.
    with pytest.raises(ConfigurationError) as caught:
        SmtpNotifier("localhost", sender="service@example.cn", **settings)
    assert caught.value.key == key


def test_a_wecom_client_that_cannot_post_is_refused() -> None:
    pytest.importorskip("httpx")
    from aftersales.adapters.notifier_wecom import WeComRobotNotifier

    with pytest.raises(ConfigurationError) as caught:
        WeComRobotNotifier("robot-key", client="httpx client")  # type: ignore[arg-type]
    assert caught.value.key == "client"


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"context": "ca.pem"}, "tls_context"),
    ],
)
def test_keep_alive_pool_settings_are_checked(settings: dict[str, Any], key: str) -> None:
    from aftersales.adapters.http_pool import KeepAlivePool

    with pytest.raises(ConfigurationError) as caught:
        KeepAlivePool("https://127.0.0.1:9/hook", **settings)
    assert caught.value.key == key
