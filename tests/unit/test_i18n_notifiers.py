"""Memory and logging notifiers: at-least-once delivery shows up once."""

from __future__ import annotations

import logging

import pytest

from aftersales.adapters.notifiers import LoggingNotifier, MemoryNotifier
from aftersales.ports.notifier import Notifier, RenderedMessage


def _message(key: str, recipient: str = "customer:c1") -> RenderedMessage:
    return RenderedMessage(recipient, "sms", "主题", "正文", "zh_Hans", key)


def test_memory_notifier_deduplicates_by_key() -> None:
    notifier = MemoryNotifier()
    assert isinstance(notifier, Notifier)
    notifier.send(_message("k1"))
    notifier.send(_message("k1"))
    notifier.send(_message("k2", "engineer:e1"))
    assert [m.idempotency_key for m in notifier.sent] == ["k1", "k2"]
    assert [m.idempotency_key for m in notifier.to("engineer:e1")] == ["k2"]
    notifier.clear()
    assert notifier.sent == ()


def test_logging_notifier_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    notifier = LoggingNotifier(remember=1, content=True)
    assert isinstance(notifier, Notifier)
    with caplog.at_level(logging.INFO, logger="aftersales.notifications"):
        notifier.send(_message("k1"))
        notifier.send(_message("k1"))
        notifier.send(_message("k2"))
        notifier.send(_message("k1"))  # forgotten after `remember` keys: logged again
    assert len(caplog.records) == 3
    assert "主题" in caplog.records[0].getMessage()
    assert caplog.records[0].idempotency_key == "k1"  # type: ignore[attr-defined]


def test_logging_notifier_logs_no_personal_data_by_default(caplog: pytest.LogCaptureFixture) -> None:
    message = _message("k1")
    with caplog.at_level(logging.INFO, logger="aftersales.notifications"):
        LoggingNotifier().send(message)
    logged = caplog.records[0].getMessage()
    assert message.recipient not in logged and message.body not in logged and message.subject not in logged
    assert message.channel in logged
