"""The issue flow (发料, seed 002 一、发料): request, warranty check, quote, approval, shipping date,
picking, shipping, receipt, declining and cancelling a materials request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.charges import QuoteEscalation, QuoteId
from aftersales.domain.events import JsonValue
from aftersales.domain.fee_slips import FeeSlip, InvoiceRecord, InvoiceWish, MovementKind
from aftersales.domain.ids import DealerId
from aftersales.domain.materials import ItemKind, MaterialsLine, MaterialsRequest, PartyRef
from aftersales.domain.no_fault_parts import refuse_parts_for_no_fault
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket_workflow import MATERIALS_QUOTE_REFUSED, TicketState
from aftersales.errors import NotFound, PolicyError, ValidationError
from aftersales.policies.chargeability import ChargeOutcome
from aftersales.policies.decision import Decision
from aftersales.policies.escalation import EscalationFacts, EscalationTrigger
from aftersales.policies.fees import QuoteRequest
from aftersales.policies.warranty import WarrantyPhase
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.cancelled_quote_slips import quotes_owing_nothing
from aftersales.service.clock_skew import CLOCK_SKEW
from aftersales.service.escalation_reach import reach_up
from aftersales.service.fee_desk import FeeDesk
from aftersales.service.materials_base import MaterialsBase
from aftersales.service.materials_rules import (
    DESK_ACTOR,
    answering_dealer,
    charge_on_accepted_quotes,
    check_actor,
    check_party,
    refuse_cancelled,
)
from aftersales.service.payment_methods import check_method
from aftersales.service.permissions import MATERIALS_ROLES, authorize
from aftersales.service.record_words import notice_for
from aftersales.service.warranty_check import CHECKED, judge

__all__ = ["IssueFlow"]


def _no_fault(uow: UnitOfWork, request: MaterialsRequest, step: str) -> None:
    """Refuse ``step`` when the request's ticket found no fault (故障不属实): no part for it."""
    ticket = uow.tickets.get(request.ticket_id)
    refuse_parts_for_no_fault(ticket.id, ticket.fault_records, step)


@validated_commands
class IssueFlow(MaterialsBase):
    """Requests from filing to receipt (``desk.materials``)."""

    # -- the issue flow (发料) -------------------------------------------------------------------------

    def request(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        party: PartyRef,
        lines: Sequence[MaterialsLine],
        urgent: bool = False,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> MaterialsRequest:
        """File a materials request (售后服务材料需求表) on a ticket the actor may act on."""
        check_actor(actor)
        if not isinstance(party, PartyRef):
            raise ValidationError("party is a PartyRef", field="party")
        if not isinstance(urgent, bool):
            raise ValidationError("urgent is true or false", field="urgent", rule="true_or_false")
        lines = tuple(lines)
        if any(isinstance(line, MaterialsLine) and line.chargeable is not None for line in lines):
            # 确认其所需的材料是否在保修期内: the warranty check decides what is free (lent, its old part
            # owed back) and what is charged; a line marked by the requester would ship free off the loan
            # ledger, or be charged on the quote and again as kept.
            raise ValidationError(
                "a requested line does not say whether it is charged: the warranty check decides",
                field="lines",
            )

        self._check_priced(lines)

        def apply(uow: UnitOfWork, now: datetime) -> MaterialsRequest:
            # The ticket's lock: its cancellation on another desk (which calls off the requests it
            # finds) commits first or waits for this one, so no request is filed on a ticket
            # cancelled meanwhile and left pending for ever (PostgreSQL; SQLite queues writers).
            ticket = self.runner.load(uow, ticket_id, lock=True)
            authorize(actor, "materials_request", ticket, None, MATERIALS_ROLES["materials_request"])
            refuse_cancelled(ticket, "no materials are requested for it")
            refuse_parts_for_no_fault(ticket.id, ticket.fault_records, "requested")
            if ticket.state == TicketState.CLOSED:
                # The job was accepted and called back (验收 → 回访 → 结案): parts for a fault found
                # again go on the reopened ticket, whose clocks and history then account for them.
                raise PolicyError(
                    f"ticket {ticket.id} is closed: reopen it to request materials", code="ticket_closed"
                )
            check_party(uow, actor, party, ticket)
            request = MaterialsRequest.open(
                id=self._number(uow, "materials", now), ticket_id=ticket.id, party=party, lines=lines,
                at=now, by=actor.ref, urgent=urgent, note=note,
            )  # fmt: skip
            uow.documents.add(request)
            return request

        return self.runner.write(
            actor,
            "materials_request",
            idempotency_key,
            [ticket_id, party, lines, urgent, note],
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: self._request_seen(uow, actor, id),  # in scope still
        )

    def _check_priced(self, lines: Sequence[MaterialsLine]) -> None:
        """Refuse a part the price list (《零部件价格表》, the fees policy) does not price: a free part's
        receipt puts it on the loan ledger and the month's free issues at its cost, which failed
        (``NotFound``) once the warehouse had shipped it, leaving the request shipped for ever; a charged
        one's quote failed the same way (session 37)."""
        for line in lines:
            # A specially approved item (特批, a complaint's remedy) is neither lent nor quoted.
            if (
                isinstance(line, MaterialsLine)
                and line.kind is ItemKind.PART
                and line.special_approval is None
            ):
                try:
                    self.fees.part_price(line.part)
                except NotFound:
                    raise ValidationError(
                        f"part {line.part!r} is not on the parts price list",
                        field="lines",
                        rule="unknown_part",
                        rule_params={"part": line.part},
                    ) from None

    def check(
        self,
        actor: Actor,
        request_id: str,
        *,
        causes: Iterable[str] = (),
        component: str | None = None,
    ) -> MaterialsRequest:
        """Warranty check (是否在保修期内) by the chargeability policy; a free request gets its pick slip.

        Warranty is judged on the ticket's received-at local date with the unit's warranty extensions
        known now (a complaint remedy counts); the causes are the ticket's fault records' (``causes``
        adds any the caller knows beyond them); the visits decide callback rules as on the charge sheet
        (:func:`~aftersales.service.charge_facts.charging_visit`). Parts a service contract covering the
        unit on the call's day pays for are free, as the charge sheet makes them: one repair's part is
        never free on its sheet and quoted in materials. Each part is judged on the term of the component
        its fault record names (a ceramic body's own 5 years), ``component`` naming it for the parts no
        record names (:mod:`~aftersales.service.part_components`); free and charged parts in one request
        are ``PolicyError`` ``warranty_check_mixed``.
        """
        if isinstance(causes, str):
            raise ValidationError("causes is a collection of cause codes, not one string", field="causes")
        extra = tuple(causes)

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> MaterialsRequest:
            ticket = uow.tickets.get(request.ticket_id)
            refuse_parts_for_no_fault(ticket.id, ticket.fault_records, "checked")
            judged = judge(
                uow, ticket, request, warranty=self._warranty, chargeability=self.chargeability,
                extra_causes=extra, component=component, now=now,
            )  # fmt: skip
            chargeable, reasons = judged.chargeable, judged.reasons
            request.check(actor.ref, now, chargeable=chargeable, reasons=reasons, phase=judged.phase)
            if not chargeable:
                request.issue_pick_slip(actor.ref, now, self._number(uow, "pick_slip", now))
            payload: dict[str, JsonValue] = {
                "request_id": request.id,
                "chargeable": chargeable,
                "phase": judged.phase,
                "reasons": [
                    {"code": r.code, "params": dict(r.params)} for r in reasons
                ],  # rendered as any step's
                # What it was asked: its slip or quote is approved only while the same check decides alike.
                "asked": {"causes": list(extra), "component": component},
            }
            self._history(uow, ticket.id, CHECKED, actor, now, payload)
            return request

        result: MaterialsRequest = self._step(actor, request_id, "check", fn)
        return result

    def quote(self, actor: Actor, request_id: str) -> MaterialsRequest:
        """Price a chargeable request (parts at retail) and offer the quote to the user."""

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> MaterialsRequest:
            request.require_step("quote", actor.ref, now)  # a shipped request: its state, not its reasons
            _no_fault(uow, request, "quoted")
            self._still_holds(uow, request, now)
            parts: dict[str, int] = {}
            for line in request.lines:
                if line.kind is ItemKind.PART:
                    parts[line.part] = parts.get(line.part, 0) + line.quantity
            phase = WarrantyPhase(request.phase or WarrantyPhase.OUT_OF_WARRANTY.value)
            outcome = ChargeOutcome(bool(request.chargeable), False, False, False, phase)
            decision = Decision(outcome, request.steps[-1].reasons, getattr(self.chargeability, "name", ""))
            # The dealer buying the parts: the party, or the dealer whose own engineer receives them (a
            # maker's engineer's parts are quoted to the user at retail).
            answering = answering_dealer(uow, request.party)
            dealer = DealerId(answering) if answering is not None else None
            draft = self.fees.draft_quote(
                quote_id=QuoteId(f"Q-{request.id}"), ticket_id=request.ticket_id, dealer_id=dealer,
                handler=actor.ref, decision=decision, at=now,
                request=QuoteRequest(parts=parts, service_fee=False),
            )  # fmt: skip
            if dealer is not None:
                # A dealer buys from the maker at the maker's price to dealers (成本价), not at retail.
                lines = tuple(
                    attrs.evolve(ln, unit_price=self.fees.part_price(ln.item).cost) for ln in draft.lines
                )
                draft = attrs.evolve(draft, lines=lines, payer="dealer")
            request.quote(actor.ref, now, draft)
            payload: dict[str, JsonValue] = {
                "request_id": request.id,
                "quote_id": draft.id,
                "payer": draft.payer,
                "total": str(draft.total.amount),
                "currency": draft.currency,
            }
            self._history(uow, request.ticket_id, "materials_quoted", actor, now, payload)
            return request

        result: MaterialsRequest = self._step(actor, request_id, "quote", fn)
        return result

    def approve(
        self,
        actor: Actor,
        request_id: str,
        *,
        invoice: InvoiceWish = InvoiceWish.NEVER,
        payment_method: str | None = None,
    ) -> MaterialsRequest:
        """Approve the free pick slip, or record the user's acceptance of the quote (pick slip issued).

        ``invoice`` (a quote only): does its payer want an invoice for it — now (该次需开发票: requested
        with the quote's fee slip and handed to finance after the step committed), later (collected by
        ``desk.fees.request_invoice``, or ``desk.fees.request_dealer_invoice`` when the dealer buys from
        the maker) or never (存档即可).

        ``payment_method`` (a quote only, a code such as ``wechat``; ``cash`` when not given) is the way
        of paying agreed with the payer (与用户协商收费事宜,包括付款金额、付款方式), written on the quote's
        fee slip (填注付款方式信息) and the method :meth:`record_payment` records unless told another. On
        a free pick slip, which nobody pays, either (an invoice ``now`` or ``later``, a payment method) is
        a ``ValidationError`` naming it.

        The slip or quote is approved only on the facts its warranty check read (the unit's dates, the
        terms, the extensions, the fault records, the visit kind, the contract): once one has changed (a
        corrected purchase date, a complaint's extension, misuse found on site) it is ``PolicyError``
        ``warranty_check_stale`` and nothing changes — cancel the request and file the parts again.
        :meth:`quote` is refused alike.
        """
        try:
            wish = InvoiceWish(invoice)
        except ValueError:
            raise ValidationError(
                f"invoice is now, later or never, got {invoice!r}", field="invoice"
            ) from None
        if payment_method is not None:
            check_method(self.context, payment_method, "payment_method")
        fees = FeeDesk(self.context, self.runner)
        invoices: list[InvoiceRecord] = []
        slips: list[FeeSlip] = []

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> MaterialsRequest:
            invoices.clear()
            slips.clear()
            request.check_approver(actor.ref)  # by role first: the refusals below tell the request's facts
            _no_fault(uow, request, "approved")
            if request.quote_id is None and (payment_method is not None or wish is not InvoiceWish.NEVER):
                # Used or refused: a free pick slip has no fee slip to pay or invoice.
                field = "payment_method" if payment_method is not None else "invoice"
                raise ValidationError(
                    f"request {request.id} is free: nobody pays it, so it takes no {field.replace('_', ' ')}",
                    field=field,
                )
            self._still_holds(uow, request, now)
            number = None if request.pick_slip is not None else self._number(uow, "pick_slip", now)
            request.approve(actor.ref, now, number)
            if request.charges is not None and request.quote_id is not None:
                quote = request.charges.quote(request.quote_id)
                slip = self._quote_slip(uow, request, quote, actor, now, wish, payment_method or "cash")
                slips.append(slip)
                record = fees.invoice_now(uow, actor, now, slip)
                if record is not None:
                    invoices.append(record)
                if self.runner.load(uow, request.ticket_id, lock=True).waits_on_refused_quote:
                    # The ticket waited on the superior's decision about a refused quote; the user now
                    # accepts one (用户同意支付): the work goes on, as after the charge sheet's quote.
                    payload: dict[str, JsonValue] = {"request_id": request.id, "quote_id": request.quote_id}
                    reason = f"quote {request.quote_id} accepted"
                    self._history(
                        uow, request.ticket_id, "resume", actor, now, payload, reason, by=DESK_ACTOR
                    )
            return request

        result: MaterialsRequest = self._step(actor, request_id, "approve", fn)
        if invoices and slips:
            fees.send_requested(actor, slips[-1], invoices[-1])
        return result

    def confirm_date(self, actor: Actor, request_id: str, *, ship_on: date) -> MaterialsRequest:
        """Record the shipping date agreed with the user (not needed for urgent requests)."""

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> MaterialsRequest:
            request.confirm_date(actor.ref, now, ship_on, self.params.zone_name)
            return request

        result: MaterialsRequest = self._step(actor, request_id, "confirm_date", fn)
        return result

    def pick(self, actor: Actor, request_id: str) -> MaterialsRequest:
        """The warehouse has picked the parts (备料)."""

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> MaterialsRequest:
            request.pick(actor.ref, now)
            return request

        result: MaterialsRequest = self._step(actor, request_id, "pick", fn)
        return result

    def ship(self, actor: Actor, request_id: str) -> MaterialsRequest:
        """Ship with a shipping note: urgent at once, else on the confirmed date; paid parts once paid."""

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> MaterialsRequest:
            ticket = uow.tickets.get(request.ticket_id)  # not cancelled: see _request_for
            refuse_parts_for_no_fault(ticket.id, ticket.fault_records, "shipped")
            sheet = ticket.charges
            unpaid = sheet.unpaid_before_shipping(ln.part for ln in request.lines) if sheet else ()
            if unpaid:
                # A quote whose slips were all cancelled, unpaid, owes nothing: it holds nothing back.
                voided = quotes_owing_nothing(uow, ticket)
                unpaid = tuple(q for q in unpaid if q.id not in voided)
            if sheet is not None and unpaid:
                # 款到发货 holds for every accepted quote charging these parts, not only the one that filed
                # the request: the dealer's purchase from the maker is paid before the maker ships.
                owed = ", ".join(f"{q.id} ({q.payer}, paid {sheet.paid_on(q.id)})" for q in unpaid)
                raise PolicyError(
                    f"the parts of request {request.id} are paid before they ship: {owed}",
                    code="payment_before_shipping",
                )
            request.ship(
                actor.ref,
                now,
                self._number(uow, "shipping_note", now),
                self.params.zone_name,
                own_zone=self._own_zone,
            )
            return request

        result: MaterialsRequest = self._step(actor, request_id, "ship", fn)
        return result

    def receive(
        self, actor: Actor, request_id: str, *, repaired_at: datetime | None = None
    ) -> tuple[MaterialsRequest, tuple[Reason, ...]]:
        """The party received the parts: free parts go on its loan ledger, due back ``return_days`` after
        the repair (乙方需按时退回换下的配件: the old part comes out at the repair). ``repaired_at``: when
        the repair was done already; not given, the receipt stands in until the ticket is resolved after
        it, whose resolve moves the deadline (:mod:`~aftersales.service.repair_deadline`). Returns the
        request and the reasons for the lines left off the ledger."""

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> tuple[Reason, ...]:
            called_at = uow.tickets.get(request.ticket_id).received_at
            request.receive(actor.ref, now, repaired_at, called_at, CLOCK_SKEW)
            assert request.repaired_at is not None
            ledger, new = self._ledger(uow, request.party)
            due = self.return_deadline(request.repaired_at)
            entries, skipped = ledger.issue(
                request.id,
                request.lines,
                chargeable=bool(request.chargeable),
                at=now,
                by=actor.ref,
                due_at=due,
            )
            given = {e.part: e.quantity for e in entries}
            if entries and request.quote_id is None:
                # Received after the ticket's quote charging these parts was accepted: charged, not lent,
                # and not a free issue either (the quote's slip has them as income).
                ticket = uow.tickets.get(request.ticket_id)
                voided = quotes_owing_nothing(uow, ticket)
                for charged in charge_on_accepted_quotes(ticket, ledger, request.id, actor, now, voided):
                    given[charged.part] -= charged.quantity
            self._store_ledger(uow, ledger, new)
            if request.quote_id is None:
                # A quote's request: its free lines are on the quote's slip already (given, worth their
                # price); a free issue beside it would count the same part twice.
                self._movement(uow, MovementKind.ISSUED_FREE, request.ticket_id, request.party,
                               list(given.items()), actor, now)  # fmt: skip
            return skipped

        excluded: tuple[Reason, ...] = ()
        holder: list[MaterialsRequest] = []

        def wrapped(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> None:
            nonlocal excluded
            excluded = fn(uow, request, now)
            holder.append(request)

        self._step(actor, request_id, "receive", wrapped)
        return holder[0], excluded

    def decline(
        self, actor: Actor, request_id: str, *, reason: str, causes: Iterable[Reason] = ()
    ) -> tuple[MaterialsRequest, QuoteEscalation | None]:
        """Decline the request; a refused quote also returns the escalation to the handler's superior.

        A refused quote is handled as ``desk.charges.refuse`` handles one, in the same transaction: the
        pack's escalation (``escalation.targets.quote_refused``) names the roles whose staff are notified
        through the outbox, and the ticket's history records it — as ``materials_quote_refused``, which
        makes a ticket being worked wait (``awaiting_customer``) on the superior's decision, or as
        ``materials_declined`` on a ticket that is not being worked (new, resolved, closed). The office
        declining a request it will not serve is recorded as ``materials_declined`` and moves nothing.
        """
        holder: list[tuple[MaterialsRequest, QuoteEscalation | None]] = []

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> None:
            escalation = request.decline(actor.ref, now, reason, causes)
            policies = self.context.policies
            roles: tuple[Role, ...] = ()
            if escalation is not None:
                decision = policies.escalation.decide(
                    EscalationFacts(EscalationTrigger.QUOTE_REFUSED, escalation.reasons[0])
                )
                roles = decision.outcome.to
            payload: dict[str, JsonValue] = {"request_id": request.id, "quote_id": request.quote_id}
            if escalation is not None:
                payload["total"] = str(escalation.total.amount)
                payload["currency"] = escalation.total.currency
                payload["escalated_to"] = [r.value for r in roles]
                payload["reasons"] = [{"code": r.code, "params": dict(r.params)} for r in escalation.reasons]
            waiting = MATERIALS_QUOTE_REFUSED if escalation is not None else None
            ticket = self._history(
                uow, request.ticket_id, "materials_declined", actor, now, payload, reason, waiting=waiting
            )
            if escalation is not None:
                values = {
                    "ticket_id": request.ticket_id,
                    "level": roles[0] if roles else "",
                    "reason": escalation.reasons[0],
                }
                key = f"{request.id}:{len(request.steps)}:escalation:quote_refused"
                # A complaint's remedy part escalates in a complaint's words (投诉); the key is unchanged.
                kind = notice_for("escalation", ticket.kind)
                uow.outbox.put(reach_up(self.context.notifications, kind, roles, values, key, now).messages)
            holder.append((request, escalation))

        self._step(actor, request_id, "decline", fn)
        return holder[0]

    def cancel(self, actor: Actor, request_id: str, *, reason: str) -> MaterialsRequest:
        """Cancel a request that has not shipped.

        The fee slip of the desk's own quote goes with it — unless money was received on it or it is on
        an invoice: then it stays, with what was received, until :meth:`refund` pays it back on a credit
        slip (cancelled, the payment would vanish from the month's money received with nothing paid back).
        """

        def fn(uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> MaterialsRequest:
            request.cancel(actor.ref, now, reason)
            if request.charges is not None and request.quote_id is not None:
                # The slip of the materials desk's own quote goes with it (the sheet's slips stay: the
                # sheet's quote is still accepted).
                sheet = uow.tickets.get(request.ticket_id).charges
                on_sheet = {q.id for q in sheet.quotes} if sheet is not None else set()
                for slip in uow.documents.query(FeeSlip, ticket_id=request.ticket_id):
                    if slip.quote_id == request.quote_id and slip.is_active and slip.quote_id not in on_sheet:
                        if slip.payments or slip.invoice_id is not None:
                            continue  # paid or invoiced: it is credited by desk.materials.refund
                        slip.cancel(
                            actor.ref, now, f"materials request {request.id} cancelled: {reason}"[:500]
                        )
                        uow.documents.save(slip)
            return request

        result: MaterialsRequest = self._step(actor, request_id, "cancel", fn)
        return result
