"""The transactional outbox: messages written in the same transaction as the change they report.

A command puts its domain events and rendered notifications in ``uow.outbox``; they commit or roll
back with the change, so a crash loses neither. A dispatcher (:mod:`aftersales.ports.outbox_dispatch`)
later *claims* due messages, delivers them, and marks them sent: at least once, with each
message's ``idempotency_key`` letting the receiver drop a repeat.

Why claims and not a plain "oldest unsent first" read: a mailbox that is down would otherwise fill
every batch with its messages and the good ones behind them would never go out, and two deliverers
would both send the same messages. So each message has

* a **next attempt** time: a failure moves it back by an exponential backoff, and claims take
  messages in next-attempt order, so a failing message yields its place to the ones behind it;
* a **lease**: a claim marks a message as taken by one deliverer until ``lease_until``; another
  deliverer skips it until the lease runs out (a deliverer killed mid-send loses its lease and the
  message is sent again, with ``attempts`` saying it is a retry);
* a **dead letter** state after the pack's maximum attempts: kept, listed by :meth:`Outbox.dead`,
  sent again only when a manager retries it (:meth:`Outbox.revive`);
* **retention**: sent messages are kept for audit until :meth:`Outbox.purge_sent` removes them, dead
  letters until :meth:`Outbox.purge_dead` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, runtime_checkable

import attrs

from aftersales.domain.failure_text import failure_text
from aftersales.domain.instants import require_aware
from aftersales.domain.text import required_text
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import NotFound, ValidationError
from aftersales.serialization import datetime_text, parse_datetime_text

__all__ = [
    "Outbox",
    "OutboxBookkeeping",
    "OutboxMessage",
    "OutboxState",
    "check_claim",
    "claimed",
    "distinct_messages",
    "outbox_message",
    "outbox_record",
    "stored_outbox_record",
]


def distinct_messages(messages: Iterable[OutboxMessage]) -> list[OutboxMessage]:
    """``messages`` with each id once, in first-seen order. A message's id derives from its key, its
    audience and its address, so one id twice in a command's batch is the same notification to the same
    person, produced twice: two contacts of a department, a team or a role who share one mailbox
    (售后部 service@…). Written once, not refused: the command that produced them must not fail."""
    seen: dict[str, OutboxMessage] = {}
    for message in messages:
        seen.setdefault(message.id, message)
    return list(seen.values())


OutboxState = Literal["pending", "sent", "dead"]
"""Where a message is: waiting (or leased) for delivery, delivered, or given up on (dead letter)."""


_ID_TEXT = required_text(64)
_TOPIC_TEXT = required_text(100)
_KEY_TEXT = required_text(200)
_INSTANTS = ("sent_at", "last_attempt_at", "next_attempt_at", "lease_until", "dead_at")


@attrs.frozen
class OutboxMessage:
    """One message waiting for delivery. ``payload`` is JSON-ready (dicts, lists, str, int, bool, None)."""

    id: str
    topic: str
    payload: Mapping[str, Any]
    idempotency_key: str
    created_at: datetime
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    """When the message may be claimed next (``None``: at once, i.e. at ``created_at``)."""
    lease_until: datetime | None = None
    """Until when the last claim holds it (another deliverer skips it until then)."""
    lease_owner: str | None = None
    """Which deliverer holds (or last held) the claim."""
    dead_at: datetime | None = None
    """When it was given up on after the maximum attempts (a dead letter); ``None`` otherwise."""

    def __attrs_post_init__(self) -> None:
        # One pass instead of a validator call per field: every command makes a message per event and
        # per notification, nearly always with three short texts, an aware ``created_at`` and no other
        # instants. Anything else goes through the field checks, in field order, for the precise error.
        id_, topic, key = self.id, self.topic, self.idempotency_key
        created = self.created_at
        if (
            type(id_) is str
            and 0 < len(id_) <= 64
            and not id_[0].isspace()
            and type(topic) is str
            and 0 < len(topic) <= 100
            and not topic[0].isspace()
            and type(key) is str
            and 0 < len(key) <= 200
            and not key[0].isspace()
            and type(created) is datetime
            and created.tzinfo is not None
            and created.utcoffset() is not None
            and self.sent_at is None
            and self.last_attempt_at is None
            and self.next_attempt_at is None
            and self.lease_until is None
            and self.dead_at is None
        ):
            return
        fields = _MESSAGE_FIELDS
        _ID_TEXT(self, fields.id, id_)
        _TOPIC_TEXT(self, fields.topic, topic)
        _KEY_TEXT(self, fields.idempotency_key, key)
        aware(self, fields.created_at, created)
        for name in _INSTANTS:
            optional_aware(self, getattr(fields, name), getattr(self, name))

    @property
    def state(self) -> OutboxState:
        """``"sent"``, ``"dead"`` or ``"pending"``."""
        if self.sent_at is not None:
            return "sent"
        return "dead" if self.dead_at is not None else "pending"

    @property
    def due_at(self) -> datetime:
        """When the message may next be claimed."""
        return self.next_attempt_at or self.created_at

    def claimable(self, now: datetime) -> bool:
        """Pending, due, and not held by a live lease at ``now``."""
        return (
            self.state == "pending"
            and self.due_at <= now
            and (self.lease_until is None or self.lease_until <= now)
        )


_MESSAGE_FIELDS = attrs.fields(OutboxMessage)


def outbox_record(m: OutboxMessage) -> dict[str, Any]:
    """``m`` as the JSON encoder's input: encoded, the same text as ``serialization.dumps(m)``.

    The payload is left as it is for the encoder to walk in one pass (values that are not JSON types
    go through the converter there), instead of being copied value by value first. The bundled stores
    write :func:`stored_outbox_record` (the same without its ``null`` members); this is the full form,
    for a host's own store or export that wants every member.
    """
    stored = stored_outbox_record(m)
    return {name: stored.get(name) for name in _RECORD_MEMBERS}


_RECORD_MEMBERS = tuple(field.name for field in _MESSAGE_FIELDS)
"""An outbox record's members in the order ``serialization.dumps`` writes a message's fields."""


def stored_outbox_record(m: OutboxMessage) -> dict[str, Any]:
    """:func:`outbox_record` without its members that are ``null``: what a store writes for ``m``.

    A new message (nearly every one a command writes) has no delivery history, so seven of its thirteen
    members are ``null``: written, they were about a tenth of its row and half a WAL page per command on
    SQLite (issue 21). :func:`outbox_message` reads a missing member as ``null``, so a row written either
    way reads back as the same message, and a claim or a delivery sets the members it needs. Every bundled
    store writes this one form (session 39: the memory and PostgreSQL stores wrote the full record, each
    message's thirteen members looked up again and its nulls encoded, about 1.5 µs a message).
    """
    record: dict[str, Any] = {
        "id": m.id,
        "topic": m.topic,
        "payload": m.payload,
        "idempotency_key": m.idempotency_key,
        "created_at": datetime_text(m.created_at),
        "attempts": m.attempts,
    }
    if m.sent_at is not None:
        record["sent_at"] = datetime_text(m.sent_at)
    if m.last_error is not None:
        record["last_error"] = m.last_error
    if m.last_attempt_at is not None:
        record["last_attempt_at"] = datetime_text(m.last_attempt_at)
    if m.next_attempt_at is not None:
        record["next_attempt_at"] = datetime_text(m.next_attempt_at)
    if m.lease_until is not None:
        record["lease_until"] = datetime_text(m.lease_until)
    if m.lease_owner is not None:
        record["lease_owner"] = m.lease_owner
    if m.dead_at is not None:
        record["dead_at"] = datetime_text(m.dead_at)
    return record


def _instant(value: Any) -> datetime | None:
    return None if value is None else parse_datetime_text(value)


def outbox_message(record: Mapping[str, Any]) -> OutboxMessage:
    """A message from :func:`outbox_record`'s output as a store keeps it (the inverse of it; a member left
    out, as :func:`stored_outbox_record` leaves out the ``null`` ones, reads as ``null``).

    Built field by field, not through the generic converter: a claim decodes a whole batch of
    messages while the senders wait, and the converter's walk of each payload cost most of it.
    A record that is not a stored message raises :class:`ValidationError` (field ``data``).
    """
    try:
        created = parse_datetime_text(record["created_at"])
        return OutboxMessage(
            id=record["id"],
            topic=record["topic"],
            payload=dict(record["payload"]),
            idempotency_key=record["idempotency_key"],
            created_at=created,
            attempts=int(record["attempts"]),
            sent_at=_instant(record.get("sent_at")),
            last_error=record.get("last_error"),
            last_attempt_at=_instant(record.get("last_attempt_at")),
            next_attempt_at=_instant(record.get("next_attempt_at")),
            lease_until=_instant(record.get("lease_until")),
            lease_owner=record.get("lease_owner"),
            dead_at=_instant(record.get("dead_at")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
        raise ValidationError(f"not a stored outbox message: {problem}", field="data") from None


@runtime_checkable
class Outbox(Protocol):
    """The outbox table of a unit of work; writes commit or roll back with it."""

    def put(self, messages: Iterable[OutboxMessage]) -> None:
        """Add new messages (a message id already stored raises ``DuplicateError``).

        One id twice in ``messages`` is one message written once (:func:`distinct_messages`).
        """
        ...

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """Up to ``limit`` pending messages (not sent, not dead), in next-attempt order, then id."""
        ...

    def claim(self, owner: str, now: datetime, lease: timedelta, limit: int = 100) -> Sequence[OutboxMessage]:
        """Take up to ``limit`` claimable messages for ``owner`` until ``now + lease``, in next-attempt order.

        Each taken message counts an attempt (``attempts`` + 1, ``last_attempt_at = now``). A message
        another deliverer holds under a live lease is skipped, so two deliverers never take the same
        message while either's lease lasts. Returns the messages as stored after the claim.
        """
        ...

    def mark_sent(self, ids: Iterable[str], at: datetime) -> None:
        """Record delivery; unknown or already-sent ids are ignored (delivery is at least once)."""
        ...

    def mark_failed(
        self,
        id: str,
        at: datetime,
        error: str,
        *,
        retry_at: datetime | None = None,
        dead: bool = False,
        owner: str | None = None,
    ) -> None:
        """Record a failed attempt; unknown ids raise ``NotFound``.

        The lease is released; the message waits until ``retry_at`` (at once when ``None``), or
        becomes a dead letter when ``dead``. A message failed without a claim counts its attempt here.
        With ``owner`` (the deliverer that tried), a message now claimed by another deliverer is left
        alone: its lease ran out and the other one's attempt, not this stale one, decides.
        """
        ...

    def dead(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """Up to ``limit`` dead letters, oldest given up first."""
        ...

    def revive(self, ids: Iterable[str], now: datetime) -> int:
        """Make dead letters pending again, due ``now``, with their attempts reset; returns how many."""
        ...

    def purge_sent(self, before: datetime, limit: int = 1000) -> int:
        """Delete up to ``limit`` messages sent before ``before``; returns how many."""
        ...

    def purge_dead(self, before: datetime, limit: int = 1000) -> int:
        """Delete up to ``limit`` dead letters given up on before ``before``, oldest first; returns how
        many (a dead letter revived since is pending or sent, not dead, and stays)."""
        ...


class OutboxBookkeeping:
    """The delivery rules every outbox adapter shares; an adapter supplies ``_load`` and ``_store``.

    A message is marked sent once (a repeat or an unknown id is ignored: delivery is at least
    once); a failure releases the lease and sets the next attempt, or makes a dead letter.
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

    def mark_failed(
        self,
        id: str,
        at: datetime,
        error: str,
        *,
        retry_at: datetime | None = None,
        dead: bool = False,
        owner: str | None = None,
    ) -> None:
        """Record a failed attempt (see :meth:`Outbox.mark_failed`). Unknown ids raise ``NotFound``."""
        message = self._load(id)
        if message is None:
            raise NotFound("outbox message", id)
        if message.sent_at is not None:
            return  # another deliverer sent it meanwhile
        if owner is not None and message.lease_owner != owner:
            return  # the lease ran out and another deliverer holds (or held) the message now
        claimed = message.lease_owner is not None
        self._store(
            attrs.evolve(
                message,
                attempts=message.attempts if claimed else message.attempts + 1,
                last_error=failure_text(error),
                last_attempt_at=message.last_attempt_at if claimed else at,
                next_attempt_at=retry_at,
                lease_until=None,
                lease_owner=None,
                dead_at=at if dead else None,
            )
        )

    def revive(self, ids: Iterable[str], now: datetime) -> int:
        """Make dead letters pending again (see :meth:`Outbox.revive`)."""
        count = 0
        for id_ in dict.fromkeys(ids):
            message = self._load(id_)
            if message is not None and message.state == "dead":
                self._store(attrs.evolve(message, dead_at=None, attempts=0, next_attempt_at=now))
                count += 1
        return count


def claimed(message: OutboxMessage, owner: str, now: datetime, lease: timedelta) -> OutboxMessage:
    """``message`` as a claim by ``owner`` at ``now`` leaves it: leased, one more attempt."""
    return attrs.evolve(
        message,
        attempts=message.attempts + 1,
        last_attempt_at=now,
        lease_until=now + lease,
        lease_owner=owner,
    )


def check_claim(owner: str, now: datetime, lease: timedelta, limit: int) -> None:
    """Refuse a claim that could not work (an empty owner, a naive ``now``, a non-positive lease or limit)."""
    if not isinstance(owner, str) or not owner.strip() or len(owner) > 200:
        raise ValidationError("the owner of a claim is 1 to 200 characters", field="owner")
    require_aware(now, "now")
    if not isinstance(lease, timedelta) or lease <= timedelta(0):
        raise ValidationError("a lease is a positive timedelta", field="lease")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValidationError("the claim limit is a positive integer", field="limit")
