"""A chargeback waived: its fee slip cancelled, the loan ledger takes the charge back too.

Seed 002 退料 1 / 其他 3: a part not back by its deadline is charged as kept (视用户对该材料为事实占有),
and 相关费用及时与用户协商解决 — the office may waive the charge by cancelling the chargeback's slip. The
books already give the free part's cost back then (``kept_charge_cancelled``); the party's loan ledger
must agree: the line is no longer charged, and a part sent back late for it (surplus for review) is
booked as returned, in the books' returns list of the waiver's month (a month already reported does
not change).
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.fee_slips import FeeSlip, MaterialsMovement, MovementKind, SlipOrigin
from aftersales.domain.loan_ledger import Chargeback, LedgerEntry, LoanLedger
from aftersales.domain.materials import MaterialsRequest
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.kept_charge_parties import kept_by
from aftersales.service.numbering import next_number

__all__ = ["waive_kept_charge"]


def _is_slips(uow: UnitOfWork, chargeback: Chargeback, slip: FeeSlip) -> bool:
    """Whether ``chargeback`` is the one ``slip`` was written for (the same step: instant, line, ticket)."""
    if (chargeback.at, chargeback.line.item, chargeback.line.quantity) != (
        slip.issued_at, slip.lines[0].item, slip.lines[0].quantity,
    ):  # fmt: skip
        return False
    if chargeback.request_id is None:
        return chargeback.key == slip.ticket_id
    return uow.documents.get(MaterialsRequest, chargeback.request_id).ticket_id == slip.ticket_id


def waive_kept_charge(
    uow: UnitOfWork, slip: FeeSlip, actor: Actor, now: datetime, month: str
) -> LedgerEntry | None:
    """``slip`` (a chargeback's, cancelled or paid back) waived: the charge leaves its party's loan
    ledger; a part back already is booked returned, with a ``returned`` movement in ``month`` (the
    books' month of ``now``) when its issue was free. Returns that return (``None``: the part is not
    back). Nothing for any other slip or a ledger without the charge."""
    if slip.origin is not SlipOrigin.UNRETURNED_MATERIALS or len(slip.lines) != 1:
        return None
    try:
        ledger = uow.documents.get(LoanLedger, kept_by(slip).key)
    except NotFound:
        return None
    found = next((c for c in ledger.chargebacks if _is_slips(uow, c, slip)), None)
    if found is None:
        return None
    _waiver, returned = ledger.waive_chargeback(found.key, now, actor.ref)
    uow.documents.save(ledger)
    if returned is None:
        return None
    for kept in uow.documents.query(MaterialsMovement, ticket_id=slip.ticket_id, kind="charged_as_kept"):
        if kept.slip_id in (slip.id, None):  # the free issue's cost lines, as the kept movement priced them
            uow.documents.add(
                MaterialsMovement(
                    next_number(uow, "materials_movement", now), MovementKind.RETURNED, kept.ticket_id,
                    month, now, actor.ref, kept.lines, kept.dealer_id,
                )
            )  # fmt: skip
            break
    return returned
