"""Running one command: one unit of work, idempotency, permission, apply, save, outbox, commit.

Why a separate runner: every desk command follows the same steps in the same order, and getting
that order wrong (checking permission after a change, writing the outbox in another transaction)
loses events or leaks tickets. Here it is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import decode_json, encode_json, structure, unstructure
from aftersales.service.actors import Actor
from aftersales.service.views import CommandResult, TicketView

__all__ = ["Applied", "idempotency_scope", "replay", "store_result"]

MAX_KEY = 120


@attrs.frozen
class Applied:
    """What a command's apply step produced beyond the ticket's own events."""

    messages: Sequence[OutboxMessage] = ()
    decisions: Sequence[object] = ()


def idempotency_scope(actor: Actor, command: str, key: str | None) -> str | None:
    """The stored key: scoped by actor and command, so two callers' keys never collide."""
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
        raise ValidationError(
            f"an idempotency key is 1–{MAX_KEY} characters of text", field="idempotency_key"
        )
    return f"{actor.role.value}:{actor.id}:{command}:{key}"


def replay(uow: UnitOfWork, scoped_key: str | None) -> CommandResult | None:
    """The first result of a command already run with this key, or ``None``."""
    if scoped_key is None:
        return None
    stored = uow.idempotency.get(scoped_key)
    if stored is None:
        return None
    data = decode_json(stored)
    ticket = structure(data["ticket"], Ticket)
    events = tuple(e for e in ticket.events if e.seq in set(data["events"]))
    return CommandResult(TicketView(ticket), events, replayed=True)


def store_result(
    uow: UnitOfWork, scoped_key: str | None, ticket: Ticket, events: Sequence[TicketEvent]
) -> None:
    """Remember this command's result under its key, in the same transaction."""
    if scoped_key is None:
        return
    uow.idempotency.put(
        scoped_key,
        encode_json({"ticket": unstructure(ticket), "events": [e.seq for e in events]}),
    )


Apply = Callable[[UnitOfWork, Ticket, datetime], Applied | None]
"""A command's own step: change the ticket (through its methods), return extra messages/decisions."""
