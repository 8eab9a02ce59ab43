"""The cost of a wholly free repair's labour, travel and service fee (seed 000 费用核算与控制).

Seed 000: 财务部门对售后维护费用进行单独核算,包括维修材料费用、人工费用、运输费用等, and 费用控制 holds the
spending to the budget. After-sales cost is the value given free, whoever gives it: the free parts (free
issues, at the maker's cost) and the free work assessed on the job. A slip lists the work it gives free and
the money reports count those lines; a repair that charges nothing has no slip, so its free labour,
travel and fee were counted nowhere while the same work on a slip charging a part was. So when the
customer accepts a repair (验收), the assessed free lines that are not materials and that no slip of the
job lists yet are written as a ``free_work_given`` movement in that month (the document index's money
row: memory, SQLite and PostgreSQL read it alike). Counted once: a line already counted is not written
again when the job is reopened and accepted again, and a later slip of the job listing it (a quote after
the repair, charged or free) takes the acceptance's count back in the slip's month
(``free_work_on_slip``), as ``charged_on_quote`` does for a free part.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import ActorRef
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.fee_slips import FeeSlip, MaterialsMovement, MovementKind, SlipOrigin
from aftersales.domain.ticket import Ticket
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.numbering import next_number
from aftersales.service.scope import purchasing_dealer

__all__ = ["count_free_work", "take_back_free_work"]

_Key = tuple[ChargeKind, str]


def _key(line: ChargeLine) -> _Key:
    return line.kind, line.item


def _work_moves(uow: UnitOfWork, ticket_id: str) -> tuple[list[MaterialsMovement], set[_Key]]:
    """The ``free_work_given`` movements of the ticket, and the keys a slip took back since."""
    given: list[MaterialsMovement] = []
    taken: set[_Key] = set()
    for move in uow.documents.query(MaterialsMovement, ticket_id=ticket_id):
        if move.kind is MovementKind.FREE_WORK_GIVEN:
            given.append(move)
        elif move.kind is MovementKind.FREE_WORK_ON_SLIP:
            taken.update(_key(line) for line in move.lines)
    return given, taken


def count_free_work(uow: UnitOfWork, ticket: Ticket, by: ActorRef, now: datetime, month: str) -> None:
    """Count, in ``month`` (the acceptance's, in the books' zone), the free labour, travel and fee
    assessed on ``ticket`` that neither a slip of the job nor an earlier acceptance counted."""
    sheet = ticket.charges
    if sheet is None:
        return
    work = [
        sl.line
        for sl in sheet.lines
        if not sl.line.chargeable and sl.line.kind is not ChargeKind.MATERIALS and sl.line.value.amount > 0
    ]
    if not work:
        return
    given, _ = _work_moves(uow, ticket.id)
    counted = {_key(line) for move in given for line in move.lines}
    counted.update(
        _key(line)
        for slip in uow.documents.query(FeeSlip, ticket_id=ticket.id)
        if slip.is_active and slip.origin is SlipOrigin.JOB
        for line in slip.lines
    )
    lines = tuple(line for line in work if _key(line) not in counted)
    if lines:
        number = next_number(uow, "materials_movement", now)
        kind = MovementKind.FREE_WORK_GIVEN
        dealer = purchasing_dealer(ticket)
        uow.documents.add(MaterialsMovement(number, kind, ticket.id, month, now, by, lines, dealer))


def take_back_free_work(uow: UnitOfWork, ticket: Ticket, slip: FeeSlip, by: ActorRef, now: datetime) -> None:
    """``slip`` (a job's, just written) lists work an acceptance counted free: take that count back in the
    slip's month, so the work counts as the slip counts it, once."""
    if slip.origin is not SlipOrigin.JOB:
        return
    listed = {_key(line) for line in slip.lines if line.kind is not ChargeKind.MATERIALS}
    if not listed:
        return
    given, taken = _work_moves(uow, ticket.id)
    for move in given:  # each back off the dealer whose month counted it
        lines = tuple(
            line
            for line in move.lines
            if _key(line) in listed and _key(line) not in taken and line.unit_price.currency == slip.currency
        )
        if lines:
            number = next_number(uow, "materials_movement", now)
            kind = MovementKind.FREE_WORK_ON_SLIP
            uow.documents.add(
                MaterialsMovement(number, kind, ticket.id, slip.month, now, by, lines, move.dealer_id)
            )
