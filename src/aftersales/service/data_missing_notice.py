"""The managers' warning when holiday data has run out and a ticket gets no due time at all.

Beyond the calendar's data (past its provisional year, or past the end of an operator's own TOML or .ics
list) the desk computes no due time rather than guess (``CalendarDataMissing``): the ticket is taken, but
it has no SLA clock, the sweep never warns about it and the ledger shows no due. Before, nobody was told
but whoever read ``desk.health()`` or asked ``desk.sla`` about that very ticket; now the managers hear of it
once per end of data, with the first ticket it hits, in that command's transaction.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.errors import CalendarDataMissing
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.context import DeskContext
from aftersales.service.provisional_notice import CalendarNotice, notice_stored, store_notice

__all__ = ["data_missing_messages"]


def data_missing_messages(
    context: DeskContext, uow: UnitOfWork, ticket: Ticket, tier: CustomerTier, now: datetime
) -> list[OutboxMessage]:
    """The managers' warning when ``ticket`` (graded, open) got no due time because the desk's calendar has
    no holiday data for it (once per ``known_until``)."""
    calendar = context.calendar
    if (
        calendar is None
        or calendar.known_until is None
        or context.sla.policy is None
        or ticket.priority is None
        or not ticket.is_open
        or ticket.resolution_due_at is not None
    ):
        return []
    until = calendar.known_until
    notice_id = f"missing:{until.isoformat()}"
    if notice_stored(context, uow, notice_id):
        return []
    try:
        context.sla.status(ticket, tier, now)
        return []  # the ticket has its clocks (no resolution target, say): nothing is missing
    except CalendarDataMissing:
        pass
    if not store_notice(context, uow, CalendarNotice(notice_id, until, now, ticket.id)):
        return []
    values: dict[str, object] = {"known_until": until, "ticket_id": ticket.id}
    key = f"calendar:missing:{until.isoformat()}"
    return context.notifications.staff_messages("calendar_data_missing", (Role.MANAGER,), values, key, now)
