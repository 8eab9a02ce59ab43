"""Notifiers: deliver rendered messages to memory (tests, demos) or to the standard logging system.

Delivery through the outbox is at least once, so both drop a message whose idempotency key they
have already accepted: a repeat shows up once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aftersales.ports.notifier import RenderedMessage

__all__ = ["LoggingNotifier", "MemoryNotifier"]


class MemoryNotifier:
    """Keeps the messages it is sent, in order, once per idempotency key."""

    def __init__(self) -> None:
        self._sent: list[RenderedMessage] = []
        self._keys: set[str] = set()

    def send(self, message: RenderedMessage) -> None:
        """Accept ``message`` unless its idempotency key was already accepted."""
        if message.idempotency_key in self._keys:
            return
        self._keys.add(message.idempotency_key)
        self._sent.append(message)

    @property
    def sent(self) -> Sequence[RenderedMessage]:
        """The distinct messages accepted so far, oldest first."""
        return tuple(self._sent)

    def to(self, recipient: str) -> Sequence[RenderedMessage]:
        """The messages sent to ``recipient``."""
        return tuple(m for m in self._sent if m.recipient == recipient)

    def clear(self) -> None:
        """Forget every message and key."""
        self._sent.clear()
        self._keys.clear()


class LoggingNotifier:
    """Writes each message to a ``logging`` logger (``aftersales.notifications`` by default).

    Remembers the keys it logged (up to ``remember`` of them, oldest forgotten first) to drop repeats.
    By default only the channel, locale and size are logged, never the recipient or the text (they are
    personal data); ``content=True`` logs them too, for development.
    """

    def __init__(
        self,
        logger: logging.Logger | None = None,
        level: int = logging.INFO,
        remember: int = 100_000,
        *,
        content: bool = False,
    ) -> None:
        self.logger = logger if logger is not None else logging.getLogger("aftersales.notifications")
        self.level = level
        self.content = content
        """Log recipient, subject and body too (off by default: logs carry no personal data, PIPL)."""
        self._remember = remember
        self._keys: dict[str, None] = {}

    def send(self, message: RenderedMessage) -> None:
        """Log ``message`` unless its idempotency key was already logged."""
        if message.idempotency_key in self._keys:
            return
        self._keys[message.idempotency_key] = None
        if len(self._keys) > self._remember:
            del self._keys[next(iter(self._keys))]
        if not self.content:
            self.logger.log(
                self.level,
                "notification via %s [%s], %d characters",
                message.channel,
                message.locale,
                len(message.subject) + len(message.body),
                extra={"idempotency_key": message.idempotency_key},
            )
            return
        self.logger.log(
            self.level,
            "notification to %s via %s [%s] %s: %s",
            message.recipient,
            message.channel,
            message.locale,
            message.subject,
            message.body,
            extra={"idempotency_key": message.idempotency_key},
        )
