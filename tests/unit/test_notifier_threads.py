"""The in-process notifiers keep one message per idempotency key when threads send at once.

The ``deliver`` job sends from several threads, and delivery is at least once: two workers may hand
over the same message together. Before, ``MemoryNotifier`` and ``LoggingNotifier`` checked the key and
recorded it in two steps, so two threads could both find it unseen and both keep (or log as sent) the
message. The key below makes the two threads meet exactly between those steps: each hash of it waits
(a bounded while) for the other thread to hash it too. With the check and record in one locked step the
second thread cannot reach the key before the first has recorded it; the first waits out the barrier.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from aftersales.adapters.notifiers import LoggingNotifier, MemoryNotifier
from aftersales.errors import ConfigurationError
from aftersales.ports.notifier import Notifier, RenderedMessage

WAIT = 1.0  # seconds a hash waits for the other thread: only the fixed code ever waits this out


class _MeetingKey(str):
    """An idempotency key whose every hash waits for another thread's (until the barrier breaks)."""

    barrier: threading.Barrier

    def __hash__(self) -> int:
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait(timeout=WAIT)
        return str.__hash__(self)


def _message(barrier: threading.Barrier, n: int) -> RenderedMessage:
    key = _MeetingKey("outbox-42")
    key.barrier = barrier
    return RenderedMessage(f"13800138{n:03d}", "sms", "工单", "已派工", "zh_Hans", key)


def _send_together(notifier: Notifier) -> None:
    barrier = threading.Barrier(2)
    messages = [_message(barrier, n) for n in range(2)]
    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(notifier.send, m) for m in messages]:
            done.result()


def test_memory_notifier_keeps_one_message_when_two_threads_send_the_same_key() -> None:
    notifier = MemoryNotifier()
    _send_together(notifier)
    assert len(notifier.sent) == 1


class _Statuses(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statuses.append(record.__dict__["status"])


def test_logging_notifier_logs_one_sent_and_one_duplicate_when_two_threads_send_the_same_key() -> None:
    logger = logging.getLogger("aftersales.tests.notifier_threads")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = _Statuses()
    logger.addHandler(handler)
    try:
        _send_together(LoggingNotifier(logger))
    finally:
        logger.removeHandler(handler)
    assert sorted(handler.statuses) == ["duplicate", "sent"]


def test_many_threads_and_many_keys_lose_and_repeat_nothing() -> None:
    notifier = MemoryNotifier()
    messages = [
        RenderedMessage("13800138000", "sms", "工单", "已派工", "zh_Hans", f"key-{n % 50}")
        for n in range(400)
    ]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(notifier.send, messages))
    assert sorted(m.idempotency_key for m in notifier.sent) == sorted(f"key-{n}" for n in range(50))
    assert len(notifier.to("13800138000")) == 50


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"level": "INFO"}, "level"),
        ({"level": True}, "level"),
        ({"level": -1}, "level"),
        ({"remember": "100"}, "remember"),
        ({"remember": 0}, "remember"),
        ({"logger": "aftersales"}, "logger"),
    ],
)
def test_logging_notifier_settings_are_refused_when_made_not_at_every_send(
    settings: dict[str, object], key: str
) -> None:
    # Before, each was taken and every send then raised a bare TypeError (or remembered nothing).
    with pytest.raises(ConfigurationError) as caught:
        LoggingNotifier(**settings)  # type: ignore[arg-type]
    assert caught.value.key == key
