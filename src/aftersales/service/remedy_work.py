"""The work a complaint remedy promises, set going in the command that grants it (seed 002 四、谈判
(一)2: 无偿更换…附件、增加维护保养; 方案的落实: 落实工作一定要及时到位).

A remedy that is only recorded is easily forgotten: the extra maintenance visit promised is never
booked, the free accessory never shipped. So granting one opens its work in the same transaction:

- **an extra maintenance visit** (增加维护保养): one maintenance ticket per visit promised, for the
  complaint's unit, through the same intake as any ticket (its SLA, its notices), ready to be triaged
  and dispatched as any maintenance job; the description names the complaint.
- **a free accessory** (无偿更换附件): a materials request on the complaint with its free pick slip
  issued at once, the line citing the complaint as its special approval (特批: never lent, never charged
  as kept); the office signs the slip and the warehouse ships it as any other.

The ids of the work are kept on the remedy (``Remedy.work``) and in the ``grant_remedy`` event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, TicketKind
from aftersales.domain.materials import MaterialsRequest, PartyKind, PartyRef
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.context import DeskContext
from aftersales.service.intake import open_ticket_in
from aftersales.service.numbering import new_id
from aftersales.service.remedy_visit_dates import remedy_visit, visit_due

__all__ = ["extra_visits", "free_accessory", "recipient"]

_DESK = ActorRef("aftersales", Role.SYSTEM)
"""Who checks the remedy's request free and issues its slip: the desk itself (``Actor.system()``)."""


def extra_visits(
    context: DeskContext,
    uow: UnitOfWork,
    actor: Actor,
    complaint: Ticket,
    unit: str,
    count: int,
    now: datetime,
    visit_on: Sequence[date] = (),
) -> tuple[str, ...]:
    """Open ``count`` maintenance tickets for ``unit`` (the complaint's customer's), one per visit; a
    visit with a date agreed in ``visit_on`` (one per visit, checked by the caller) is expected that day
    and due by its end (:mod:`aftersales.service.remedy_visit_dates`), not by the pack's targets from now."""
    catalog = context.notifications.renderer.catalog(context.policies.maintenance.locale)
    description = f"{catalog.text('complaint.remedy_visit_description')} ({complaint.id})"
    opened: list[str] = []
    days: list[date | None] = list(visit_on) or [None] * count
    for day in days:
        expected, terms = (None, None) if day is None else visit_due(day, now, context.timezone)
        ticket, _applied = open_ticket_in(
            context, uow, actor, now, customer_id=complaint.customer_id, description=description,
            category=Category.MAINTENANCE, channel=Channel.PLANNED, asset_id=unit, received_at=now,
            kind=TicketKind.SERVICE, expected_by=expected, sla_terms=terms,
        )  # fmt: skip
        # On the unit's visit list beside its plan's (desk.maintenance.unit_visits).
        uow.documents.add(remedy_visit(ticket, complaint.id, unit, day, now, context.timezone))
        opened.append(ticket.id)
    return tuple(opened)


def recipient(uow: UnitOfWork, complaint: Ticket, party: PartyRef | None) -> PartyRef:
    """Who receives a free accessory: ``party`` (a registered dealer or engineer: else ``NotFound``), or
    the dealer that serves the complaint's customer or unit (seed 002: 乙方负责所售产品的全过程服务); with
    neither, a ``ValidationError`` naming ``party``."""
    if party is not None:
        if party.kind is PartyKind.DEALER:
            uow.dealers.get(party.id)
        else:
            uow.engineers.get(party.id)
        return party
    dealer = complaint.dealer_id
    if dealer is None and complaint.asset_id is not None:
        try:
            dealer = uow.assets.get(complaint.asset_id).dealer_id
        except NotFound:
            dealer = None
    if dealer is None:
        raise ValidationError(
            f"complaint {complaint.id} has no dealer to send the free accessory to: name the party",
            field="party",
        )
    return PartyRef.dealer(dealer)


def free_accessory(
    context: DeskContext,
    uow: UnitOfWork,
    actor: Actor,
    complaint: Ticket,
    party: PartyRef,
    part: str,
    quantity: int,
    now: datetime,
) -> str:
    """File the free accessory's materials request with its pick slip; its id."""
    request = MaterialsRequest.for_remedy(
        id=new_id(context.ids, uow, "materials", now), complaint_id=complaint.id, party=party, part=part,
        quantity=quantity, at=now, by=actor.ref, desk=_DESK,
        pick_slip_number=new_id(context.ids, uow, "pick_slip", now),
    )  # fmt: skip
    uow.documents.add(request)
    return request.id
