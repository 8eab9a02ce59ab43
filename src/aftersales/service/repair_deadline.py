"""The old part's return deadline runs from the repair that took it out, not from the new part's receipt.

Seed 002 分工 3: 保修期内甲方免费向乙方提供维修材料,但乙方需按时退回换下的配件 — what the dealer owes back
is the part replaced (换下的配件), which exists only once the repair has taken it out; 退料 1 督促用户在规定
时间内退料 counts the time it has to send it. The materials desk books a free part on the party's loan
ledger when the party receives it, due back ``return_days`` after the repair; told no repair date then
(the usual order: parts arrive, then the engineer goes), it could only count from the receipt, so a part
received on 1 March and fitted on 20 March, after the customer put the visit off, was late on 1 April,
twelve days after it came out.

So the ticket's resolve (维修完毕, the repair done) dates the repair of its requests received before it
with no repair date given: each request's ``repaired_at`` becomes the resolve, once, and its lines still out
are due ``return_days`` after it (never earlier than before; a line already charged as kept stays charged).
It runs inside the resolving command's transaction, after the ticket's own lock (the ledgers after the
ticket, as every write charging parts takes them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.events import TicketEvent
from aftersales.domain.loan_ledger import LoanLedger
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.hook_scope import reacting_to
from aftersales.service.materials_params import MaterialsParams
from aftersales.service.runner import TicketHook

__all__ = ["RESOLVED", "date_returns_from_repair"]

RESOLVED = "resolve"
"""The step that records the repair done (a remote resolution too: parts mailed and fitted)."""


def date_returns_from_repair(params: MaterialsParams, calendar: BusinessCalendar | None = None) -> TicketHook:
    """The hook: a command that resolves a ticket dates the repair of its parts received before it (see
    the module's docstring); ``params`` are the desk's materials settings (the return period, its zone),
    ``calendar`` the desk's working calendar (a last day it has closed gives way to the next working day)."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        resolved = next((e.at for e in events if e.action == RESOLVED), None)
        if resolved is not None:
            _date_repairs(uow, ticket, resolved, params, calendar)
        return None

    return reacting_to(hook, actions=(RESOLVED,))


def _date_repairs(
    uow: UnitOfWork, ticket: Ticket, at: datetime, params: MaterialsParams, calendar: BusinessCalendar | None
) -> None:
    for request in uow.documents.query(MaterialsRequest, ticket_id=ticket.id):
        if not request.record_repair(at):
            continue
        uow.documents.save(request)
        try:
            ledger = uow.documents.get(LoanLedger, request.party.key)
        except NotFound:
            continue  # nothing of it was lent (gifts, charged parts): no deadline to move
        assert request.repaired_at is not None
        if ledger.redate(request.id, params.return_deadline(request.repaired_at, calendar)):
            uow.documents.save(ledger)
