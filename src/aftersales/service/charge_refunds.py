"""Refunds of a paid quote (``desk.charges.refund``): the credit slip, the sheet's refund, the history.

Seed 002 with seed 000's complaint remedies: a warranty extension granted after the customer paid
(延长免费售后服务期) makes lines of a paid quote free; a job cancelled after payment is paid back whole.
An accountant expects a credit slip (退款单) naming the slip it credits and why (the complaint), the paid
slip left as it was, and the month's figures net of it: the credit counts negative where it is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.charges import (
    ChargeKind,
    ChargeLine,
    ChargeSheet,
    Payment,
    PaymentId,
    Quote,
    QuoteId,
    QuoteState,
)
from aftersales.domain.fee_slips import FeeSlip, InvoiceWish, SlipOrigin, SlipPayment, lines_left
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import PermissionDenied, PolicyError, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.numbering import next_number

__all__ = [
    "RefundDetails",
    "check_net_owed",
    "check_within_paid",
    "credited_lines",
    "credits_of",
    "net_owed",
    "refund_quote",
    "slip_to_refund",
]


@attrs.frozen
class RefundDetails:
    """What the caller says about a refund: why, how the money goes back, its reference."""

    reason: str
    method: str
    reference: str


def slip_to_refund(uow: UnitOfWork, ticket_id: str, quote_id: str) -> FeeSlip:
    """The active slip charging ``quote_id`` of the ticket, not yet wholly credited: what a refund pays
    back (the ticket's charge sheet and the materials desk's quotes alike). ``no_slip`` when there is
    none, ``already_refunded`` once credit slips naming it have taken back all it charged or all that
    was paid on it. Two partial refunds (a part sent back unused, then the rest made free) are normal:
    the second credits what the first did not (:func:`credited_lines`, :func:`check_within_paid`)."""
    slips = list(uow.documents.query(FeeSlip, ticket_id=ticket_id))
    owing = [f for f in slips if f.quote_id == quote_id and f.is_active and not f.is_credit]
    if not owing:
        raise PolicyError(f"quote {quote_id} has no active fee slip to pay back", code="no_slip")
    slip = owing[0]
    earlier = credits_of(slips, slip)
    taken = Money.total((c.total for c in earlier), slip.currency)
    paid_back = Money.total((c.paid for c in earlier), slip.currency)
    if earlier and (taken >= slip.total or (slip.paid.amount > 0 and paid_back >= slip.paid)):
        raise PolicyError(
            f"slip {slip.id} was already refunded on credit slip {', '.join(c.id for c in earlier)}",
            code="already_refunded",
        )
    return slip


def credits_of(slips: Iterable[FeeSlip], slip: FeeSlip) -> list[FeeSlip]:
    """The active credit slips among ``slips`` that name ``slip`` (its refunds so far)."""
    return [f for f in slips if f.credits_slip == slip.id and f.is_active]


def credited_lines(
    uow: UnitOfWork, slip: FeeSlip, lines: Iterable[ChargeLine]
) -> tuple[list[ChargeLine], list[FeeSlip]]:
    """``lines`` less what earlier credit slips of ``slip`` already took back (by kind and item, at most
    their quantity), and those credit slips: a second refund pays back only what the first did not."""
    earlier = credits_of(uow.documents.query(FeeSlip, ticket_id=slip.ticket_id), slip)
    return lines_left(lines, earlier), earlier


def net_owed(slips: Iterable[FeeSlip], slip: FeeSlip) -> Money:
    """What is still owed on ``slip`` net of its credit slips among ``slips``: what it charges less what
    the credits took back, less what was received and not paid back. A part-paid slip credited in full
    owes nothing more (further payments on its quote are refused)."""
    earlier = credits_of(slips, slip)
    credited = Money.total((c.total for c in earlier), slip.currency)
    paid_back = Money.total((c.paid for c in earlier), slip.currency)
    return slip.balance - (credited - paid_back)


def check_net_owed(slips: Iterable[FeeSlip], slip: FeeSlip, amount: Money, quote_id: str) -> None:
    """Refuse (``ValidationError`` on ``amount``) a payment of ``amount`` on quote ``quote_id`` beyond
    what ``slip`` still owes net of its credit slips among ``slips`` (:func:`net_owed`): a part payment
    paid back with the lines credited owes only what is left. The one rule of every quote's payment —
    the charge sheet's (``desk.charges.record_payment``) and the materials desk's
    (``desk.materials.record_payment``) — so neither takes money its slip's credits already gave back."""
    owed = net_owed(slips, slip)
    if amount > owed:
        raise ValidationError(
            f"payment of {amount} exceeds what is owed on quote {quote_id} net of its credit slips ({owed})",
            field="amount",
        )


def _paid_back_by(slip: FeeSlip, earlier: Iterable[FeeSlip], credited: Money) -> Money:
    """What a credit of ``credited`` pays back on ``slip``: what was received (net of ``earlier``
    credits) beyond what the slip still charges once credited, at most ``credited``. A slip paid in full
    gets ``credited`` back; one paid 100.00 of 250.00 and credited in full gets 100.00 back. Nothing
    (received less than still charged) is refused: the money received is owed still (``slip_not_paid``)."""
    earlier = list(earlier)
    charged = slip.total - Money.total((c.total for c in earlier), slip.currency) - credited
    received = slip.paid - Money.total((c.paid for c in earlier), slip.currency)
    back = received - charged
    if back.amount <= 0:
        raise PolicyError(
            f"slip {slip.id}: received {received}, still charged {charged} after this credit: "
            "nothing to pay back, the money received is still owed",
            code="slip_not_paid",
        )
    return credited if back > credited else back


def check_within_paid(slip: FeeSlip, earlier: Iterable[FeeSlip], paying_back: Money) -> None:
    """Refuse (``exceeds_paid``) a refund that would pay back more than was paid on ``slip`` with what
    its ``earlier`` credit slips paid back."""
    before = Money.total((c.paid for c in earlier), slip.currency)
    if before + paying_back > slip.paid:
        raise PolicyError(
            f"slip {slip.id}: {paying_back} more would pay back {before + paying_back}, {slip.paid} was paid",
            code="exceeds_paid",
        )


def refund_quote(
    uow: UnitOfWork, ticket: Ticket, sheet: ChargeSheet, quote_id: str, actor: Actor, now: datetime,
    month: str, details: RefundDetails,
) -> FeeSlip:  # fmt: skip
    """Inside the ``refund_quote`` command: check, write the credit slip, record the refund on ``sheet``
    and the step in the ticket's history (see :meth:`ChargesDesk.refund` for the rules)."""
    quote = sheet.quote(quote_id)
    if quote.state is not QuoteState.ACCEPTED:
        raise PolicyError(
            f"quote {quote_id} is {quote.state.value}: only an accepted quote is refunded",
            code="quote_not_accepted",
        )
    if quote.payer != "customer" and not any(actor.has_role(r) for r in _OFFICE_ROLES):
        # The dealer's purchase is the maker's money: the maker pays it back, not the dealer.
        raise PermissionDenied(str(actor), "refund_quote", quote_id)
    slip = slip_to_refund(uow, ticket.id, quote_id)
    if slip.paid.amount <= 0:
        # Nothing received: cancelling the slip takes the charge back, there is no money to pay back.
        raise PolicyError(
            f"slip {slip.id} is not paid (received {slip.paid} of {slip.total}): nothing to pay back; "
            "cancel the slip and write it again for what is still charged",
            code="slip_not_paid",
        )
    cancelled = ticket.state == TicketState.CANCELLED
    credited: list[tuple[ChargeLine, tuple[Reason, ...]]]
    if cancelled:
        # The job was called off after the customer paid: the whole quote is paid back, unless
        # its parts already went out (they come back first).
        for request in uow.documents.query(MaterialsRequest, ticket_id=ticket.id):
            if request.quote_id == quote_id and request.shipping_note is not None:
                raise PolicyError(
                    f"the parts of quote {quote_id} shipped on {request.shipping_note.number}: "
                    "take them back before paying the quote back",
                    code="parts_shipped",
                )
        credited = [(line, ()) for line in quote.lines if line.chargeable]
    else:
        credited = _now_free(quote, sheet)
    # What an earlier partial refund of this slip took back is not paid back again.
    reasons_of = {(line.kind, line.item): why for line, why in credited}
    left, earlier = credited_lines(uow, slip, [line for line, _why in credited])
    credited = [(line, reasons_of[(line.kind, line.item)]) for line in left]
    if not credited and earlier:
        raise PolicyError(
            f"slip {slip.id} was already refunded on credit slip {', '.join(c.id for c in earlier)}",
            code="already_refunded",
        )
    if not credited:
        raise PolicyError(
            f"no line of quote {quote_id} is free on the sheet as it stands: nothing to refund "
            "(reassess the ticket after the warranty extension)",
            code="nothing_to_refund",
        )
    lines = tuple(line for line, _why in credited)
    why = tuple(r for _line, reasons in credited for r in reasons)
    complaint = _complaint_of(why)
    if cancelled:
        head = Reason("refund_ticket_cancelled", {"quote_id": quote_id, "slip_id": slip.id})
    elif complaint is not None:
        head = Reason(
            "refund_warranty_extended",
            {"quote_id": quote_id, "slip_id": slip.id, "complaint_id": complaint},
        )
    else:
        head = Reason("refund_now_free", {"quote_id": quote_id, "slip_id": slip.id})
    unique = tuple(dict.fromkeys(why))
    credit = FeeSlip(
        next_number(uow, "fee_slip", now), ticket.id, slip.customer_id, slip.currency, now,
        actor.ref, month, lines, details.method, InvoiceWish.NEVER,
        SlipOrigin.REFUND, slip.dealer_id, None, payer_kind=slip.payer_kind,
        payer_id=slip.payer_id, reasons=(head, *unique), credits_slip=slip.id,
    )  # fmt: skip
    paying_back = _paid_back_by(slip, earlier, credit.total)
    check_within_paid(slip, earlier, paying_back)
    credit.record_payment(SlipPayment(paying_back, details.method, now, actor.ref, details.reference))
    uow.documents.add(credit)
    number = sum(1 for r in sheet.refunds if r.quote_id == quote_id) + 1
    sheet.record_refund(
        Payment(
            PaymentId(f"{quote_id}-R{number}"), QuoteId(quote_id), credit.paid, now, actor.ref,
            details.method, credit.id,
        )
    )  # fmt: skip
    payload: dict[str, Any] = {
        "quote_id": quote_id,
        "slip_id": slip.id,
        "credit_slip": credit.id,
        "amount": str(credit.paid.amount),
        "credited": str(credit.total.amount),
        "currency": credit.currency,
        "complaint_id": complaint,
        "lines": [f"{ln.kind.value}:{ln.item}×{ln.quantity}" for ln in lines],
        # Finance reverses this invoice with its own credit note (红字发票); the credit slip is
        # never invoiced itself.
        "invoice_to_reverse": slip.invoice_id,
    }
    ticket.record_charges("refund_quote", actor.ref, now, sheet, reason=details.reason, payload=payload)
    return credit


_OFFICE_ROLES = frozenset({Role.AGENT, Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER})
"""Who pays the maker's money back: the dealer's purchase is refunded by the maker's office only."""


def _now_free(quote: Quote, sheet: ChargeSheet) -> list[tuple[ChargeLine, tuple[Reason, ...]]]:
    """The charged lines of ``quote`` that the sheet as it now stands makes free (at the quote's prices,
    at most the quantity now free), each with the reasons the sheet gives for it being free."""
    dealer = quote.payer != "customer"
    free: dict[tuple[ChargeKind, str], list[Any]] = {}
    for sheet_line in sheet.lines:
        line = sheet_line.line
        if dealer and sheet_line.dealer_cost is None:
            continue
        if not line.chargeable:
            entry = free.setdefault((line.kind, line.item), [0, ()])
            entry[0] += line.quantity
            entry[1] = (*entry[1], *sheet_line.reasons)
    credited: list[tuple[ChargeLine, tuple[Reason, ...]]] = []
    for line in quote.lines:
        slot = free.get((line.kind, line.item))
        if not line.chargeable or slot is None or slot[0] <= 0:
            continue
        take = min(slot[0], line.quantity)
        slot[0] -= take
        credited.append((attrs.evolve(line, quantity=take), tuple(slot[1])))
    return credited


def _complaint_of(reasons: Iterable[Reason]) -> str | None:
    """The complaint that granted the warranty extension making the lines free, if a reason names one."""
    for reason in reasons:
        complaint = reason.params.get("complaint_id")
        if isinstance(complaint, str) and complaint:
            return complaint
    return None
