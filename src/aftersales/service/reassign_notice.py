"""The holder a job is taken from is told (seed 003 二 4: 通过系统将派工信息实时推送给工程师).

A reassignment (``reassign``) pushes the job to its new holder as any dispatch does; the engineer or
dealer who held it until then heard nothing, and could still go to the visit. As a cancelled job's holder
is told nobody is to go (``job_cancelled``), the previous holder now gets ``job_reassigned`` with the
reason, when the notification policy tells holders of assignments at all.

Seed 002 (分工 1 乙方负责…全过程服务, 分工 6): a job given to a dealer's own fitter stays that
dealer's, so the dealer it came from is not told it was given to someone else; and a job taken from a
dealer's fitter for someone outside that dealer is taken from the dealer too, so the dealer is told beside
its fitter.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.contact import Contact
from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import AssigneeKind
from aftersales.errors import NotFound
from aftersales.i18n.values import Term
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.overdue_notices import Render
from aftersales.service.stored_reasons import worded_reason

__all__ = ["REASSIGNED_KIND", "holder_audience", "previous_holder_messages"]

REASSIGNED_KIND = "job_reassigned"
"""The notification kind telling the previous holder the job went to someone else."""

_HOLDER_ROLES = (Role.ENGINEER, Role.DEALER_STAFF)


def holder_audience(roles: Collection[Role]) -> Role | None:
    """The role a job's holder is told as, when the notification policy's ``roles`` for assignments name
    a holder at all (the engineer's first); ``None``: holders are not told."""
    return next((role for role in _HOLDER_ROLES if role in roles), None)


def _holder(uow: UnitOfWork, kind: object, holder_id: object) -> tuple[Contact | None, str | None]:
    """The contact of the holder ``holder_id`` of ``kind`` and the dealer whose hands the job was in
    through it (the dealer itself, a dealer's own engineer's dealer; ``None`` for the maker's people)."""
    if not isinstance(holder_id, str):
        return None, None
    try:
        if kind == AssigneeKind.ENGINEER.value:
            engineer = uow.engineers.get(holder_id)
            return engineer.contact, engineer.dealer_id
        if kind == AssigneeKind.DEALER.value:
            return uow.dealers.get(holder_id).contact, holder_id
    except NotFound:
        return None, None
    return None, None


def _dealer_contact(uow: UnitOfWork, dealer_id: str) -> Contact | None:
    try:
        return uow.dealers.get(dealer_id).contact
    except NotFound:
        return None


def _new_dealer(ticket: Ticket, event: TicketEvent) -> str | None:
    """The dealer whose hands ``event`` put the job in: the dealer assignee, or the dealer the assigned
    engineer works for (the event records it, ``Ticket.assign(dealer=...)``)."""
    new = ticket.assignee
    if new is None:
        return None
    if new.kind is AssigneeKind.DEALER:
        return new.id
    dealer = event.payload.get("dealer")
    return dealer if isinstance(dealer, str) else None


def previous_holder_messages(
    uow: UnitOfWork,
    ticket: Ticket,
    event: TicketEvent,
    roles: Collection[Role],
    render: Render,
    now: datetime,
) -> list[OutboxMessage]:
    """The ``job_reassigned`` notice to whoever held ``ticket`` before ``event`` (a ``reassign``), rendered
    by ``render`` (``Notifications.contact_messages``); none when the policy's ``roles`` for assignments
    name no holder, the job stayed with the same holder, or the previous one cannot be reached. A dealer
    that gave the job to its own engineer keeps it (not told); the dealer of an engineer the job is taken
    from is told too when the job leaves that dealer's hands."""
    if event.action != "reassign" or not event.payload:
        return []
    audience = holder_audience(roles)
    previous = event.payload.get("previous")
    if audience is None or not isinstance(previous, dict):
        return []
    new = ticket.assignee
    if new is not None and (previous.get("id"), previous.get("kind")) == (new.id, new.kind.value):
        return []
    kind = previous.get("kind")
    contact, dealer = _holder(uow, kind, previous.get("id"))
    new_dealer = _new_dealer(ticket, event)
    told: list[tuple[Contact, str]] = []
    if contact is not None and not (kind == AssigneeKind.DEALER.value and dealer == new_dealer):
        told.append((contact, ""))
    if kind == AssigneeKind.ENGINEER.value and dealer is not None and dealer != new_dealer:
        dealer_contact = _dealer_contact(uow, dealer)
        if dealer_contact is not None:
            told.append((dealer_contact, ":dealer"))
    if not told:
        return []
    # A reason the library stored (the emergency team's) is worded in the holder's language.
    values: dict[str, object] = {
        "ticket_id": ticket.id,
        "reason": worded_reason(event.reason) or Term("value.none"),
    }
    key = f"{ticket.id}:{event.seq}:{REASSIGNED_KIND}"
    out: list[OutboxMessage] = []
    for whom, suffix in told:
        out += render(REASSIGNED_KIND, audience.value, whom, values, key + suffix, now)
    return out
