"""A quote's slip cancelled: the free part it charged is the maker's cost again (seed 000 费用核算).

A part lent free and then charged on an accepted quote (misuse found after the repair) leaves the cost:
accepting the quote writes a ``charged_on_quote`` movement at cost that takes the free issue's cost back,
and the part is income on the quote's slip. When the office cancels that slip (the charge waived), the
income leaves the books; the part was given free after all, so its cost must come back, or it counts
nowhere. A ``quote_charge_cancelled`` movement of the same lines, in the month the charge took the cost
back from (the slip's, whose income leaves too), gives it back — as ``kept_charge_cancelled`` does for a
chargeback and ``free_work_given`` for a free repair's work: that month then holds neither income nor a
negative cost for the part, and the month the part went free keeps its cost.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import ActorRef
from aftersales.domain.charges import ChargeKind
from aftersales.domain.fee_slips import FeeSlip, MaterialsMovement, MovementKind, SlipOrigin
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.numbering import next_number

__all__ = ["give_back_charged_parts"]


def _is_slips(move: MaterialsMovement, slip: FeeSlip, charged: set[str]) -> bool:
    """Whether the ``charged_on_quote`` ``move`` was written with ``slip``: accepting the quote writes
    both in one step (same instant and month), the movement's parts among those the slip charges."""
    if move.slip_id is not None:
        return move.slip_id == slip.id
    same_step = (move.at, move.month) == (slip.issued_at, slip.month)
    return same_step and all(line.item in charged for line in move.lines)


def give_back_charged_parts(uow: UnitOfWork, slip: FeeSlip, by: ActorRef, now: datetime) -> None:
    """``slip`` (a job's quote slip) cancelled: give back the free issues' cost its quote took back."""
    if slip.origin is not SlipOrigin.JOB or slip.quote_id is None or slip.is_credit:
        return
    charged = {line.item for line in slip.charged_lines(ChargeKind.MATERIALS)}
    if not charged:
        return
    query = uow.documents.query(MaterialsMovement, ticket_id=slip.ticket_id, kind="charged_on_quote")
    for move in query:
        if _is_slips(move, slip, charged):
            uow.documents.add(
                MaterialsMovement(
                    next_number(uow, "materials_movement", now), MovementKind.QUOTE_CHARGE_CANCELLED,
                    move.ticket_id, move.month, now, by, move.lines, move.dealer_id, slip_id=slip.id,
                )
            )  # fmt: skip
