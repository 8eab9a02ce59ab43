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


def test_logging_notifier_logs_ids_channel_and_status_only(caplog: pytest.LogCaptureFixture) -> None:
    notifier = LoggingNotifier(remember=1)
    assert isinstance(notifier, Notifier)
    with caplog.at_level(logging.INFO, logger="aftersales.notifications"):
        notifier.send(_message("k1"))
        notifier.send(_message("k1"))
        notifier.send(_message("k2"))
        notifier.send(_message("k1"))  # forgotten after `remember` keys: sent again
    statuses = [(r.idempotency_key, r.status) for r in caplog.records]  # type: ignore[attr-defined]
    assert statuses == [("k1", "sent"), ("k1", "duplicate"), ("k2", "sent"), ("k1", "sent")]
    message = _message("k1")
    for record in caplog.records:
        text = record.getMessage()
        assert record.channel == message.channel  # type: ignore[attr-defined]
        # No personal data: neither the recipient nor the subject nor the body.
        assert message.recipient not in text and message.subject not in text and message.body not in text
