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
from aftersales.errors import NotFound
from aftersales.serialization import datetime_text

__all__ = ["Outbox", "OutboxBookkeeping", "OutboxMessage", "outbox_record"]


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


def outbox_record(m: OutboxMessage) -> dict[str, Any]:
    """``m`` as the JSON encoder's input: encoded, the same text as ``serialization.dumps(m)``.

    The payload is left as it is for the encoder to walk in one pass (values that are not JSON types
    go through the converter there), instead of being copied value by value first: every command
    stores a message per event and per notification, so stores call this on their write path.
    """
    return {
        "id": m.id,
        "topic": m.topic,
        "payload": m.payload,
        "idempotency_key": m.idempotency_key,
        "created_at": datetime_text(m.created_at),
        "attempts": m.attempts,
        "sent_at": None if m.sent_at is None else datetime_text(m.sent_at),
        "last_error": m.last_error,
        "last_attempt_at": None if m.last_attempt_at is None else datetime_text(m.last_attempt_at),
    }


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


class OutboxBookkeeping:
    """The delivery rules every outbox adapter shares; an adapter supplies ``_load`` and ``_store``.

    A message is marked sent once (a repeat or an unknown id is ignored: delivery is at least
    once); a failure counts an attempt and keeps the message pending.
    """

    def _load(self, id: str) -> OutboxMessage | None:
        """The stored message with ``id`` (``None`` when there is none), read for update."""
        raise NotImplementedError

    def _store(self, message: OutboxMessage) -> None:
        """Replace the stored message with ``message`` (same id)."""
        raise NotImplementedError

    def mark_sent(self, ids: Iterable[str], at: datetime) -> None:
        """Record delivery; unknown or already-sent ids are ignored."""
        for id_ in ids:
            message = self._load(id_)
            if message is not None and message.sent_at is None:
                self._store(attrs.evolve(message, sent_at=at))

    def mark_failed(self, id: str, at: datetime, error: str) -> None:
        """Record a failed attempt; the message stays pending. Unknown ids raise ``NotFound``."""
        message = self._load(id)
        if message is None:
            raise NotFound("outbox message", id)
        self._store(
            attrs.evolve(message, attempts=message.attempts + 1, last_error=error, last_attempt_at=at)
        )
