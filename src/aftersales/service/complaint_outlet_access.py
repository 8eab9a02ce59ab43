"""Who answers for a repair outlet on a complaint the centre passed to it (seed 004 第八条 2(3)-(4)).

Why one place: the outlet's reply to the centre and its call to the customer (首先要对客户进行安抚, 并立即
回复客户服务中心) admit the same people — the centre's staff for any outlet, the engineer the complaint was
passed to, the staff of the dealer it was passed to — and no other engineer or dealer.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.permissions import COMPLAINT_ROLES

__all__ = ["CENTRE_STAFF", "answers_for", "check_outlet_contact"]

CENTRE_STAFF = COMPLAINT_ROLES["outlet_reply"] - {Role.ENGINEER, Role.DEALER_STAFF}
"""The centre's complaint handlers: they act for any outlet."""


def answers_for(actor: Actor, outlet: Assignee) -> bool:
    """May ``actor`` act for ``outlet``? The centre's staff for any outlet; an engineer for itself; a
    dealer's staff for its dealer."""
    if any(role in CENTRE_STAFF for role in actor.roles):
        return True
    mine = outlet.id in (actor.engineer_id, actor.id)
    if actor.has_role(Role.ENGINEER) and outlet.kind is AssigneeKind.ENGINEER and mine:
        return True
    return (
        actor.has_role(Role.DEALER_STAFF)
        and outlet.kind is AssigneeKind.DEALER
        and actor.dealer_id is not None
        and outlet.id == actor.dealer_id
    )


def check_outlet_contact(actor: Actor, ticket: Ticket, made: datetime | None = None) -> None:
    """Refuse a call to the complainant by an engineer or dealer the complaint was not passed to
    (``PermissionDenied``): the workflow lets outlets call (第八条 2(4) 安抚), this narrows it to the one
    holding the complaint; the centre's staff always may. A call the outlet logs after the fact (``made``)
    was made once the complaint was passed to it: an earlier one was no outlet's call (``ValidationError``
    naming ``at``)."""
    if any(role in CENTRE_STAFF for role in actor.roles):
        return
    outlet = ticket.assignee
    passed = [e for e in ticket.events if e.action == "refer_to_outlet"]
    if outlet is None or not passed or not answers_for(actor, outlet):
        raise PermissionDenied(str(actor), "contact_customer", ticket.id)
    since = _held_since(passed, outlet)
    if made is not None and made < since:
        raise ValidationError(
            f"the complaint was passed to the outlet at {since.isoformat()}: a call the outlet logs was"
            f" made then or later, not at {made.isoformat()}",
            field="at",
        )


def _held_since(passed: list[TicketEvent], outlet: Assignee) -> datetime:
    """When ``outlet`` was passed the complaint it still holds (its first referral since another's)."""
    since = passed[-1].at
    for event in reversed(passed):
        named = event.payload.get("outlet") if event.payload else None
        if not isinstance(named, dict) or (named.get("kind"), named.get("id")) != (
            outlet.kind.value,
            outlet.id,
        ):
            break
        since = event.at
    return since
