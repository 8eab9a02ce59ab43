"""The holder a job is taken from is told (seed 003 二 4: 通过系统将派工信息实时推送给工程师).

A reassignment (``reassign``) pushes the job to its new holder as any dispatch does; the engineer or
dealer who held it until then heard nothing, and could still go to the visit. As a cancelled job's holder
is told nobody is to go (``job_cancelled``), the previous holder now gets ``job_reassigned`` with the
reason, when the notification policy tells holders of assignments at all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
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
from aftersales.service.stored_reasons import worded_reason

__all__ = ["REASSIGNED_KIND", "previous_holder_messages"]

REASSIGNED_KIND = "job_reassigned"
"""The notification kind telling the previous holder the job went to someone else."""

_HOLDER_ROLES = (Role.ENGINEER, Role.DEALER_STAFF)

Render = Callable[[str, str, Contact, dict[str, object], str, datetime], list[OutboxMessage]]


def _contact(uow: UnitOfWork, kind: object, holder_id: object) -> Contact | None:
    if not isinstance(holder_id, str):
        return None
    try:
        if kind == AssigneeKind.ENGINEER.value:
            return uow.engineers.get(holder_id).contact
        if kind == AssigneeKind.DEALER.value:
            return uow.dealers.get(holder_id).contact
    except NotFound:
        return None
    return None


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
    name no holder, the job stayed with the same holder, or the previous one cannot be reached."""
    if event.action != "reassign" or not event.payload:
        return []
    audience = next((role for role in _HOLDER_ROLES if role in roles), None)
    previous = event.payload.get("previous")
    if audience is None or not isinstance(previous, dict):
        return []
    new = ticket.assignee
    if new is not None and (previous.get("id"), previous.get("kind")) == (new.id, new.kind.value):
        return []
    contact = _contact(uow, previous.get("kind"), previous.get("id"))
    if contact is None:
        return []
    # A reason the library stored (the emergency team's) is worded in the holder's language.
    values: dict[str, object] = {
        "ticket_id": ticket.id,
        "reason": worded_reason(event.reason) or Term("value.none"),
    }
    key = f"{ticket.id}:{event.seq}:{REASSIGNED_KIND}"
    return render(REASSIGNED_KIND, audience.value, contact, values, key, now)
