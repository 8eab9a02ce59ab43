"""The money of a materials request (seed 002 材料收费, 款到发货): its quote's payment, the refund of a
cancelled paid request and of a paid part sent back unused."""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.charges import Payment, PaymentId, QuoteId
from aftersales.domain.events import JsonValue
from aftersales.domain.fee_slips import FeeSlip, InvoiceWish, MovementKind, SlipOrigin, SlipPayment
from aftersales.domain.materials import MaterialsRequest, PartReturn
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.domain.surplus_review import SurplusClosure
from aftersales.errors import PolicyError, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.charge_refunds import check_net_owed, credited_lines, slip_to_refund
from aftersales.service.maker_payments import check_payment_recorder
from aftersales.service.materials_base import MaterialsBase
from aftersales.service.materials_rules import answering_dealer, check_actor
from aftersales.service.numbering import next_number
from aftersales.service.payment_methods import check_method
from aftersales.service.permissions import MATERIALS_ROLES, check_role
from aftersales.service.unused_part_refund import RefundTerms, UnusedRefund, refund_unused

__all__ = ["MoneyFlow"]


@validated_commands
class MoneyFlow(MaterialsBase):
    """Payments and refunds of materials quotes (``desk.materials``)."""

    def record_payment(
        self, actor: Actor, request_id: str, *, amount: Money, method: str | None = None, reference: str = ""
    ) -> MaterialsRequest:
        """Record the payment of the quote (款到发货); ``method`` defaults to the way of paying agreed at
        :meth:`approve` (on the quote's fee slip), else ``transfer``. A dealer's purchase from the maker is
        confirmed by the maker's office, not by the dealer (``PermissionDenied``, rule
        ``maker_confirms_payment``)."""
        if method is not None:
            check_method(self.context, method, "method")

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> MaterialsRequest:
            if request.quote_id is None or request.charges is None:
                raise PolicyError("a free request takes no payment", code="free_needs_no_payment")
            sheet = uow.tickets.get(request.ticket_id).charges
            if sheet is not None and any(q.id == request.quote_id for q in sheet.quotes):
                # Filed by the charge sheet's quote: paid there, so the sheet, its slip and the request
                # agree (paid here, the parts shipped while the books showed nothing received).
                raise PolicyError(
                    f"request {request.id} is for quote {request.quote_id} of the ticket's charge sheet: "
                    "pay it with desk.charges.record_payment",
                    code="paid_on_the_charge_sheet",
                )
            quote = request.charges.quote(request.quote_id)
            if quote.payer == "dealer":  # 款到发货: the maker's office confirms its money arrived
                check_payment_recorder(
                    actor, "materials_record_payment", request.id, "dealer",
                    answering_dealer(uow, request.party), MATERIALS_WORKFLOW.spec("record_payment").roles,
                )  # fmt: skip
            number = len(request.charges.payments) + 1
            # The slip of this request's own quote (the sheet's quotes are paid through desk.charges).
            slips = list(uow.documents.query(FeeSlip, ticket_id=request.ticket_id))
            own = [slip for slip in slips if slip.quote_id == request.quote_id and slip.is_active]
            how = method if method is not None else (own[0].payment_method if own else "transfer")
            payment = Payment(
                PaymentId(f"{request.quote_id}-P{number}"), QuoteId(request.quote_id), amount, now, actor.ref,
                how, reference,
            )  # fmt: skip
            request.record_payment(actor.ref, now, payment)
            for slip in own:  # what its credit slips took back is not owed (the charge sheet's rule)
                check_net_owed(slips, slip, amount, request.quote_id)
                slip.record_payment(SlipPayment(amount, how, now, actor.ref, reference))
                uow.documents.save(slip)
            payload: dict[str, JsonValue] = {
                "request_id": request.id,
                "quote_id": request.quote_id,
                "amount": str(amount.amount),
                "currency": amount.currency,
            }
            self._history(uow, request.ticket_id, "materials_paid", actor, now, payload)
            return request

        result: MaterialsRequest = self._step(actor, request_id, "record_payment", fn)
        return result

    def refund(
        self, actor: Actor, request_id: str, *, reason: str, method: str = "transfer", reference: str = ""
    ) -> FeeSlip:
        """Pay back the quote of a request cancelled after its payer paid (款到发货: paid first, then the
        order was called off before the parts shipped), as the charge sheet's quotes are paid back
        (``desk.charges.refund``).

        The refund is a credit slip (:class:`~aftersales.domain.fee_slips.FeeSlip` of origin ``refund``,
        reason ``refund_request_cancelled``) naming the slip it credits: every charged line at the quote's
        prices, and as its payment what had been received (``method``, ``reference``), so the month it is
        written nets the sale out of income and money received. The quote's slip stays as it was; the
        request records the step (``refund``, the maker's office: the materials desk sells the maker's
        parts), the quote the money paid back, and the ticket's history ``materials_refunded`` with the
        invoice finance reverses (``invoice_to_reverse``) when the slip was invoiced.

        Refused, with nothing stored: a request not cancelled (``InvalidTransition``), a free one
        (``nothing_to_refund``), one filed by the charge sheet's quote (``refund_on_the_charge_sheet``:
        ``desk.charges.refund`` pays those back), one without an active slip (``no_slip``), already
        refunded (``already_refunded``); a blank or over-long ``reason`` (``ValidationError``).
        """
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise ValidationError("a refund needs a reason (at most 500 characters)", field="reason")
        check_method(self.context, method, "method")
        holder: list[FeeSlip] = []

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> None:
            holder.clear()
            ticket = uow.tickets.get(request.ticket_id)
            quote_id = request.quote_id
            if quote_id is None or request.charges is None:
                raise PolicyError(
                    f"request {request.id} charged nothing: nothing to pay back", code="nothing_to_refund"
                )
            if ticket.charges is not None and any(q.id == quote_id for q in ticket.charges.quotes):
                raise PolicyError(
                    f"request {request.id} is for quote {quote_id} of the ticket's charge sheet: pay it back "
                    "with desk.charges.refund",
                    code="refund_on_the_charge_sheet",
                )
            slip = slip_to_refund(uow, ticket.id, quote_id)
            # What an earlier partial refund of the slip took back (and paid back) is not again.
            lines, earlier = credited_lines(uow, slip, slip.charged_lines())
            owed_back = slip.paid - Money.total((c.paid for c in earlier), slip.currency)
            if not lines:
                raise PolicyError(f"slip {slip.id} was already refunded", code="already_refunded")
            number = next_number(uow, "fee_slip", now)
            facts = {
                "request_id": request.id,
                "quote_id": quote_id,
                "slip_id": slip.id,
                "credit_slip": number,
            }
            credit = FeeSlip(
                number, ticket.id, slip.customer_id, slip.currency, now, actor.ref,
                self._books_month(now), tuple(lines), method,
                InvoiceWish.NEVER, SlipOrigin.REFUND, slip.dealer_id, None, payer_kind=slip.payer_kind,
                payer_id=slip.payer_id, reasons=(Reason("refund_request_cancelled", facts),),
                credits_slip=slip.id,
            )  # fmt: skip
            paid_back: Payment | None = None
            if owed_back.amount > 0:
                credit.record_payment(SlipPayment(owed_back, method, now, actor.ref, reference))
                paid_back = Payment(
                    PaymentId(f"{quote_id}-R{len(earlier) + 1}"),
                    QuoteId(quote_id),
                    owed_back,
                    now,
                    actor.ref,
                    method,
                    credit.id,
                )
            request.refund(actor.ref, now, reason, credit.id, paid_back)
            uow.documents.add(credit)
            payload: dict[str, JsonValue] = {
                "request_id": request.id,
                "quote_id": quote_id,
                "slip_id": slip.id,
                "credit_slip": credit.id,
                "amount": str(credit.total.amount),
                "paid_back": str(credit.paid.amount),
                "currency": credit.currency,
                "invoice_to_reverse": slip.invoice_id,
            }
            self._history(uow, request.ticket_id, "materials_refunded", actor, now, payload, reason)
            holder.append(credit)

        self._step(actor, request_id, "refund", fn)
        return holder[-1]

    def refund_unused_part(
        self, actor: Actor, return_id: str, *, reason: str, method: str = "transfer", reference: str = ""
    ) -> UnusedRefund:
        """Pay back a paid part that came back unused (seed 002 退料 5: 与用户沟通，进行相关收费工作; 其他 3:
        相关费用及时与用户协商解决): the return ``return_id`` taken in at the receiving location and booked
        as surplus (已收费的材料不计入盘点表), of a part its request's accepted quote charged and whose slip
        was paid. Its purchase slip stays as it was until this refund, which writes a credit slip
        (reason ``refund_unused_part``) for the parts returned at the price sold, paid back by ``method``
        (``reference``), so the month it is written nets the sale out of income; records the money paid
        back on the quote; closes the surplus review with the part taken into stock at cost (the office's
        ``reason`` its note); and records ``materials_refunded`` in the ticket's history.

        The maker's office only. Refused, nothing stored: a return not booked (``return_not_booked``: one
        rejected at inspection is not taken back), one returned against a loan (``return_was_a_loan``),
        reviewed already (``surplus_closed``), a part its request's quote did not charge
        (``part_not_paid``), a slip not paid (``slip_not_paid``) or paid back already
        (``already_refunded``), more returned than paid (``exceeds_paid``); a blank ``reason``
        (``ValidationError``)."""
        check_actor(actor)
        check_role(actor, "refund_unused_part", return_id, MATERIALS_ROLES["refund_unused_part"])
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise ValidationError("a refund needs a reason (at most 500 characters)", field="reason")
        if not isinstance(reference, str) or len(reference) > 200:
            raise ValidationError("reference is text of at most 200 characters", field="reference")
        terms = RefundTerms(reason, method, reference)
        check_method(self.context, method, "method")  # the desk's ways of paying, checked first

        def stock_in(uow: UnitOfWork, closure: SurplusClosure, ticket_id: str) -> None:
            item = uow.documents.get(PartReturn, return_id)
            self._movement(uow, MovementKind.SURPLUS_INTO_STOCK, ticket_id, item.party,
                           [(closure.part, closure.quantity)], actor, closure.at)  # fmt: skip

        def apply(uow: UnitOfWork, now: datetime) -> UnusedRefund:
            item = uow.documents.get(PartReturn, return_id)
            # The ticket's lock before any number (the lock order of every ticket command).
            self.runner.load(uow, item.ticket_id, lock=True)
            done = refund_unused(uow, actor, now, return_id, terms, self._books_month(now), stock_in)
            credit = done.credit
            payload: dict[str, JsonValue] = {
                "request_id": item.request_id,
                "return_id": item.id,
                "slip_id": credit.credits_slip,
                "credit_slip": credit.id,
                "amount": str(credit.total.amount),
                "paid_back": str(credit.paid.amount),
                "currency": credit.currency,
            }
            self._history(uow, item.ticket_id, "materials_refunded", actor, now, payload, reason)
            return done

        return self.runner.write(
            actor, "refund_unused_part", None, [return_id, reason, method, reference], apply
        )
