"""A paid kept-part charge paid back once the part is back (seed 002 退料 1, 4–5 and 其他 3).

退料 1: a part not back in the set time is treated as kept (视用户对该材料为事实占有) and charged. When it
comes back after all, it is surplus for review (盘盈, 退料 4) and the office settles it with the party
(与用户沟通,进行相关收费工作; 其他 3: 相关费用及时与用户协商解决). Unpaid, the office waives the charge by
cancelling its slip; paid, a waiver would take the money out of the books with nothing paid back, so the
office pays it back instead: a credit slip naming the charge's slip, paying back what was received, the
loan ledger's charge waived (the part booked returned), the credited part the maker's cost again (a
credit slip counts what it credits as its month's cost) — all in the month of the refund (the month of
the charge was reported and keeps its figures). The charge stands
while the part is not back: the seed's rule is that a part kept past its time is paid for.

The ticket's history records the refund (``materials_refunded``, the office's words its reason), as it
recorded the charge (``part_charged_back``): the 售后问题台账 shows the money going back as it showed it
charged, and names the invoice finance reverses (``invoice_to_reverse``) when the charge was invoiced —
a credit slip is never invoiced itself (session 38).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aftersales.domain.events import JsonValue
from aftersales.domain.fee_slips import FeeSlip, InvoiceWish, SlipOrigin, SlipPayment
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.errors import PolicyError
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.charge_refunds import RefundDetails, credits_of
from aftersales.service.clock_skew import stamp_for
from aftersales.service.kept_charge_parties import payer_of, told_of_kept_charge
from aftersales.service.kept_charge_waiver import waive_kept_charge
from aftersales.service.materials_rules import contact_of
from aftersales.service.numbering import next_number

if TYPE_CHECKING:
    from aftersales.service.notify import Notifications

__all__ = [
    "KEPT_PART_BACK",
    "REFUNDED_KIND",
    "REFUND_STEP",
    "record_refund",
    "refund_kept_charge",
    "refund_notice",
]

REFUND_STEP = "materials_refunded"
"""The ticket's history step of the refund (the one the materials desk records for its refunds)."""

REFUNDED_KIND = "kept_charge_refunded"
"""The notification kind telling the party that paid the charge it is paid back."""

KEPT_PART_BACK = "refund_kept_part_back"
"""The credit slip's reason: the part charged as kept came back and its charge is paid back. The loan
count reads it (the part is out of the month's charged-as-kept figure again, in the refund's month)."""


def refund_kept_charge(
    uow: UnitOfWork, slip: FeeSlip, actor: Actor, now: datetime, month: str, details: RefundDetails
) -> FeeSlip:
    """Inside the ``refund_kept_charge`` command: pay back ``slip`` (a part charged as kept) whose part
    came back, in ``month``; the credit slip written. Refused with nothing stored: a slip of another
    origin, cancelled or a credit itself (``not_a_kept_charge``), nothing received (``slip_not_paid``:
    cancel it to waive it), paid back already (``already_refunded``), the part not back on the party's
    loan ledger (``part_not_back``: the charge stands, 事实占有)."""
    if slip.origin is not SlipOrigin.UNRETURNED_MATERIALS or not slip.is_active or len(slip.lines) != 1:
        raise PolicyError(
            f"slip {slip.id} is not an active charge of a part kept past its return deadline",
            code="not_a_kept_charge",
        )
    earlier = credits_of(uow.documents.query(FeeSlip, ticket_id=slip.ticket_id), slip)
    if earlier:
        raise PolicyError(
            f"slip {slip.id} was already refunded on credit slip {', '.join(c.id for c in earlier)}",
            code="already_refunded",
        )
    if slip.paid.amount <= 0:
        raise PolicyError(
            f"slip {slip.id} is not paid: nothing to pay back; cancel the slip to waive the charge",
            code="slip_not_paid",
        )
    if waive_kept_charge(uow, slip, actor, now, month) is None:
        # The command's transaction is rolled back with this refusal: the ledger is as it was.
        raise PolicyError(
            f"the part charged on slip {slip.id} is not back on the loan ledger: the charge stands "
            "(a part kept past its deadline is paid for)",
            code="part_not_back",
        )
    line = slip.lines[0]
    # The office's words of the settlement are kept with it.
    why = Reason(
        KEPT_PART_BACK,
        {"slip_id": slip.id, "part": line.item, "quantity": line.quantity, "note": details.reason},
    )
    credit = FeeSlip(
        next_number(uow, "fee_slip", now), slip.ticket_id, slip.customer_id, slip.currency, now,
        actor.ref, month, slip.lines, details.method, InvoiceWish.NEVER, SlipOrigin.REFUND,
        slip.dealer_id, None, payer_kind=slip.payer_kind, payer_id=slip.payer_id,
        reasons=(why,), credits_slip=slip.id,
    )  # fmt: skip
    # The whole charge is taken back; what was received (all of it, or the part paid) goes back.
    credit.record_payment(SlipPayment(slip.paid, details.method, now, actor.ref, details.reference))
    uow.documents.add(credit)
    return credit


def record_refund(
    uow: UnitOfWork, ticket: Ticket, slip: FeeSlip, credit: FeeSlip, actor: Actor, now: datetime, reason: str
) -> None:
    """Record ``credit`` paying back ``slip`` in ``ticket``'s history (``ticket`` loaded for update), the
    office's ``reason`` the step's: what was credited and paid back, to whom, and the invoice finance
    reverses (``None`` when the charge was never invoiced). A ticket whose workflow has no such step (a
    complaint's) keeps it on the slips only, as the materials desk does."""
    if REFUND_STEP not in ticket.workflow.triggers:
        return
    line = slip.lines[0]
    payload: dict[str, JsonValue] = {
        "slip_id": slip.id,
        "credit_slip": credit.id,
        "part": line.item,
        "quantity": line.quantity,
        "amount": str(credit.total.amount),
        "paid_back": str(credit.paid.amount),
        "currency": credit.currency,
        "payer": f"{slip.payer_kind}:{slip.payer_id}",
        "invoice_to_reverse": slip.invoice_id,
    }
    ticket.step(REFUND_STEP, actor.ref, stamp_for(ticket, now), reason=reason, payload=payload)
    uow.tickets.save(ticket)


def refund_notice(
    notifications: Notifications, uow: UnitOfWork, slip: FeeSlip, credit: FeeSlip, now: datetime
) -> list[OutboxMessage]:
    """Tell those the charge notice told (``part_charged_back``: the party that kept the part, and the dealer
    paying for its own engineer, :func:`~aftersales.service.kept_charge_parties.told_of_kept_charge`) that
    ``credit`` paid it back: what they heard owed, they hear withdrawn. Nobody without a contact."""
    if slip.payer_kind not in ("dealer", "engineer"):
        return []
    payer = payer_of(slip)
    line = slip.lines[0]
    values: dict[str, object] = {
        "ticket_id": slip.ticket_id,
        "part": line.item,
        "quantity": line.quantity,
        "amount": credit.paid,
        "fee_slip": slip.id,
        "credit_slip": credit.id,
    }
    out: list[OutboxMessage] = []
    for party in told_of_kept_charge(slip):
        contact = contact_of(uow, party)
        if contact is None:
            continue
        # The payer's key as it always was (a notice made before is not made twice); the keeper's its own.
        key = f"{REFUNDED_KIND}:{credit.id}" + ("" if party == payer else f":{party.key}")
        out += notifications.contact_messages(REFUNDED_KIND, party.kind.value, contact, values, key, now)
    return out
