"""Notifiers: deliver rendered messages to memory (tests, demos) or to the standard logging system.

Delivery through the outbox is at least once, so both drop a message whose idempotency key they
have already accepted: a repeat shows up once. Both are safe to share between threads (the ``deliver``
job sends from several): the check of a key and its recording are one step under a lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from aftersales.domain.call_shape import host_factories
from aftersales.errors import ConfigurationError
from aftersales.ports.fork_renewal import renew_after_fork
from aftersales.ports.notifier import RenderedMessage

__all__ = ["LoggingNotifier", "MemoryNotifier"]


@host_factories
class MemoryNotifier:
    """Keeps the messages it is sent, in order, once per idempotency key; thread-safe.

    Two threads sending the same key at once (two outbox workers after a lease ran out) used to both
    find it unseen and both keep the message: the check and the recording are now one step.
    """

    def __init__(self) -> None:
        self._sent: list[RenderedMessage] = []
        self._keys: set[str] = set()
        self._lock = threading.Lock()
        renew_after_fork(self)

    def _renew_locks_after_fork(self) -> None:
        self._lock = threading.Lock()  # a thread of the parent may have held it at the fork

    def send(self, message: RenderedMessage) -> None:
        """Accept ``message`` unless its idempotency key was already accepted."""
        key = message.idempotency_key
        with self._lock:
            if key in self._keys:
                return
            self._keys.add(key)
            self._sent.append(message)

    @property
    def sent(self) -> Sequence[RenderedMessage]:
        """The distinct messages accepted so far, oldest first."""
        with self._lock:
            return tuple(self._sent)

    def to(self, recipient: str) -> Sequence[RenderedMessage]:
        """The messages sent to ``recipient``."""
        with self._lock:
            return tuple(m for m in self._sent if m.recipient == recipient)

    def clear(self) -> None:
        """Forget every message and key."""
        with self._lock:
            self._sent.clear()
            self._keys.clear()


@host_factories
class LoggingNotifier:
    """Logs that each message was handed over, to a ``logging`` logger (``aftersales.notifications``).

    Only the message's idempotency key (which names no person: recipients appear in it as a
    digest), its channel, locale, attempt and status are logged — never the recipient, subject or
    body, which carry names, addresses and phone numbers. A repeat of a key already logged is
    logged as ``duplicate``. Remembers up to ``remember`` keys, oldest forgotten first.
    """

    def __init__(
        self,
        logger: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
        level: int = logging.INFO,
        remember: int = 100_000,
    ) -> None:
        # Checked here: a level or count of the wrong type was taken and then failed every send.
        if logger is not None and not isinstance(logger, logging.Logger | logging.LoggerAdapter):
            raise ConfigurationError("logger is a logging.Logger (or LoggerAdapter)", key="logger")
        if isinstance(level, bool) or not isinstance(level, int) or level < 0:
            raise ConfigurationError(
                "level is a logging level (a whole number such as logging.INFO)", key="level"
            )
        if isinstance(remember, bool) or not isinstance(remember, int) or remember < 1:
            raise ConfigurationError("remember is a whole number of keys, at least 1", key="remember")
        self.logger = logger if logger is not None else logging.getLogger("aftersales.notifications")
        self.level = level
        self._remember = remember
        self._keys: dict[str, None] = {}
        self._lock = threading.Lock()
        renew_after_fork(self)

    def _renew_locks_after_fork(self) -> None:
        self._lock = threading.Lock()  # a thread of the parent may have held it at the fork

    def send(self, message: RenderedMessage) -> None:
        """Log that ``message`` was accepted (or was a duplicate), without its personal data."""
        key = message.idempotency_key
        with self._lock:  # one thread's check and record, and its forgetting of the oldest key
            status = "duplicate" if key in self._keys else "sent"
            if status == "sent":
                self._keys[key] = None
                if len(self._keys) > self._remember:
                    del self._keys[next(iter(self._keys))]
        self.logger.log(
            self.level,
            "notification %s via %s [%s] attempt %d: %s",
            key,
            message.channel,
            message.locale,
            message.attempt,
            status,
            extra={"idempotency_key": key, "channel": message.channel, "status": status},
        )
