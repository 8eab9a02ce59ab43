"""The transactional outbox: messages written in the same transaction as the change they report.

A command puts its domain events and rendered notifications in ``uow.outbox``; they commit or roll
back with the change, so a crash loses neither. A dispatcher (:mod:`aftersales.ports.outbox_dispatch`)
later reads ``pending`` messages, delivers them, and marks them sent: at least once, with each
message's ``idempotency_key`` letting the receiver drop a repeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from aftersales.domain.text import required_text
from aftersales.domain.work import aware, optional_aware

__all__ = ["Outbox", "OutboxMessage"]


@attrs.frozen
class OutboxMessage:
    """One message waiting for delivery. ``payload`` is JSON-ready (dicts, lists, str, int, bool, None)."""

    id: str = attrs.field(validator=required_text(64))
    topic: str = attrs.field(validator=required_text(100))
    payload: Mapping[str, Any]
    idempotency_key: str = attrs.field(validator=required_text(200))
    created_at: datetime = attrs.field(validator=aware)
    attempts: int = 0
    sent_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    last_error: str | None = None
    last_attempt_at: datetime | None = attrs.field(default=None, validator=optional_aware)


@runtime_checkable
class Outbox(Protocol):
    """The outbox table of a unit of work; writes commit or roll back with it."""

    def put(self, messages: Iterable[OutboxMessage]) -> None:
        """Add new messages (a message id already present raises ``DuplicateError``)."""
        ...

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """Up to ``limit`` unsent messages, oldest first (by ``created_at``, then id)."""
        ...

    def mark_sent(self, ids: Iterable[str], at: datetime) -> None:
        """Record delivery; unknown or already-sent ids are ignored (delivery is at least once)."""
        ...

    def mark_failed(self, id: str, at: datetime, error: str) -> None:
        """Record a failed attempt (the message stays pending); unknown ids raise ``NotFound``."""
        ...
