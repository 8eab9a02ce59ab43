"""The daily overdue reminder's messages: one per holder, listing the visits they let pass their day.

A plan's visits (``MaintenanceDesk.remind_overdue``) and a complaint's remedy visits
(:mod:`aftersales.service.remedy_overdue`) are chased alike: each holder (an engineer or a dealer) gets one
message per day with how many, the oldest due day and the first twenty, keyed by holder and day so a
second run that day sends nothing new. One piece serves both, so the two reminders cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar

from aftersales.domain.contact import Contact
from aftersales.domain.work import AssigneeKind
from aftersales.errors import NotFound
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["Render", "holder_contact", "overdue_messages"]

_LISTED = 20
"""How many visits a message names (the count says how many there are)."""

Render = Callable[[str, str, Contact, dict[str, object], str, datetime], list[OutboxMessage]]
"""``Notifications.contact_messages``: a kind rendered for one contact, as outbox messages."""


class _Dated(Protocol):
    @property
    def due_on(self) -> date: ...


V = TypeVar("V", bound=_Dated)


def holder_contact(uow: UnitOfWork, kind: str, who: str) -> Contact | None:
    """The contact of a visit's holder: an engineer (``kind`` ``engineer``) or a dealer; ``None`` if gone."""
    try:
        party = uow.engineers.get(who) if kind == AssigneeKind.ENGINEER.value else uow.dealers.get(who)
    except NotFound:
        return None
    return party.contact


def overdue_messages(
    uow: UnitOfWork,
    kind: str,
    groups: Mapping[tuple[str, str], Sequence[V]],
    named: Callable[[V], str],
    day: date,
    now: datetime,
    render: Render,
) -> list[OutboxMessage]:
    """One ``kind`` message per holder of ``groups`` (``(holder kind, id)`` → their overdue visits, oldest
    due first), each visit named by ``named``; a holder with no contact is skipped."""
    messages: list[OutboxMessage] = []
    for (holder, who), visits in sorted(groups.items()):
        contact = holder_contact(uow, holder, who)
        if contact is None:
            continue
        listed = ", ".join(named(v) for v in visits[:_LISTED]) + (" …" if len(visits) > _LISTED else "")
        values: dict[str, object] = {"count": len(visits), "oldest_due": visits[0].due_on, "visits": listed}
        messages += render(kind, holder, contact, values, f"{kind}:{holder}:{who}:{day.isoformat()}", now)
    return messages
