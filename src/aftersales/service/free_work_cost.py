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
(``free_work_on_slip``), as ``charged_on_quote`` does for a free part; that slip cancelled gives the
count back (``free_work_given`` again, in the month it was taken back from).
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

__all__ = ["count_free_work", "give_back_free_work", "take_back_free_work"]

_Key = tuple[ChargeKind, str]


def _key(line: ChargeLine) -> _Key:
    return line.kind, line.item


def _outstanding(
    uow: UnitOfWork, ticket_id: str
) -> tuple[set[_Key], dict[_Key, tuple[ChargeLine, str | None]]]:
    """The work keys an acceptance ever counted on the ticket, and those still counted there (given more
    often than a slip took them back), each with its line and the dealer whose month counted it."""
    given: dict[_Key, int] = {}
    last: dict[_Key, tuple[ChargeLine, str | None]] = {}
    for move in uow.documents.query(MaterialsMovement, ticket_id=ticket_id):
        if move.kind not in (MovementKind.FREE_WORK_GIVEN, MovementKind.FREE_WORK_ON_SLIP):
            continue
        sign = 1 if move.kind is MovementKind.FREE_WORK_GIVEN else -1
        for line in move.lines:
            given[_key(line)] = given.get(_key(line), 0) + sign
            if sign > 0:
                last[_key(line)] = (line, move.dealer_id)
    return set(last), {key: last[key] for key, count in given.items() if count > 0 and key in last}


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
    counted, _ = _outstanding(uow, ticket.id)
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
    _, still = _outstanding(uow, ticket.id)
    by_dealer: dict[str | None, list[ChargeLine]] = {}
    for key, (line, dealer) in still.items():  # each back off the dealer whose month counted it
        if key in listed and line.unit_price.currency == slip.currency:
            by_dealer.setdefault(dealer, []).append(line)
    for dealer, lines in by_dealer.items():
        number = next_number(uow, "materials_movement", now)
        kind = MovementKind.FREE_WORK_ON_SLIP
        uow.documents.add(
            MaterialsMovement(
                number, kind, ticket.id, slip.month, now, by, tuple(lines), dealer, slip_id=slip.id
            )
        )


def give_back_free_work(uow: UnitOfWork, slip: FeeSlip, by: ActorRef, now: datetime) -> None:
    """``slip`` cancelled: the work it took back from an acceptance's count is given free after all —
    counted again, in the month it was taken back from (that month then holds neither)."""
    taken_back = uow.documents.query(
        MaterialsMovement, ticket_id=slip.ticket_id, kind=MovementKind.FREE_WORK_ON_SLIP.value
    )
    for taken in taken_back:
        if taken.slip_id == slip.id:
            number = next_number(uow, "materials_movement", now)
            kind = MovementKind.FREE_WORK_GIVEN
            uow.documents.add(
                MaterialsMovement(
                    number, kind, taken.ticket_id, taken.month, now, by, taken.lines, taken.dealer_id,
                    slip_id=slip.id,
                )
            )  # fmt: skip
