"""The charges desk (``desk.charges``): the ticket's charge sheet, its quotes and the customer's answer.

Seed 002 (材料收费, 叫修处理流程, 分工与合作 3–4, 11): is the unit in warranty on the day the customer
called; does one of the five chargeable causes apply; price parts at the 《零部件价格表》 and the dealer's
own local fees; the customer accepts (领料单 is written; out of warranty the parts are paid before they
ship, 款到发货) or refuses (上报上级领导处理). The dealer buys the parts it charges for from the maker at
the maker's price to dealers (按成本价).

Every command goes through the desk's one command path (:meth:`ServiceDesk.execute`): permission from
the ticket workflow's roles, the clock read inside the transaction, the sheet replaced on the ticket with
an event, the outbox written in the same transaction. A command that raises changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.bounds import Bounds
from aftersales.domain.budget_drafts import BudgetDraft
from aftersales.domain.budgets import (
    CostBudget,
    OverrunApproval,
    budget_id,
    checked_category,
    checked_period,
)
from aftersales.domain.charges import (
    ChargeKind,
    ChargeLine,
    ChargeSheet,
    Payment,
    PaymentId,
    Quote,
    QuoteEscalation,
    QuoteId,
    QuoteState,
    SheetLine,
)
from aftersales.domain.fee_slips import (
    FeeSlip,
    InvoiceRecord,
    InvoiceWish,
    MaterialsMovement,
    MovementKind,
    SlipOrigin,
    SlipPayment,
)
from aftersales.domain.ids import DealerId
from aftersales.domain.loan_ledger import LoanLedger
from aftersales.domain.materials import MaterialsLine, MaterialsRequest, PartyKind, PartyRef, PickSlip
from aftersales.domain.money import Money
from aftersales.domain.no_fault_parts import refuse_parts_for_no_fault
from aftersales.domain.part_numbers import check_part_number
from aftersales.domain.reasons import Reason
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.text import CODE_PATTERN
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import (
    PURCHASE_REFUSED,
    QUOTE_REFUSED_UNWORKED,
)
from aftersales.errors import CurrencyMismatch, NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.policies.charge_assessment import ChargeFacts, assess_charges
from aftersales.policies.escalation import EscalationFacts, EscalationTrigger
from aftersales.policies.fees import FeesPolicy
from aftersales.policies.fees_currency import fees_currency
from aftersales.policies.warranty import WarrantyPhase
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.budget_approval import (
    approve_amount,
    approve_draft,
    refuse_own_draft,
    return_draft,
    write_draft,
)
from aftersales.service.charge_facts import (
    PHONE_GUIDANCE,
    assessed_facts,
    charging_visit,
    check_current,
    contract_on_call_day,
    phone_guidance_only,
    unit_extensions,
    visit_cover,
)
from aftersales.service.charge_refunds import RefundDetails, check_net_owed, refund_quote
from aftersales.service.context import DeskContext
from aftersales.service.escalation_reach import reach_up
from aftersales.service.fee_desk import FeeDesk
from aftersales.service.free_work_cost import take_back_free_work
from aftersales.service.maker_payments import check_payment_recorder
from aftersales.service.numbering import new_id, next_number
from aftersales.service.payment_methods import check_method
from aftersales.service.permissions import Workflow, check_role, permit
from aftersales.service.reader_view import request_as_seen_by
from aftersales.service.runner import Applied, CommandRunner
from aftersales.service.scope import acts_as_dealer_staff, purchasing_dealer, slip_as_seen_by

__all__ = ["AcceptedQuote", "ChargesDesk"]


# Automated steps of the materials request the desk files on acceptance are recorded as the system's.
_SYSTEM = ActorRef("charges_desk", Role.SYSTEM)

DISTANCE_KM = Bounds(1, 10_000)
"""``assess(distance_km=…)``: the travel distance a charge is priced on, in whole km."""

PART_QUANTITY = Bounds(1, 100_000)
"""``assess(parts={part: quantity})``: units of one part on a charge sheet (in the annotation, so the
boundary's check and :func:`_parts_arg` refuse the same values with one :class:`OutOfBounds`)."""


@attrs.frozen
class AcceptedQuote:
    """The answer to an accepted quote: the quote, the materials request with its pick slip (领料单), and
    the fee slip (售后服务材料收费暨报销单) the revenue and KPIs read."""

    quote: Quote
    materials_request: MaterialsRequest | None
    fee_slip: FeeSlip | None = None

    @property
    def pick_slip(self) -> PickSlip | None:
        """The pick slip written on acceptance (``None`` when the quote had no parts)."""
        return self.materials_request.pick_slip if self.materials_request else None

    @property
    def payment_before_shipping(self) -> bool:
        """Whether the parts ship only once paid (款到发货)."""
        return self.quote.payment_before_shipping


def _parts_arg(parts: Mapping[str, Annotated[int, PART_QUANTITY]] | None) -> dict[str, int] | None:
    if parts is None:
        return None
    if not isinstance(parts, Mapping):
        raise ValidationError("parts maps part numbers to quantities", field="parts")
    result: dict[str, int] = {}
    for part, quantity in parts.items():
        check_part_number(part, "parts")
        result[part] = PART_QUANTITY.check(quantity, "parts[]")
    return result


def _budget_id(budget: CostBudget | BudgetDraft) -> str:
    return budget.id


def _budget(uow: UnitOfWork, budget_id: str) -> CostBudget:
    found: CostBudget = uow.documents.get(CostBudget, budget_id)
    return found


def _draft(uow: UnitOfWork, draft_id: str) -> BudgetDraft:
    found: BudgetDraft = uow.documents.get(BudgetDraft, draft_id)
    return found


def _actor(actor: object) -> Actor:
    if not isinstance(actor, Actor):
        raise ValidationError("the first argument of every command is an Actor", field="actor")
    return actor


def _reason_json(reasons: Iterable[Reason]) -> list[Any]:
    return [{"code": r.code, "params": dict(r.params)} for r in reasons]


@validated_commands
class ChargesDesk:
    """Ticket-level charging over a :class:`~aftersales.service.desk.ServiceDesk` (``desk.charges``)."""

    def __init__(self, context: DeskContext, runner: CommandRunner, fees: FeeDesk) -> None:
        self.context = context
        self.runner = runner
        self.fee_desk = fees

    # -- policies --------------------------------------------------------------------------------------

    @property
    def _fees(self) -> FeesPolicy:
        return self.context.policies.fees

    @property
    def currency(self) -> str:
        """The desk's currency (the pack's ``fees.currency``, default ``CNY``; a host's fees policy names its
        own): budgets are set in it and the budget report reads in it unless asked for another."""
        return fees_currency(self._fees)

    @property
    def _cost_of(self) -> _CostOf:
        return _CostOf(self._fees, self.context.timezone)

    def _prepay(self, chargeable_parts: bool, phase: str) -> bool:
        params = getattr(self._fees, "params", None)
        if not chargeable_parts or params is None:
            return False
        return bool(params.prepay_all_chargeable_parts) or (
            bool(params.prepay_out_of_warranty_parts) and phase == WarrantyPhase.OUT_OF_WARRANTY.value
        )

    # -- assessment ------------------------------------------------------------------------------------

    def assess(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        parts: Mapping[str, Annotated[int, PART_QUANTITY]] | None = None,
        job_type: str | None = None,
        travel_zone: str | None = None,
        distance_km: Annotated[int, DISTANCE_KM] | None = None,
        service_fee: bool = True,
        idempotency_key: str | None = None,
    ) -> ChargeSheet:
        """Decide warranty and chargeability for the ticket and store its charge sheet (with an event).

        Warranty is judged on the ticket's received-at local date, per component, with the unit's
        warranty extensions known now (a complaint's remedy granted after the call counts, and its reason
        names the complaint). Causes come from the ticket's fault records; the callback rules apply when
        every visit of the ticket is a callback visit (:func:`charging_visit`). Lines: one per part
        (``parts``, default: the parts named by the fault records), the dealer's labour for ``job_type``
        (default: the triage's nature when the dealer's schedule prices it), travel to ``travel_zone`` or
        over ``distance_km``, and the dealer's service fee. Re-assessing replaces the sheet; the event's
        payload says what changed, and records what it was decided on (quotes on a sheet whose facts
        changed since are refused, ``assessment_stale``).
        """
        wanted = _parts_arg(parts)
        if not isinstance(service_fee, bool):
            raise ValidationError("service_fee is true or false", field="service_fee", rule="true_or_false")
        for name, value in (("job_type", job_type), ("travel_zone", travel_zone)):
            if value is not None and (not isinstance(value, str) or not CODE_PATTERN.fullmatch(value)):
                raise ValidationError(
                    f"{name} must be a snake_case code, got {value!r}", field=name, rule="snake_code"
                )
        if distance_km is not None:
            DISTANCE_KM.check(distance_km, "distance_km")
        if travel_zone is not None and distance_km is not None:
            raise ValidationError("give a travel zone or a distance, not both", field="travel_zone")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            if ticket.asset_id is None:
                raise PolicyError(
                    f"ticket {ticket.id} names no unit, so its warranty cannot be judged", code="no_asset"
                )
            asset = uow.assets.get(ticket.asset_id)
            product = uow.products.get(asset.product_id)
            extensions = unit_extensions(uow, asset.id)
            parts: dict[str, tuple[int, str | None]] = {}
            for record in ticket.fault_records:
                if record.part is not None:
                    count, component = parts.get(record.part, (0, record.component))
                    parts[record.part] = (count + 1, component)
            if wanted is not None:
                if wanted:  # 故障不属实: no part is charged for a fault that is not there
                    refuse_parts_for_no_fault(ticket.id, ticket.fault_records, "charged")
                parts = {p: (q, parts.get(p, (0, None))[1]) for p, q in wanted.items()}
            facts = ChargeFacts(
                asset, product, ticket.received_at, tuple(sorted({r.cause for r in ticket.fault_records})),
                charging_visit(ticket), parts, _dealer_of(ticket),
                job_type, ticket.assessment.nature if ticket.assessment else None, travel_zone, distance_km,
                service_fee, extensions,
            )  # fmt: skip
            policies = self.context.policies
            assessed = assess_charges(
                facts,
                warranty=policies.warranty,
                chargeability=policies.chargeability,
                fees=self._fees,
                now=now,
            )
            contract = contract_on_call_day(uow, asset, ticket)
            cover = visit_cover(uow, ticket)
            whole, lines = assessed.whole, _under_contract(contract, assessed.lines, cover is not None)
            by_phone = phone_guidance_only(ticket, policies.chargeability)
            if by_phone:
                lines = _by_phone(lines)
            if cover is not None and cover.used_up is not None:
                lines = _visits_used(cover.used_up, lines)
            sheet = (
                ticket.charges.copy() if ticket.charges is not None else ChargeSheet(ticket.id, self.currency)
            )
            changes = sheet.reassess(
                lines,
                at=now,
                by=actor.ref,
                phase=whole.outcome.phase.value,
                reasons=whole.reasons,
                policy=whole.policy,
            )
            payload: dict[str, Any] = {
                "revision": sheet.revision,
                "phase": sheet.phase,
                "currency": sheet.currency,
                "customer_total": str(sheet.customer_total.amount),
                "lines": len(sheet.lines),
                "changes": list(changes),
                "reasons": _reason_json(whole.reasons),
                # What it was decided on: a quote on this sheet is refused once one of them changes.
                "facts": dict(assessed_facts(ticket, asset, product, extensions, contract)),
            }
            if by_phone:
                payload["facts"][PHONE_GUIDANCE] = "true"
            why = (
                None
                if sheet.revision == 1
                else ("reassessed: " + "; ".join(changes) if changes else "reassessed")
            )
            ticket.record_charges(
                "assess_charges", actor.ref, now, sheet, reason=why[:2000] if why else None, payload=payload
            )
            return Applied(decisions=assessed.decisions)

        request = [wanted, job_type, travel_zone, distance_km, service_fee]
        result = self.runner.execute(
            actor, "assess_charges", ticket_id, apply, idempotency_key, request=request
        )
        sheet = result.ticket.charges
        assert sheet is not None
        return sheet

    def sheet(self, actor: Actor, ticket_id: str) -> ChargeSheet | None:
        """The ticket's charge sheet (``None`` before the first assessment), if ``actor`` may see it."""
        with self.context.store() as uow:
            ticket = self.runner.visible(uow, actor, ticket_id)
        sheet = self.runner.seen_by(actor, ticket).charges
        return sheet.copy() if sheet is not None else None

    # -- quotes ------------------------------------------------------------------------------------------

    @staticmethod
    def _sheet_of(ticket: Ticket) -> ChargeSheet:
        if ticket.charges is None or ticket.charges.assessed_at is None:
            raise PolicyError(
                f"ticket {ticket.id} has not been assessed: assess it first", code="not_assessed"
            )
        return ticket.charges.copy()

    def _offer(
        self,
        actor: Actor,
        ticket_id: str,
        payer: str,
        idempotency_key: str | None,
    ) -> Quote:
        holder: list[Quote] = []

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            sheet = self._sheet_of(ticket)
            if payer == "dealer":
                _check_purchaser(actor, ticket, "offer_quote", ticket.id)
            check_current(uow, ticket, self.context.policies.chargeability)
            if payer == "customer":
                lines = [line.line for line in sheet.lines]
                charged_parts = any(ln.chargeable and ln.kind is ChargeKind.MATERIALS for ln in lines)
            else:
                # The dealer buys from the maker, at the maker's price to dealers, the parts it charges
                # for; in warranty the maker supplies them free (分工与合作 3–4).
                lines = [
                    attrs.evolve(line.line, unit_price=line.dealer_cost)
                    for line in sheet.lines
                    if line.dealer_cost is not None
                ]
                charged_parts = any(ln.chargeable for ln in lines)
            requests = uow.documents.query(MaterialsRequest, ticket_id=ticket.id)
            lines, agreed = _not_yet_accepted(sheet, payer, lines, _materials_quotes(requests))
            if not any(ln.chargeable for ln in lines):
                already = f" beyond accepted quote {', '.join(agreed)}" if agreed else ""
                raise PolicyError(
                    f"nothing on ticket {ticket.id} is chargeable to the {payer}{already}: "
                    "no quote is needed",
                    code="nothing_to_charge",
                )
            charged_parts = charged_parts and any(
                ln.chargeable and ln.kind is ChargeKind.MATERIALS for ln in lines
            )
            for index, quote in enumerate(sheet.quotes):
                # A new quote to the same payer supersedes an unanswered one (it goes back to draft).
                if quote.payer == payer and quote.state is QuoteState.OFFERED:
                    sheet.quotes[index] = quote.revise(now, quote.handler)
            number = sum(1 for q in sheet.quotes if q.payer == payer) + 1
            prefix = "Q" if payer == "customer" else "PO"
            quote = Quote(
                id=QuoteId(f"{prefix}-{ticket.id}-{number}"),
                ticket_id=ticket.id,
                currency=sheet.currency,
                created_at=now,
                handler=actor.ref,
                lines=tuple(lines),
                payment_before_shipping=self._prepay(charged_parts, sheet.phase),
                reasons=sheet.reasons,
                policy=sheet.policy,
                payer=payer,
            )
            sheet.add_quote(quote)
            offered = sheet.offer(quote.id, now, actor.ref)
            payload = {
                "quote_id": offered.id,
                "payer": payer,
                "total": str(offered.total.amount),
                "currency": offered.currency,
                "payment_before_shipping": offered.payment_before_shipping,
            }
            ticket.record_charges("offer_quote", actor.ref, now, sheet, payload=payload)
            holder.append(offered)

        self.runner.execute(actor, "offer_quote", ticket_id, apply, idempotency_key, request=[payer])
        if not holder:  # replayed: the quote is the latest of this payer on the stored sheet
            sheet = self.sheet(actor, ticket_id)
            assert sheet is not None
            return [q for q in sheet.quotes if q.payer == payer][-1]
        return holder[0]

    def quote(self, actor: Actor, ticket_id: str, *, idempotency_key: str | None = None) -> Quote:
        """Offer the customer a quote from the sheet: parts at user prices, the dealer's local fees.

        Free lines stay on the quote (the customer sees what is free and why) but add nothing to its
        total. A quote needs at least one chargeable line (``nothing_to_charge``).
        """
        return self._offer(actor, ticket_id, "customer", idempotency_key)

    def dealer_purchase(self, actor: Actor, ticket_id: str, *, idempotency_key: str | None = None) -> Quote:
        """Quote the dealer's purchase of the sheet's parts from the maker, at the maker's price to dealers.

        Parts the customer gets free are on it free (the maker supplies them in warranty); out of warranty
        the pack's ``prepay_out_of_warranty_parts`` makes them payable before they ship (款到发货).
        """
        return self._offer(actor, ticket_id, "dealer", idempotency_key)

    def accept(
        self,
        actor: Actor,
        ticket_id: str,
        quote_id: str,
        *,
        urgent: bool = False,
        payment_method: str = "cash",
        invoice: InvoiceWish = InvoiceWish.NEVER,
        idempotency_key: str | None = None,
    ) -> AcceptedQuote:
        """The customer (or the dealer, for a purchase) accepts: the quote is accepted and, when it has
        parts, a materials request is filed with its pick slip (售后服务领料单) in the same transaction.
        Parts of a quote paid before shipping ship only once :meth:`record_payment` has cleared them.
        ``invoice``: the payer wants the invoice for this job now (该次需开发票: requested with the fee
        slip and handed to finance), later (collected by ``desk.fees.request_invoice``, or
        ``desk.fees.request_dealer_invoice`` for a dealer's purchase) or never. The dealer's purchase is
        invoiced to the dealer, never to the customer.
        """
        holder: list[AcceptedQuote] = []
        invoices: list[InvoiceRecord] = []
        if not isinstance(urgent, bool):
            raise ValidationError("urgent is true or false", field="urgent", rule="true_or_false")
        check_method(self.context, payment_method, "payment_method")  # the way of paying on its slip
        try:
            wish = InvoiceWish(invoice)
        except ValueError:
            raise ValidationError(
                f"invoice is now, later or never, got {invoice!r}", field="invoice"
            ) from None

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            sheet = self._sheet_of(ticket)
            if sheet.quote(quote_id).payer == "dealer":
                _check_purchaser(actor, ticket, "accept_quote", quote_id)
            check_current(uow, ticket, self.context.policies.chargeability)
            accepted = sheet.accept(quote_id, now, actor.ref)
            request = self._file_request(uow, ticket, accepted, actor, now, urgent)
            off_loan = _charge_off_loans(uow, ticket, accepted, actor, now, self._cost_of)
            slip = self._write_slip(uow, ticket, accepted, actor, now, payment_method, wish)
            invoice = self.fee_desk.invoice_now(uow, actor, now, slip)
            payload: dict[str, Any] = {
                "quote_id": accepted.id,
                "payer": accepted.payer,
                "total": str(accepted.total.amount),
                "payment_before_shipping": accepted.payment_before_shipping,
                "materials_request": request.id if request else None,
                "pick_slip": request.pick_slip.number if request and request.pick_slip else None,
                "fee_slip": slip.id,
                "invoice": invoice.id if invoice else None,
            }
            if off_loan:
                payload["off_loan"] = off_loan
            ticket.record_charges("accept_quote", actor.ref, now, sheet, payload=payload)
            if accepted.payer == "customer" and ticket.waits_on_refused_quote:
                # The ticket waited on the superior's decision about a refused quote (上报上级领导处理);
                # the customer has now agreed to pay (用户同意支付): the work goes on.
                ticket.step("resume", _SYSTEM, now, reason=f"quote {accepted.id} accepted")
            seen = request_as_seen_by(actor, request, ticket) if request is not None else None
            holder.append(AcceptedQuote(accepted, seen, slip_as_seen_by(actor, slip, ticket)))
            invoices[:] = [invoice] if invoice else []

        request = [quote_id, urgent, payment_method, wish.value]
        self.runner.execute(actor, "accept_quote", ticket_id, apply, idempotency_key, request=request)
        if not holder:  # replayed: rebuild the answer from what the first run stored
            with self.context.store() as uow:
                ticket = self.runner.visible(uow, actor, ticket_id)
                assert ticket.charges is not None
                quote = ticket.charges.quote(quote_id)
                requests = [
                    r
                    for r in uow.documents.query(MaterialsRequest, ticket_id=ticket_id)
                    if r.quote_id == quote_id
                ]
                slips = [
                    f for f in uow.documents.query(FeeSlip, ticket_id=ticket_id) if f.quote_id == quote_id
                ]
                seen = request_as_seen_by(actor, requests[0], ticket) if requests else None
            return AcceptedQuote(quote, seen, slip_as_seen_by(actor, slips[0], ticket) if slips else None)
        answer = holder[-1]  # the attempt that committed (a conflict retries apply)
        if invoices and answer.fee_slip is not None:  # 该次需开发票: the request goes to finance now
            answer = attrs.evolve(
                answer, fee_slip=self.fee_desk.send_requested(actor, answer.fee_slip, invoices[0])
            )
        return answer

    def _write_slip(
        self, uow: UnitOfWork, ticket: Ticket, quote: Quote, actor: Actor, now: datetime, method: str,
        wish: InvoiceWish,
    ) -> FeeSlip:  # fmt: skip
        """The fee slip of an accepted quote: its lines (free ones show what was given), owed by its payer."""
        dealer = quote.payer == "dealer"
        dealer_id = purchasing_dealer(ticket)
        if dealer and dealer_id is None:
            raise PolicyError(f"ticket {ticket.id} has no dealer to owe the purchase", code="no_dealer")
        # The customer's quote and the dealer's purchase list the same free part: the maker gave it once.
        costed = {
            ln.item
            for f in uow.documents.query(FeeSlip, ticket_id=ticket.id)
            if f.is_active and not f.is_credit
            for ln in f.costed_free_lines()
            if ln.kind is ChargeKind.MATERIALS
        }
        elsewhere = sorted(
            {ln.item for ln in quote.lines if not ln.chargeable and ln.kind is ChargeKind.MATERIALS} & costed
        )
        slip = FeeSlip(
            next_number(uow, "fee_slip", now), ticket.id, ticket.customer_id, quote.currency, now, actor.ref,
            self.fee_desk.month_of(now), quote.lines, method, wish, SlipOrigin.JOB, dealer_id,
            quote.id, payer_kind=quote.payer, payer_id=dealer_id if dealer else ticket.customer_id,
            reasons=quote.reasons, costed_elsewhere=tuple(elsewhere),
            cost_prices=_free_part_costs(ticket, quote),
        )  # fmt: skip
        uow.documents.add(slip)
        take_back_free_work(uow, ticket, slip, actor.ref, now)
        return slip

    def _number(self, uow: UnitOfWork, kind: str, now: datetime) -> str:
        return new_id(self.context.ids, uow, kind, now)

    def _file_request(
        self, uow: UnitOfWork, ticket: Ticket, quote: Quote, actor: Actor, now: datetime, urgent: bool
    ) -> MaterialsRequest | None:
        quotes = ticket.charges.quotes if ticket.charges else []
        earlier = [q for q in quotes if q.state is QuoteState.ACCEPTED]
        accepted = {q.id for q in earlier}
        # The customer's quote and the dealer's purchase are two papers for the same parts: one pick slip,
        # filed by whichever is accepted first. A supplementary quote (the sheet reassessed after an
        # accepted one) adds parts: its request holds what the payer's accepted quotes need beyond what
        # the requests already filed hold.
        wanted: dict[str, int] = {}
        charged: dict[str, int] = {}
        for paper in (*[q for q in earlier if q.payer == quote.payer and q.id != quote.id], quote):
            for ln in paper.lines:
                if ln.kind is ChargeKind.MATERIALS:
                    wanted[ln.item] = wanted.get(ln.item, 0) + ln.quantity
                    if ln.chargeable:
                        charged[ln.item] = charged.get(ln.item, 0) + ln.quantity
        for existing in uow.documents.query(MaterialsRequest, ticket_id=ticket.id):
            # A part already supplied for this job (issued free in warranty before the sheet made it
            # chargeable, or bought on the materials desk's own quote) is the part the quote now charges:
            # it is not picked a second time.
            if _supplies(existing, accepted):
                for held in existing.lines:
                    if held.part in wanted:
                        wanted[held.part] -= held.quantity
        # A quote mixing parts in and out of warranty: each line keeps its own charging (a free part is
        # lent, its old part owed back, free in the outbound; a charged one is sold).
        lines = []
        for part, count in wanted.items():
            if count <= 0:
                continue
            paid = min(count, charged.get(part, 0))
            if paid:
                lines.append(MaterialsLine(part, paid, chargeable=True))
            if count - paid:
                lines.append(MaterialsLine(part, count - paid, chargeable=False))
        if not lines:
            return None
        dealer_id = purchasing_dealer(ticket)
        if dealer_id is not None:
            party = PartyRef.dealer(dealer_id)
        elif ticket.assignee is not None and ticket.assignee.kind.value == "engineer":
            party = PartyRef.engineer(ticket.assignee.id)
        else:
            raise PolicyError(
                f"ticket {ticket.id} has no dealer or engineer to receive the parts",
                code="no_receiving_party",
            )
        request = MaterialsRequest.open(
            id=self._number(uow, "materials", now), ticket_id=ticket.id, party=party, lines=lines,
            at=now, by=quote.handler, urgent=urgent, note=f"quote {quote.id}",
        )  # fmt: skip
        # The warranty check was the assessment: record it as the system's step with the sheet's reasons.
        request.check(
            _SYSTEM,
            now,
            chargeable=True,
            reasons=quote.reasons,
            phase=ticket.charges.phase if ticket.charges else None,
        )
        draft = attrs.evolve(quote, state=QuoteState.DRAFT, offered_at=None, decided_at=None, decided_by=None)
        request.quote(quote.handler, now, draft)
        request.approve(actor.ref, now, self._number(uow, "pick_slip", now))
        uow.documents.add(request)
        return request

    def refuse(
        self,
        actor: Actor,
        ticket_id: str,
        quote_id: str,
        *,
        reason: str,
        causes: Iterable[Reason] = (),
        idempotency_key: str | None = None,
    ) -> QuoteEscalation:
        """The customer refuses: the pack's escalation (``escalation.targets.quote_refused``) is applied.

        The refusal and the escalation are recorded in the ticket's history, the named roles' staff are
        notified, and the ticket waits (``awaiting_customer``) on the superior's decision (上报上级领导处理).
        """
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("refusing a quote needs the customer's reason", field="reason")
        given = tuple(causes)
        if not all(isinstance(r, Reason) for r in given):
            raise ValidationError("causes are Reason values (code and parameters)", field="causes")
        holder: list[QuoteEscalation] = []

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            sheet = self._sheet_of(ticket)
            if sheet.quote(quote_id).payer == "dealer":
                _check_purchaser(actor, ticket, "refuse_quote", quote_id)
            escalation = sheet.refuse(quote_id, now, actor.ref, given)
            decision = self.context.policies.escalation.decide(
                EscalationFacts(EscalationTrigger.QUOTE_REFUSED, escalation.reasons[0])
            )
            roles = decision.outcome.to
            payload: dict[str, Any] = {
                "quote_id": escalation.quote_id,
                "total": str(escalation.total.amount),
                "currency": escalation.total.currency,
                "escalated_to": [r.value for r in roles],
                "handler": str(escalation.handler),
                "reasons": _reason_json(escalation.reasons),
            }
            # Waiting is for a ticket being worked; refused before work or after the repair, the
            # refusal is escalated and recorded all the same.
            allowed = ticket.workflow.allowed(ticket.state)
            trigger = PURCHASE_REFUSED if _is_purchase(sheet, quote_id) else "refuse_quote"
            if trigger not in allowed:
                trigger = QUOTE_REFUSED_UNWORKED
            ticket.record_charges(trigger, actor.ref, now, sheet, reason=reason, payload=payload)
            values = {
                "ticket_id": ticket.id,
                "level": roles[0] if roles else "",
                "reason": escalation.reasons[0],
            }
            key = f"{ticket.id}:{len(ticket.events)}:escalation:quote_refused"
            messages = reach_up(self.context.notifications, "escalation", roles, values, key, now).messages
            holder.append(escalation)
            return Applied(messages=tuple(messages), decisions=(decision,))

        request = [quote_id, reason, [{"code": r.code, "params": dict(r.params)} for r in given]]
        self.runner.execute(actor, "refuse_quote", ticket_id, apply, idempotency_key, request=request)
        if not holder:
            sheet = self.sheet(actor, ticket_id)
            assert sheet is not None
            return sheet.escalations[-1]
        return holder[0]

    # -- refunds ------------------------------------------------------------------------------------------

    def refund(
        self,
        actor: Actor,
        ticket_id: str,
        quote_id: str,
        *,
        reason: str,
        method: str = "cash",
        reference: str = "",
        idempotency_key: str | None = None,
    ) -> FeeSlip:
        """Pay back what a paid quote charged for lines the sheet has made free since (a complaint's
        warranty extension granted after the payment: 延长免费售后服务期).

        Reassess the ticket first (:meth:`assess`), so the sheet says what is free now and why. The
        refund is a credit slip (:class:`~aftersales.domain.fee_slips.FeeSlip` of origin ``refund``)
        naming the slip it credits and, when an extension made the lines free, the complaint that granted
        it (reason ``refund_warranty_extended``); it lists the credited lines at the quote's prices and
        records the money paid back (``method``, ``reference``): on a slip paid in part, only what was
        received beyond what the slip still charges once credited (a 250.00 slip paid 100.00 and credited
        in full pays back 100.00; the quote then owes nothing, :meth:`record_payment` refuses more). The
        paid slip stays as it was; the
        credit counts negative in the month it is written (income, money received). The ticket's history
        records it (``refund_quote``).

        On a cancelled ticket (the job called off after the customer paid) the whole quote is paid back
        (reason ``refund_ticket_cancelled``), unless its parts shipped (``parts_shipped``: they come back
        first; a cancelled ticket's request no longer ships).

        Refused, with nothing stored: a quote not accepted (``quote_not_accepted``), without an active
        slip (``no_slip``), whose slip nothing was received on (``slip_not_paid``: cancel the slip and
        write it again instead) or received less than it still charges once credited (``slip_not_paid``:
        that money is still owed), already refunded (``already_refunded``),
        or with nothing now free (``nothing_to_refund``); dealer staff refunding the dealer's own purchase
        from the maker (``PermissionDenied``); a blank or over-long ``reason`` (``ValidationError``).
        """
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise ValidationError("a refund needs a reason (at most 500 characters)", field="reason")
        if not isinstance(quote_id, str) or not quote_id:
            raise ValidationError("quote_id names a quote of the ticket", field="quote_id")
        check_method(self.context, method, "method")
        details = RefundDetails(reason, method, reference)
        holder: list[FeeSlip] = []

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            sheet = self._sheet_of(ticket)
            month = self.fee_desk.month_of(now)
            holder.append(refund_quote(uow, ticket, sheet, quote_id, actor, now, month, details))

        request = [quote_id, reason, method, reference]
        self.runner.execute(actor, "refund_quote", ticket_id, apply, idempotency_key, request=request)
        if not holder:  # replayed: the credit slip the first run wrote
            with self.context.store() as uow:
                ticket = self.runner.visible(uow, actor, ticket_id)
                slips = list(uow.documents.query(FeeSlip, ticket_id=ticket.id))
                originals = {f.id for f in slips if f.quote_id == quote_id}
                credits = [f for f in slips if f.credits_slip in originals]
            return credits[-1]
        return holder[-1]

    # -- budgets (seed 000: 费用预算, 超预算审批) -------------------------------------------------------

    def _approvers(self, action: str) -> frozenset[Role]:
        params = getattr(self._fees, "params", None)
        names = getattr(params, "budget_approvers", ("general_manager",))
        if action == "approve_overrun":  # seed 000: the department approves overruns, management budgets
            names = getattr(params, "overrun_approver_roles", names)
        return frozenset(Role(n) for n in names)

    def _budget_gate(self, actor: Actor, action: str, period: str, category: str, *, approvers: bool) -> None:
        """What every budget step checks first, in this order: the actor, the permission table, the pack's
        ``fees.budget_approvers`` (for the steps that approve or return; ``fees.overrun_approvers`` for an
        overrun), the period and the category."""
        _actor(actor)
        permit(actor, Workflow.DOCUMENTS, action, period)
        if approvers:
            check_role(actor, action, period, self._approvers(action))
        checked_period(period)
        checked_category(category)

    def _check_budget_amount(self, amount: object) -> None:
        """A budget's amount is Money in the desk's currency (``CurrencyMismatch`` naming ``amount``)."""
        if not isinstance(amount, Money):
            raise ValidationError("amount must be Money", field="amount", rule="money")
        if amount.currency != self.currency:
            raise CurrencyMismatch(self.currency, amount.currency, field="amount")

    def set_budget(
        self,
        actor: Actor,
        period: str,
        category: str,
        amount: Money,
        *,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CostBudget:
        """Set (or replace) the approved cost budget of ``category`` in ``period``; the approver is the
        actor, whose role must also be one of the pack's ``fees.budget_approvers``. Overruns stay, and
        the approval replaced is kept (``CostBudget.revisions``) for the audit. Whoever drafted the
        proposal awaiting approval there does not set it themselves (``PermissionDenied``, rule
        ``own_budget_draft``, as :meth:`approve_budget`). The amount is in the
        pack's currency (``fees.currency``: what the slips, the reports and the KPIs count in; another
        is ``CurrencyMismatch`` naming ``amount``).
        With ``idempotency_key`` a retried call returns the budget instead of approving it again."""
        self._budget_gate(actor, "set_budget", period, category, approvers=True)
        self._check_budget_amount(amount)

        def apply(uow: UnitOfWork, now: datetime) -> CostBudget:
            refuse_own_draft(uow, period, category, actor.ref)
            return approve_amount(uow, period, category, amount, note, actor.ref, now)

        request = [period, category, str(amount), note]
        return self.runner.write(
            actor, "set_budget", idempotency_key, request, apply, remember=_budget_id, reload=_budget
        )

    def approve_overrun(
        self,
        actor: Actor,
        period: str,
        category: str,
        amount: Money,
        *,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CostBudget:
        """Approve spending ``amount`` beyond the budget of ``category`` in ``period``, with a reason.
        The approver's role is one of the pack's ``fees.overrun_approvers`` (seed 000: the after-sales
        department analyses and approves overruns, 对超出预算的费用进行分析和审批), by default its
        ``fees.budget_approvers``.
        With ``idempotency_key`` a retried call returns the budget instead of recording the overrun
        twice."""
        self._budget_gate(actor, "approve_overrun", period, category, approvers=True)
        self._check_budget_amount(amount)  # in the budget's currency, as set_budget and draft_budget

        def apply(uow: UnitOfWork, now: datetime) -> CostBudget:
            approval = OverrunApproval(amount, reason, actor.ref, now)
            budget = uow.documents.get(CostBudget, budget_id(period, category))
            budget.approve_overrun(approval)
            return uow.documents.save(budget)

        request = [period, category, str(amount), reason]
        return self.runner.write(
            actor, "approve_overrun", idempotency_key, request, apply, remember=_budget_id, reload=_budget
        )

    def draft_budget(
        self,
        actor: Actor,
        period: str,
        category: str,
        amount: Money,
        *,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> BudgetDraft:
        """The after-sales department drafts (or revises) the budget of ``category`` in ``period`` for
        management to approve (seed 000: 编制…费用预算, 报公司管理层审批). A draft is never a budget the
        reports compare spending with: :meth:`approve_budget` makes it one. The amount is in the desk's
        currency (another is ``CurrencyMismatch`` naming ``amount``)."""
        self._budget_gate(actor, "draft_budget", period, category, approvers=False)
        self._check_budget_amount(amount)

        def apply(uow: UnitOfWork, now: datetime) -> BudgetDraft:
            return write_draft(uow, period, category, amount, note, actor.ref, now)

        request = [period, category, str(amount), note]
        return self.runner.write(
            actor, "draft_budget", idempotency_key, request, apply, remember=_budget_id, reload=_draft
        )

    def approve_budget(
        self, actor: Actor, period: str, category: str, *, idempotency_key: str | None = None
    ) -> CostBudget:
        """Management (the pack's ``fees.budget_approvers``) approves the draft awaiting it: from now on
        it is the budget of ``category`` in ``period`` (a budget approved before is revised, its
        approval kept). No draft is ``NotFound``; a draft not awaiting approval ``InvalidTransition``;
        whoever drafted or revised the proposal awaiting approval does not approve it (``PermissionDenied``,
        rule ``own_budget_draft``: the department draws it up, 报公司管理层审批 — another approver does)."""
        self._budget_gate(actor, "approve_budget", period, category, approvers=True)

        def apply(uow: UnitOfWork, now: datetime) -> CostBudget:
            return approve_draft(uow, period, category, actor.ref, now)

        return self.runner.write(
            actor, "approve_budget", idempotency_key, [period, category], apply,
            remember=_budget_id, reload=_budget,
        )  # fmt: skip

    def return_budget(
        self,
        actor: Actor,
        period: str,
        category: str,
        *,
        reason: str,
        idempotency_key: str | None = None,
    ) -> BudgetDraft:
        """Management sends the draft awaiting it back to the department with ``reason``; the
        department revises it (:meth:`draft_budget`). The budget in force, if any, is unchanged."""
        self._budget_gate(actor, "return_budget", period, category, approvers=True)

        def apply(uow: UnitOfWork, now: datetime) -> BudgetDraft:
            return return_draft(uow, period, category, reason, actor.ref, now)

        request = [period, category, reason]
        return self.runner.write(
            actor, "return_budget", idempotency_key, request, apply, remember=_budget_id, reload=_draft
        )

    def budget_drafts(self, actor: Actor, period: str) -> tuple[BudgetDraft, ...]:
        """The drafted budgets of ``period`` with their steps (whoever reads the budgets)."""
        _actor(actor)
        if actor.role not in self._approvers("set_budget") | self._approvers("approve_overrun"):
            permit(actor, Workflow.DOCUMENTS, "read_budgets", period)
        checked_period(period)
        with self.context.store() as uow:
            return tuple(uow.documents.query(BudgetDraft, period=period))

    def budgets(self, actor: Actor, period: str) -> tuple[CostBudget, ...]:
        """The budgets of ``period`` (office, managers, approvers and auditors); a malformed period is
        a ``ValidationError`` naming it."""
        _actor(actor)
        if actor.role not in self._approvers("set_budget") | self._approvers("approve_overrun"):
            permit(actor, Workflow.DOCUMENTS, "read_budgets", period)
        checked_period(period)
        with self.context.store() as uow:
            return tuple(uow.documents.query(CostBudget, period=period))

    def record_payment(
        self,
        actor: Actor,
        ticket_id: str,
        quote_id: str,
        *,
        amount: Money,
        method: str = "cash",
        reference: str = "",
        idempotency_key: str | None = None,
    ) -> ChargeSheet:
        """Record money received against an accepted quote (at most what is still owed on it).

        The materials request filed on acceptance is cleared for shipping in the same transaction.
        """
        if not isinstance(amount, Money):
            raise ValidationError("amount must be Money", field="amount", rule="money")
        check_method(self.context, method, "method")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            sheet = self._sheet_of(ticket)
            number = sum(1 for p in sheet.payments if p.quote_id == quote_id) + 1
            payment = Payment(
                PaymentId(f"{quote_id}-P{number}"),
                QuoteId(quote_id),
                amount,
                now,
                actor.ref,
                method,
                reference,
            )
            slips_all = list(uow.documents.query(FeeSlip, ticket_id=ticket.id))
            slips = [f for f in slips_all if f.quote_id == quote_id]
            if sheet.quote(quote_id).payer == "dealer":
                owing = [f.payer_id for f in slips if f.is_active and f.payer_kind == "dealer"]
                _check_purchaser(actor, ticket, "record_payment", quote_id, owing[0] if owing else None)
                # 款到发货: the maker's office confirms the money its dealer owes it, not the dealer.
                check_payment_recorder(
                    actor, "record_payment", quote_id, "dealer", owing[0] if owing else None, frozenset(Role)
                )
            sheet.record_payment(payment)
            active = [f for f in slips if f.is_active]
            if slips and not active:
                # The money would be on the sheet and in no slip: the month's figures would never see it.
                raise PolicyError(
                    f"the slip of quote {quote_id} was cancelled: write it again before taking payment",
                    code="slip_cancelled",
                )
            for slip in active:
                # A part payment paid back with the lines credited: the quote owes what is left net.
                check_net_owed(slips_all, slip, amount, quote_id)
                slip.record_payment(SlipPayment(amount, method, now, actor.ref, reference))
                uow.documents.save(slip)
            for request in uow.documents.query(MaterialsRequest, ticket_id=ticket.id):
                if request.quote_id == quote_id and request.charges is not None:
                    owed = request.charges.balance
                    if owed:
                        part = amount if amount <= owed else owed
                        request.record_payment(actor.ref, now, attrs.evolve(payment, amount=part))
                        uow.documents.save(request)
            payload = {"quote_id": quote_id, "amount": str(amount.amount), "currency": amount.currency}
            ticket.record_charges("record_payment", actor.ref, now, sheet, payload=payload)

        request = [quote_id, str(amount), method, reference]
        result = self.runner.execute(
            actor, "record_payment", ticket_id, apply, idempotency_key, request=request
        )
        sheet = result.ticket.charges
        assert sheet is not None
        return sheet


@attrs.frozen
class _CostOf:
    """The maker's cost of a part (the price list's cost, as the materials desk prices free issues) and
    the month a movement written now counts in: the books' zone (the desk's ``timezone``), as every
    slip and movement (``MaterialsDesk._books_month``), not the materials desk's own zone of shipping
    dates — a cost taken back on a quote counts in the month of the quote's slip."""

    fees: FeesPolicy
    timezone: str

    def __call__(self, part: str) -> Money:
        return self.fees.part_price(part).cost

    def month(self, at: datetime) -> str:
        return at.astimezone(ZoneInfo(self.timezone)).strftime("%Y-%m")


_CONTRACT_LINE = {
    ChargeKind.MATERIALS: "part",
    ChargeKind.LABOUR: "labour",
    ChargeKind.TRAVEL: "travel",
    ChargeKind.SERVICE_FEE: "fee",
}


def _under_contract(
    contract: ServiceContract | None, lines: tuple[SheetLine, ...], visit: bool = False
) -> tuple[SheetLine, ...]:
    """Lines ``contract`` (the one covering the unit on the call's local date) pays for become free.

    The reason names the contract; what the contract does not cover stays as chargeability decided.
    A maintenance visit the contract pays for (``visit``: one of its visits a year) is what the contract
    sells: its service fee is the contract's too (a repair's fee stays the customer's).
    """
    if contract is None:
        return lines
    why = Reason("service_contract", {"contract_id": contract.id})
    out = []
    for sheet_line in lines:
        line = sheet_line.line
        kind = _CONTRACT_LINE[line.kind]
        if line.chargeable and (contract.coverage.covers(kind) or (visit and kind == "fee")):
            sheet_line = attrs.evolve(
                sheet_line, line=attrs.evolve(line, chargeable=False), reasons=(*sheet_line.reasons, why)
            )
        out.append(sheet_line)
    return tuple(out)


_BY_PHONE = Reason("phone_guidance_no_fee")


def _by_phone(lines: tuple[SheetLine, ...]) -> tuple[SheetLine, ...]:
    """A call handled by phone guidance alone: labour, travel and the service fee are free, with the
    reason; parts stay as chargeability decided (seed 002 叫修处理流程: fees are computed after 现场检修).
    A line made free this way carries that reason alone: the warranty's "out of warranty: chargeable"
    beside it would contradict the free line the customer reads (session 37)."""
    out = []
    for sheet_line in lines:
        line = sheet_line.line
        if line.kind is not ChargeKind.MATERIALS and line.chargeable:
            sheet_line = attrs.evolve(
                sheet_line, line=attrs.evolve(line, chargeable=False), reasons=(_BY_PHONE,)
            )
        out.append(sheet_line)
    return tuple(out)


def _visits_used(contract: ServiceContract, lines: tuple[SheetLine, ...]) -> tuple[SheetLine, ...]:
    """A maintenance visit made after ``contract``'s visits of the year were used: its charged lines
    say why the contract does not pay (``service_contract_visits_used``)."""
    why = Reason(
        "service_contract_visits_used",
        {"contract_id": contract.id, "visits": contract.coverage.visits_per_year},
    )
    return tuple(
        attrs.evolve(line, reasons=(*line.reasons, why)) if line.line.chargeable else line for line in lines
    )


def _charge_off_loans(
    uow: UnitOfWork, ticket: Ticket, quote: Quote, actor: Actor, now: datetime, cost: _CostOf
) -> list[str]:
    """Take the parts an accepted quote charges off the loan ledger where this ticket's free requests lent
    them (已收费的材料不计入盘点表): charged, they are no longer owed back, and no chargeback follows.
    Their free issue's cost is taken back in this month's figures (a ``charged_on_quote`` movement at
    cost): the part is income on the quote's slip now, not also the maker's cost.
    Returns the issue lines settled (``<request>:<part>×<quantity>``)."""
    charged = quote.charged_parts
    settled: list[str] = []
    if not charged:
        return settled
    for request in uow.documents.query(MaterialsRequest, ticket_id=ticket.id):
        if request.quote_id is not None or request.chargeable is not False:
            continue
        try:
            ledger = uow.documents.get(LoanLedger, request.party.key)
        except NotFound:
            continue
        entries = ledger.charge_on_quote(request.id, charged, quote.id, at=now, by=actor.ref)
        for entry in entries:
            charged[entry.part] -= entry.quantity
            settled.append(f"{request.id}:{entry.part}×{entry.quantity}")
        if entries:
            uow.documents.save(ledger)
            lines = tuple(
                ChargeLine(ChargeKind.MATERIALS, e.part, cost(e.part), e.quantity, chargeable=False)
                for e in entries
            )
            party = request.party
            uow.documents.add(
                MaterialsMovement(
                    next_number(uow, "materials_movement", now), MovementKind.CHARGED_ON_QUOTE, ticket.id,
                    cost.month(now), now, actor.ref, lines,
                    party.id if party.kind is PartyKind.DEALER else None,
                )
            )  # fmt: skip
    return settled


def _is_purchase(sheet: ChargeSheet, quote_id: str) -> bool:
    """Whether ``quote_id`` is the dealer's purchase from the maker rather than the customer's quote."""
    return sheet.quote(quote_id).payer != "customer"


def _supplies(request: MaterialsRequest, accepted: set[QuoteId]) -> bool:
    """Whether ``request`` supplies its parts to the job: not cancelled or declined, and free, or
    charged on a quote that was accepted (the sheet's, or the materials desk's own)."""
    if request.state.value in ("cancelled", "declined"):
        return False
    if request.quote_id is None:
        return request.chargeable is False
    if request.quote_id in accepted:
        return True
    return request.charges is not None and any(q.state is QuoteState.ACCEPTED for q in request.charges.quotes)


def _materials_quotes(requests: Iterable[MaterialsRequest]) -> list[Quote]:
    """The accepted quotes of the ticket's materials requests priced on the materials desk (not copies of
    the sheet's quotes, which the sheet already holds)."""
    found: list[Quote] = []
    for request in requests:
        if request.charges is None or request.state.value in ("cancelled", "declined"):
            continue
        found.extend(
            q for q in request.charges.quotes if q.state is QuoteState.ACCEPTED and q.id == request.quote_id
        )
    return found


def _not_yet_accepted(
    sheet: ChargeSheet, payer: str, lines: list[ChargeLine], elsewhere: Iterable[Quote] = ()
) -> tuple[list[ChargeLine], list[str]]:
    """``lines`` less what the payer already accepted on this sheet, and the ids of those quotes.

    A quote after an accepted one (the sheet reassessed with a new part, or simply asked again) charges
    only the chargeable quantities no accepted quote of the same payer charges: an accepted quote is a
    contract, and the payer is not charged twice for one part or one visit's labour. ``elsewhere``: the
    accepted quotes of the ticket's materials requests (the materials desk's route), counted alike.
    """
    mine = {q.id for q in sheet.quotes}
    agreed = [q for q in sheet.quotes if q.payer == payer and q.state is QuoteState.ACCEPTED]
    agreed += [q for q in elsewhere if q.payer == payer and q.id not in mine]
    if not agreed:
        return lines, []
    taken: dict[tuple[ChargeKind, str], int] = {}
    for quote in agreed:
        for line in quote.lines:
            if line.chargeable:
                key = (line.kind, line.item)
                taken[key] = taken.get(key, 0) + line.quantity
    left: list[ChargeLine] = []
    for line in lines:
        key = (line.kind, line.item)
        if line.chargeable and taken.get(key, 0) > 0:
            covered = min(taken[key], line.quantity)
            taken[key] -= covered
            if covered == line.quantity:
                continue
            line = attrs.evolve(line, quantity=line.quantity - covered)
        left.append(line)
    return left, [q.id for q in agreed]


def _free_part_costs(ticket: Ticket, quote: Quote) -> dict[str, Money]:
    """The maker's price to dealers of the parts ``quote`` lists free at another price (the customer's
    quote shows them at the user's price): what the maker gave is worth its cost
    (保修期内甲方免费向乙方提供维修材料; 上海维娜斯仅按成本价向各特约承销商收取材料费), as the free issue of a
    repair free from the start and the dealer's purchase count it (:attr:`FeeSlip.cost_prices`)."""
    free = {
        ln.item: ln.unit_price for ln in quote.lines if not ln.chargeable and ln.kind is ChargeKind.MATERIALS
    }
    sheet = ticket.charges
    if not free or sheet is None:
        return {}
    costs: dict[str, Money] = {}
    for line in sheet.lines:
        item, cost = line.line.item, line.dealer_cost
        if item in free and cost is not None and cost.currency == quote.currency and cost != free[item]:
            costs[item] = cost
    return costs


def _dealer_of(ticket: Ticket) -> DealerId | None:
    """The dealer whose fee schedule prices the ticket's work (see :func:`purchasing_dealer`)."""
    dealer_id = purchasing_dealer(ticket)
    return DealerId(dealer_id) if dealer_id is not None else None


def _check_purchaser(
    actor: Actor, ticket: Ticket, action: str, target: str, dealer: str | None = None
) -> None:
    """The dealer's purchase from the maker (成本价; 保修期外甲方按成本价向乙方提供维修材料,款到发货) is
    between the maker and that dealer — ``dealer``, else the dealer whose job the ticket is
    (:func:`purchasing_dealer`): its staff or the office offer, answer and pay it. Another dealer's
    staff who read the ticket (the customer's own dealer, when the call went to another) may not commit
    it: ``PermissionDenied``, nothing changed."""
    if not acts_as_dealer_staff(actor):
        return
    owner = dealer if dealer is not None else purchasing_dealer(ticket)
    if owner is not None and owner != actor.dealer_id:
        raise PermissionDenied(
            str(actor), action, target, rule="other_dealers_purchase", facts={"dealer": owner}
        )
