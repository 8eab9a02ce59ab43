"""A paid part sent back unused, and the office paying it back (seed 002 材料收费, 退料 2–5, 其他 2–3).

A part bought on a materials quote (the dealer's purchase at the maker's price, 款到发货, or the user's
parts) was paid, shipped and not fitted. Seed 002 says what happens to it: it comes back to the one
receiving location like any old part (退料 2: 台州为退料的唯一接收地) and is counted there (退料 3);
being charged, it was never on the loan ledger (退料 1 d: 已收费的材料不计入盘点表), so it is stock beyond
the ledger (盘盈) for review (退料 4: 盘盈盘亏分析), and the charging work is settled with the payer
(退料 5: 与用户沟通，进行相关收费工作; 其他 3: 相关费用及时与用户协商解决). Its purchase slip
(《售后服务材料收费暨报销单》) stays as it was, paid, until the office pays the part back.

:func:`refund_unused` is that refund, inside the command: a credit slip (退款单, origin ``refund``, reason
``refund_unused_part``) naming the purchase slip, for the parts returned at the price they were sold,
paid back to the payer — so the sales income list (其他 2: 售后服务销售收入的统计表为收费材料的清单) nets
the part out in the month of the refund; the quote records the money paid back; the surplus review closes
with the part taken into stock at cost; the ticket's history records it. A part returned against a loan
was never paid (``return_was_a_loan``), one rejected at inspection (used, damaged) is not taken back
(``return_not_booked``), one not charged on its request's quote has nothing to pay back
(``part_not_paid``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs

from aftersales.domain.charges import ChargeKind, Payment, PaymentId, QuoteId
from aftersales.domain.fee_slips import FeeSlip, InvoiceWish, SlipOrigin, SlipPayment
from aftersales.domain.loan_ledger import LoanLedger
from aftersales.domain.materials import MaterialsRequest, PartReturn
from aftersales.domain.materials_workflow import ReturnState
from aftersales.domain.reasons import Reason
from aftersales.domain.surplus_review import SurplusClosure, SurplusOutcome
from aftersales.errors import NotFound, PolicyError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.numbering import next_number

__all__ = ["RefundTerms", "UnusedRefund", "refund_unused"]


@attrs.frozen
class RefundTerms:
    """What the office says about the refund: why, how the money goes back, its reference."""

    reason: str
    method: str
    reference: str


@attrs.frozen
class UnusedRefund:
    """The refund of a paid part sent back unused: the credit slip and the closed surplus review."""

    credit: FeeSlip
    closure: SurplusClosure


def _purchase_slip(uow: UnitOfWork, ticket_id: str, quote_id: str, part: str) -> tuple[FeeSlip, int]:
    """The active slip charging ``quote_id`` and how many of ``part`` it charged that no credit slip
    has paid back yet (``no_slip`` when there is none)."""
    slips = list(uow.documents.query(FeeSlip, ticket_id=ticket_id))
    owing = [f for f in slips if f.quote_id == quote_id and f.is_active and not f.is_credit]
    if not owing:
        raise PolicyError(f"quote {quote_id} has no active fee slip to pay back", code="no_slip")
    slip = owing[0]

    def sold(f: FeeSlip) -> int:
        return sum(ln.quantity for ln in f.charged_lines(ChargeKind.MATERIALS) if ln.item == part)

    credited = sum(sold(f) for f in slips if f.credits_slip == slip.id and f.is_active)
    return slip, sold(slip) - credited


def refund_unused(
    uow: UnitOfWork, actor: Actor, now: datetime, return_id: str, terms: RefundTerms, month: str,
    stock_in: Callable[[UnitOfWork, SurplusClosure, str], None],
) -> UnusedRefund:  # fmt: skip
    """Inside ``refund_unused_part``: check, write the credit slip, record the refund on the request's
    quote, close the surplus review into stock (``stock_in`` writes its movement) and return both. The
    caller records the ticket's history."""
    item = uow.documents.get(PartReturn, return_id)
    if item.state is not ReturnState.BOOKED:
        raise PolicyError(
            f"return {item.id} is {item.state.value}: only a part taken in and booked is paid back",
            code="return_not_booked",
        )
    key = f"return:{item.id}"
    try:
        ledger = uow.documents.get(LoanLedger, item.party.key)
    except NotFound:
        raise PolicyError(f"return {item.id} is not under review", code="return_was_a_loan") from None
    surplus = next((s for s in ledger.surplus if s.key == key), None)
    if surplus is None:
        if any(c.key == key for c in ledger.surplus_closed):
            raise PolicyError(f"the review of return {item.id} is closed already", code="surplus_closed")
        raise PolicyError(
            f"return {item.id} came back against a loan: nothing was paid for it", code="return_was_a_loan"
        )
    request = uow.documents.get(MaterialsRequest, item.request_id)
    sheet, quote_id = request.charges, request.quote_id
    quote = sheet.quote(quote_id) if sheet is not None and quote_id is not None else None
    line = None
    if quote is not None:
        line = next(
            (
                ln
                for ln in quote.lines
                if ln.chargeable and ln.kind is ChargeKind.MATERIALS and ln.item == item.part
            ),
            None,
        )
    if sheet is None or quote is None or line is None:
        raise PolicyError(
            f"{item.part} was not charged on request {request.id}'s quote: nothing to pay back",
            code="part_not_paid",
        )
    slip, left = _purchase_slip(uow, request.ticket_id, quote.id, item.part)
    if left <= 0:
        raise PolicyError(f"slip {slip.id} was already paid back for {item.part}", code="already_refunded")
    if surplus.quantity > left:
        raise PolicyError(
            f"{surplus.quantity} × {item.part} came back, {left} paid and not yet paid back",
            code="exceeds_paid",
        )
    if not slip.is_paid:
        raise PolicyError(
            f"slip {slip.id} is not paid (received {slip.paid} of {slip.total}): nothing to pay back; "
            "cancel the slip and write it again for what is still charged",
            code="slip_not_paid",
        )
    facts: dict[str, str | int] = {
        "return_id": item.id,
        "part": item.part,
        "quantity": surplus.quantity,
        "slip_id": slip.id,
    }
    credit = FeeSlip(
        next_number(uow, "fee_slip", now), request.ticket_id, slip.customer_id, slip.currency, now,
        actor.ref, month, (attrs.evolve(line, quantity=surplus.quantity),), terms.method, InvoiceWish.NEVER,
        SlipOrigin.REFUND, slip.dealer_id, None, payer_kind=slip.payer_kind, payer_id=slip.payer_id,
        reasons=(Reason("refund_unused_part", facts),), credits_slip=slip.id,
    )  # fmt: skip
    credit.record_payment(SlipPayment(credit.total, terms.method, now, actor.ref, terms.reference))
    number = sum(1 for r in sheet.refunds if r.quote_id == quote.id) + 1
    sheet.record_refund(
        Payment(
            PaymentId(f"{quote.id}-R{number}"), QuoteId(quote.id), credit.total, now, actor.ref,
            terms.method, credit.id,
        )
    )  # fmt: skip
    closure = ledger.close_surplus(key, SurplusOutcome.INTO_STOCK, now, actor.ref, terms.reason)
    uow.documents.add(credit)
    uow.documents.save(request)
    uow.documents.save(ledger)
    stock_in(uow, closure, request.ticket_id)
    return UnusedRefund(credit, closure)
