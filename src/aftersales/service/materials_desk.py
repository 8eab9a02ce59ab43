"""The materials desk: parts requests on tickets, old-part returns, the loan ledgers, chargebacks.

``desk.materials`` (a ``MaterialsDesk(context, runner)``) works over the desk's store, clock and
policies. Requests, returns and ledgers are documents (optimistic concurrency). Every command runs
through the command runner, in one unit of work, and changes nothing when it raises.
Document numbers (pick slips, shipping notes, returns) come from ``ids`` (a callable ``kind → number``),
else the desk's ``IdGenerator``, else :func:`aftersales.service.numbering.next_number` in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.bounds import check_bounded
from aftersales.domain.charges import (
    ChargeKind,
    ChargeLine,
    Payment,
    PaymentId,
    Quote,
    QuoteEscalation,
    QuoteId,
    QuoteState,
)
from aftersales.domain.classification import TicketKind
from aftersales.domain.contact import Contact, zone
from aftersales.domain.events import JsonValue
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
from aftersales.domain.instants import require_aware
from aftersales.domain.loan_ledger import (
    ArrivedReturn,
    Chargeback,
    LedgerEntry,
    LoanLedger,
    OverdueItem,
    Reconciliation,
    SurplusItem,
)
from aftersales.domain.materials import (
    ItemKind,
    MaterialsLine,
    MaterialsRequest,
    OutboundSummary,
    PartReturn,
    PartyKind,
    PartyRef,
    outbound_summary,
)
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW, ReturnState
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.domain.return_relay import RelayedReturn, counted_quantity
from aftersales.domain.surplus_review import SurplusClosure, SurplusOutcome
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import MATERIALS_QUOTE_REFUSED, TicketState
from aftersales.errors import ConcurrencyConflict, NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.policies.chargeability import (
    ChargeabilityPolicy,
    ChargeOutcome,
)
from aftersales.policies.decision import Decision
from aftersales.policies.escalation import EscalationFacts, EscalationTrigger
from aftersales.policies.fees import FeesPolicy, QuoteRequest
from aftersales.policies.warranty import WarrantyPhase
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated, validated_commands
from aftersales.service.cancelled_quote_slips import quotes_owing_nothing
from aftersales.service.charge_refunds import credited_lines, slip_to_refund
from aftersales.service.clock_skew import CLOCK_SKEW, stamp_for
from aftersales.service.context import DeskContext
from aftersales.service.escalation_reach import reach_up
from aftersales.service.fee_desk import FeeDesk
from aftersales.service.judged_instant import judged_at
from aftersales.service.maker_payments import check_payment_recorder
from aftersales.service.materials_params import MaterialsParams
from aftersales.service.numbering import new_id, next_number
from aftersales.service.payment_methods import check_method
from aftersales.service.permissions import MATERIALS_ROLES, authorize, check_role
from aftersales.service.reader_view import request_as_seen_by
from aftersales.service.record_words import notice_for
from aftersales.service.return_relay import check_relay_location, count_relayed, hand_in, relays_in_transit
from aftersales.service.row_locks import lock_in_order
from aftersales.service.runner import CommandRunner
from aftersales.service.scope import acts_as_dealer_staff, purchasing_dealer, sees_every, ticket_readable
from aftersales.service.surplus_review import surplus_ticket
from aftersales.service.unused_part_refund import RefundTerms, UnusedRefund, refund_unused
from aftersales.service.warranty_check import CHECKED, judge, still_holds

__all__ = ["LedgerSummary", "MaterialsDesk", "MaterialsParams", "UnusedRefund"]

_SYSTEM = ActorRef("materials_desk", Role.SYSTEM)
"""Who a step the desk takes by itself is recorded as (the work resumed once a quote is accepted)."""

R = Role
_OFFICE = frozenset({R.AGENT, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER})
_FORWARD = frozenset({"check", "quote", "approve", "record_payment", "confirm_date", "pick", "ship"})
"""The steps that take a request towards shipping: none of them is taken for a job called off (a
cancelled ticket). Cancelling or declining the request, receiving what already shipped and paying back
a paid quote stay open."""
_USERS_ANSWER = frozenset({"approve", "decline", "record_payment"})
"""The steps by which staff record the user's answer to (or payment of) the user's quote."""


@attrs.frozen
class LedgerSummary:
    """A party's loan ledger as read: quantities out per part, totals, its chargebacks, and the surplus
    under review."""

    party: PartyRef
    balance: Mapping[str, int]
    issued: int
    returned: int
    charged: int
    lines: int
    chargebacks: tuple[Chargeback, ...]
    surplus: tuple[SurplusItem, ...] = ()
    """盘盈 awaiting the office's decision, oldest first: parts sent back or counted that were never lent
    (seed 002 退料 4–5: 盘盈盘亏分析, 与用户沟通); each closes by its ``key`` with
    :meth:`MaterialsDesk.close_surplus`."""

    @property
    def outstanding(self) -> int:
        """issued − returned − charged."""
        return self.issued - self.returned - self.charged


def _check_actor(actor: object) -> Actor:
    if not isinstance(actor, Actor):
        raise ValidationError("the first argument of every command is an Actor", field="actor")
    return actor


@validated_commands
class MaterialsDesk:
    """Materials commands and queries over one context and runner (``desk.materials``).

    ``chargeability`` and ``fees`` default to the desk's policies; quotes price parts at retail,
    chargebacks at cost (seed 002: the maker charges dealers at cost). ``params`` default to the
    desk's settings (``ServiceDesk.open(settings={"materials": MaterialsParams(...)})``).
    """

    def __init__(
        self,
        context: DeskContext,
        runner: CommandRunner,
        *,
        chargeability: ChargeabilityPolicy | None = None,
        fees: FeesPolicy | None = None,
        params: MaterialsParams | None = None,
        ids: Callable[[str], str] | None = None,
    ) -> None:
        self.context = context
        self.runner = runner
        self.chargeability: ChargeabilityPolicy = chargeability or context.policies.chargeability
        self.fees: FeesPolicy = fees or context.policies.fees
        self.params = (params or context.settings.materials_params).in_zone(context.timezone)
        self._ids = ids

    # -- plumbing ------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.context.now()

    @property
    def _own_zone(self) -> bool:
        """Whether shipping months are dated in a zone the materials settings name themselves, not in the
        books' (the desk's): such a month stays when the books move (``MaterialsRequest.shipped_zone``)."""
        if self.params.zone_name != self.context.timezone:
            return True
        named = self.context.settings.materials
        return named is not None and named.timezone is not None

    def _number(self, uow: UnitOfWork, kind: str, now: datetime) -> str:
        if self._ids is not None:
            return self._ids(kind)
        return new_id(self.context.ids, uow, kind, now)

    def _request_for(
        self, uow: UnitOfWork, actor: Actor, request_id: str, command: str, trigger: str
    ) -> MaterialsRequest:
        if not isinstance(request_id, str) or not request_id:
            raise ValidationError("a request id is a non-empty string", field="request_id")
        request = uow.documents.get(MaterialsRequest, request_id)
        # The ticket's lock first, before any number is taken: a step that takes a counter and then the
        # ticket (an accepted quote's slip, then the ticket's history) deadlocked on PostgreSQL with a
        # ticket command or a fee slip taking them the other way round; and the ticket is judged as
        # last committed (not cancelled meanwhile by another desk).
        ticket = self.runner.load(uow, request.ticket_id, lock=True)
        authorize(actor, command, ticket, None, MATERIALS_WORKFLOW.spec(trigger).roles)
        if trigger in _FORWARD:
            _refuse_cancelled(ticket, f"request {request.id} goes no further ({trigger} refused)")
        _check_dealer_side(uow, actor, request, trigger)
        return request

    @property
    def _warranty(self) -> Any:
        """The warranty policy the check judges by (the desk's, else the chargeability policy's own)."""
        warranty = self.context.policies.warranty
        return warranty if warranty is not None else getattr(self.chargeability, "warranty", None)

    def _still_holds(self, uow: UnitOfWork, request: MaterialsRequest, now: datetime) -> None:
        """Refuse (``warranty_check_stale``) a slip or quote whose check would now decide otherwise."""
        ticket = uow.tickets.get(request.ticket_id)
        still_holds(uow, ticket, request, warranty=self._warranty, chargeability=self.chargeability, now=now)

    def _step(
        self,
        actor: Actor,
        request_id: str,
        trigger: str,
        fn: Callable[[UnitOfWork, MaterialsRequest, datetime], Any],
    ) -> Any:
        _check_actor(actor)

        def apply(uow: UnitOfWork, now: datetime) -> Any:
            request = self._request_for(uow, actor, request_id, f"materials_{trigger}", trigger)
            result = fn(uow, request, now)
            uow.documents.save(request)
            return result

        return self.runner.write(actor, f"materials_{trigger}", None, request_id, apply)

    @staticmethod
    def _ledger(uow: UnitOfWork, party: PartyRef) -> tuple[LoanLedger, bool]:
        try:
            return uow.documents.get(LoanLedger, party.key), False
        except NotFound:
            return LoanLedger.for_party(party), True

    @staticmethod
    def _arrived(uow: UnitOfWork, party: PartyRef | None = None) -> dict[str, list[ArrivedReturn]]:
        """Returns registered at the receiving location and not yet booked, and parts in transit from a
        relay office, per party key: such parts are back with the maker even while they wait for the
        inspection or the count (:mod:`aftersales.service.return_relay`)."""
        found: dict[str, list[ArrivedReturn]] = {}
        for state in (ReturnState.REGISTERED, ReturnState.ACCEPTED):
            where: dict[str, str] = {"state": state.value}
            if party is not None:
                where["party_key"] = party.key
            for item in uow.documents.query(PartReturn, **where):
                found.setdefault(item.party_key, []).append(
                    ArrivedReturn(item.request_id, item.part, item.quantity, item.sent_back_at)
                )
        for key, items in relays_in_transit(uow, party).items():
            found.setdefault(key, []).extend(items)
        return found

    @staticmethod
    def _store_ledger(uow: UnitOfWork, ledger: LoanLedger, new: bool) -> None:
        if new:
            uow.documents.add(ledger)
        else:
            uow.documents.save(ledger)

    def _history(
        self,
        uow: UnitOfWork,
        ticket_id: str,
        step: str,
        actor: Actor | ActorRef,
        now: datetime,
        payload: Mapping[str, JsonValue],
        reason: str | None = None,
        *,
        waiting: str | None = None,
        by: ActorRef | None = None,
    ) -> Ticket:
        """Record a money step in the ticket's history (its event log, the 售后问题台账), in the same
        transaction as the step itself. Steps on a ticket whose workflow has no such event (a complaint
        file) are kept on the request only. ``waiting``: the step that also makes the ticket wait, used
        instead of ``step`` when the ticket's state allows it (a refused quote on a ticket being worked).
        ``by``: who the step is recorded as, when not the actor (the desk itself resuming the work).
        Returns the ticket: a step's notices name it by its kind (a complaint's part, its complaint)."""
        ticket = self.runner.load(uow, ticket_id, lock=True)
        if waiting is not None and waiting in ticket.workflow.allowed(ticket.state):
            step = waiting
        if step not in ticket.workflow.triggers:
            return ticket
        ref = by if by is not None else actor.ref if isinstance(actor, Actor) else actor
        before = ticket.state
        now = stamp_for(ticket, now)
        event = ticket.step(step, ref, now, reason=reason[:2000] if reason else None, payload=payload)
        if ticket.state != before and isinstance(actor, Actor):
            # The ticket moved (it now waits): its SLA clock, hooks and notifications follow, as after
            # any ticket command.
            uow.outbox.put(self.runner.settle_moved_ticket(uow, actor, ticket, before, (event,), now))
        uow.tickets.save(ticket)
        return ticket

    def _books_month(self, at: datetime) -> str:
        """The month a slip or a movement written at ``at`` counts in: the books' time zone (the desk's
        ``timezone``, as for every other slip), not the materials desk's own zone of shipping dates — a
        slip at 23:30 in London on 31 March is March's on the fee desk and must be here too."""
        return at.astimezone(zone(self.context.timezone)).strftime("%Y-%m")

    @validated  # public: ``repaired_at`` an aware datetime within YEAR_RANGE, or a ValidationError naming it
    def return_deadline(self, repaired_at: datetime) -> datetime:
        """The first instant an old part is late: "within N days" of the repair counts whole local days,
        so the part is on time through the end of the N-th day after the repair day, in the desk's zone."""
        return self.params.return_deadline(repaired_at)

    def _movement(
        self, uow: UnitOfWork, kind: MovementKind, ticket_id: str, party: PartyRef,
        parts: Sequence[tuple[str, int]], actor: Actor, now: datetime, slip_id: str | None = None,
    ) -> None:  # fmt: skip
        """Free issues and returns feed the fee desk's monthly lists (priced at cost, never charged),
        under the dealer that answers for the party: itself, or the dealer a lending engineer works for
        (乙方需按时退回换下的配件: its chargeback slip is that dealer's too); a maker's engineer's are the
        maker's."""
        lines = [
            ChargeLine(ChargeKind.MATERIALS, part, self._cost(part), quantity, chargeable=False)
            for part, quantity in parts
            if quantity > 0
        ]
        if not lines:
            return
        dealer = _answering_dealer(uow, party)
        month = self._books_month(now)
        uow.documents.add(
            MaterialsMovement(
                next_number(uow, "materials_movement", now), kind, ticket_id, month, now, actor.ref,
                tuple(lines), dealer, slip_id=slip_id,
            )
        )  # fmt: skip

    def _quote_slip(
        self, uow: UnitOfWork, request: MaterialsRequest, quote: Quote, actor: Actor, now: datetime,
        wish: InvoiceWish = InvoiceWish.NEVER, method: str = "cash",
    ) -> FeeSlip:  # fmt: skip
        """The fee slip (售后服务材料收费暨报销单) of a materials quote the payer accepted: the charged parts
        are sales income (售后服务销售收入的统计表为收费材料的清单), owed by the quote's payer (the dealer
        buying at the maker's price, or the user), with the way of paying agreed (``method``)."""
        ticket = uow.tickets.get(request.ticket_id)
        dealer = _answering_dealer(uow, request.party)
        slip = FeeSlip(
            next_number(uow, "fee_slip", now), ticket.id, ticket.customer_id, quote.currency, now, actor.ref,
            self._books_month(now), quote.lines,
            payment_method=method, invoice_wish=wish, origin=SlipOrigin.JOB, dealer_id=dealer,
            quote_id=quote.id, payer_kind=quote.payer,
            payer_id=dealer if quote.payer == "dealer" and dealer else ticket.customer_id,
            reasons=quote.reasons,
        )  # fmt: skip
        uow.documents.add(slip)
        return slip

    def _slip_for(self, uow: UnitOfWork, chargeback: Chargeback, actor: Actor, now: datetime) -> FeeSlip:
        """The fee slip of a part kept past its deadline, owed by the party that kept it (其他 3)."""
        customer: str = chargeback.party.id
        ticket_id: str = chargeback.key
        issued_free = False  # lent on a free request, whose free issue counted as the maker's cost
        if chargeback.request_id is not None:
            request = uow.documents.get(MaterialsRequest, chargeback.request_id)
            customer = uow.tickets.get(request.ticket_id).customer_id
            ticket_id = request.ticket_id
            issued_free = request.quote_id is None
        party, reasons = chargeback.party, chargeback.reasons
        payer = party
        if party.kind is PartyKind.ENGINEER:
            employer = _engineer_dealer(uow, party.id)
            if employer is not None:
                # 乙方需按时退回换下的配件: the dealer answers to the maker for what its own engineer kept;
                # the slip is the dealer's (its books, its monthly figures), and names the engineer.
                payer = PartyRef.dealer(employer)
                reasons = (
                    *reasons,
                    Reason("kept_by_dealer_engineer", {"engineer_id": party.id, "dealer_id": employer}),
                )
        slip = FeeSlip(
            next_number(uow, "fee_slip", now), ticket_id, customer, chargeback.line.unit_price.currency,
            now, actor.ref, self._books_month(now), (chargeback.line,),
            origin=SlipOrigin.UNRETURNED_MATERIALS,
            dealer_id=payer.id if payer.kind is PartyKind.DEALER else None,
            payer_kind=payer.kind.value, payer_id=payer.id, reasons=reasons,
        )  # fmt: skip
        uow.documents.add(slip)
        if issued_free:
            # Its free issue was the maker's cost; charged now, it is income on this slip instead.
            kept = [(chargeback.line.item, chargeback.line.quantity)]
            self._movement(uow, MovementKind.CHARGED_AS_KEPT, ticket_id, party, kept, actor, now, slip.id)
        if chargeback.request_id is not None:
            payload: dict[str, JsonValue] = {
                "request_id": chargeback.request_id,
                "part": chargeback.line.item,
                "quantity": chargeback.line.quantity,
                "amount": str(chargeback.line.amount.amount),
                "currency": chargeback.line.unit_price.currency,
                "payer": payer.key,
                "fee_slip": slip.id,
                "reasons": [r.code for r in reasons],
            }
            if payer != party:
                payload["kept_by"] = party.key
            self._history(uow, ticket_id, "part_charged_back", actor, now, payload)
        uow.outbox.put(self._charged_back_notice(uow, chargeback, ticket_id, slip, now))
        if payer != party:  # the dealer who pays is told too
            uow.outbox.put(self._charged_back_notice(uow, chargeback, ticket_id, slip, now, payer))
        return slip

    def _charged_back_notice(
        self, uow: UnitOfWork, chargeback: Chargeback, ticket_id: str, slip: FeeSlip, now: datetime,
        to: PartyRef | None = None,
    ) -> list[OutboxMessage]:  # fmt: skip
        """Tell the party that kept the part what it is charged and why (seed 002 退料: 与用户沟通,进行相关
        收费工作): its dealer's or its engineer's contact, in its locale; nothing if it has none. ``to``:
        another party to tell (the dealer paying for its engineer)."""
        party = chargeback.party if to is None else to
        contact = _contact_of(uow, party)
        if contact is None:
            return []
        due = chargeback.reasons[0].params.get("due_at") if chargeback.reasons else None
        values: dict[str, object] = {
            "ticket_id": ticket_id,
            "part": chargeback.line.item,
            "quantity": chargeback.line.quantity,
            "amount": chargeback.line.amount,
            "due_at": datetime.fromisoformat(due) if isinstance(due, str) else now,
            "fee_slip": slip.id,
        }
        return self.context.notifications.contact_messages(
            "part_charged_back",
            party.kind.value,
            contact,
            values,
            f"part_charged_back:{chargeback.key}" + ("" if to is None else f":{to.key}"),
            now,
        )

    def _cost(self, part: str) -> Money:
        return self.fees.part_price(part).cost

    @staticmethod
    def _check_party_scope(uow: UnitOfWork, actor: Actor, party: PartyRef) -> None:
        """The office, auditors and jobs read every party's loan ledger; dealer staff their dealer's and
        its engineers' (they file parts onto them: :func:`_check_party`), an engineer their own. Any of
        the actor's roles may grant it."""
        if sees_every(actor, MATERIALS_ROLES["outbound_summary"]):
            return
        dealer_staff = actor.has_role(R.DEALER_STAFF) and actor.dealer_id is not None
        if party.kind is PartyKind.DEALER:
            if dealer_staff and party.id == actor.dealer_id:
                return
        else:
            if actor.has_role(R.ENGINEER) and party.id == (actor.engineer_id or actor.id):
                return
            if dealer_staff and _engineer_dealer(uow, party.id) == actor.dealer_id:
                return
        raise PermissionDenied(str(actor), "loan_ledger", party.key, rule="other_party_loans")

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
        _check_actor(actor)
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

        def apply(uow: UnitOfWork, now: datetime) -> MaterialsRequest:
            # The ticket's lock: its cancellation on another desk (which calls off the requests it
            # finds) commits first or waits for this one, so no request is filed on a ticket
            # cancelled meanwhile and left pending for ever (PostgreSQL; SQLite queues writers).
            ticket = self.runner.load(uow, ticket_id, lock=True)
            authorize(actor, "materials_request", ticket, None, MATERIALS_ROLES["materials_request"])
            _refuse_cancelled(ticket, "no materials are requested for it")
            if ticket.state == TicketState.CLOSED:
                # The job was accepted and called back (验收 → 回访 → 结案): parts for a fault found
                # again go on the reopened ticket, whose clocks and history then account for them.
                raise PolicyError(
                    f"ticket {ticket.id} is closed: reopen it to request materials", code="ticket_closed"
                )
            _check_party(uow, actor, party, ticket)
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
                "reasons": [r.code for r in reasons],
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
            answering = _answering_dealer(uow, request.party)
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
                    self._history(uow, request.ticket_id, "resume", actor, now, payload, reason, by=_SYSTEM)
            return request

        result: MaterialsRequest = self._step(actor, request_id, "approve", fn)
        if invoices and slips:
            fees.send_requested(actor, slips[-1], invoices[-1])
        return result

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
                    _answering_dealer(uow, request.party), MATERIALS_WORKFLOW.spec("record_payment").roles,
                )  # fmt: skip
            number = len(request.charges.payments) + 1
            # The slip of this request's own quote (the sheet's quotes are paid through desk.charges).
            own = [
                slip
                for slip in uow.documents.query(FeeSlip, ticket_id=request.ticket_id)
                if slip.quote_id == request.quote_id and slip.is_active
            ]
            how = method if method is not None else (own[0].payment_method if own else "transfer")
            payment = Payment(
                PaymentId(f"{request.quote_id}-P{number}"), QuoteId(request.quote_id), amount, now, actor.ref,
                how, reference,
            )  # fmt: skip
            request.record_payment(actor.ref, now, payment)
            for slip in own:
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
                for charged in _charge_on_accepted_quotes(ticket, ledger, request.id, actor, now, voided):
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

    # -- returns (退料) ------------------------------------------------------------------------------------

    def record_free_issue(
        self, actor: Actor, ticket_id: str, lines: Iterable[ChargeLine], *, idempotency_key: str | None = None
    ) -> MaterialsMovement:
        """Record materials issued free of charge for a job (in warranty), priced at cost.

        The same command as ``desk.fees.record_free_issue`` (it feeds the monthly free-materials list):
        one record, one idempotency key scope, whichever desk the host calls it through.
        """
        return FeeDesk(self.context, self.runner).record_free_issue(
            actor, ticket_id, lines, idempotency_key=idempotency_key
        )

    def register_return(
        self,
        actor: Actor,
        *,
        request_id: str,
        part: str,
        quantity: int = 1,
        location: str | None = None,
        idempotency_key: str | None = None,
    ) -> PartReturn:
        """Register an old part arrived at the receiving location (the only place returns are taken in).

        With ``idempotency_key`` a retried call returns the first registration instead of a second one.
        """
        _check_actor(actor)
        check_role(actor, "register_return", request_id, MATERIALS_ROLES["register_return"])
        place = self.params.receiving_location if location is None else location
        if place != self.params.receiving_location:
            raise PolicyError(
                f"returns are registered at {self.params.receiving_location} only, not {place!r}",
                code="not_the_receiving_location",
            )

        def apply(uow: UnitOfWork, now: datetime) -> PartReturn:
            request = uow.documents.get(MaterialsRequest, request_id)
            # A part never lent on this request is still taken in: booking records it as surplus for review.
            item = PartReturn(
                self._number(uow, "part_return", now), request.id, request.ticket_id, request.party, part,
                quantity, place, now, actor.ref,
            )  # fmt: skip
            uow.documents.add(item)
            return item

        return self.runner.write(
            actor,
            "register_return",
            idempotency_key,
            [request_id, part, quantity, place],
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(PartReturn, id),
        )

    def relay_return(
        self,
        actor: Actor,
        *,
        request_id: str,
        part: str,
        quantity: int = 1,
        via: str = "shanghai",
        idempotency_key: str | None = None,
    ) -> RelayedReturn:
        """Record old parts a party handed in at a relay office (seed 002 退料 2 b: 若由于运输的需要，上海
        可参与中转), declared ``quantity`` of ``part`` for ``request_id``. They are in transit, not
        returned: the receiving location counts them (:meth:`count_relayed_return`), and only what it
        counts is returned (所有退料信息以台州为唯一窗口). Handed in before the line's deadline, they are
        not charged as kept meanwhile. ``via`` not a relay office: ``PolicyError``
        ``not_a_relay_location``. Replayable by ``idempotency_key``."""
        _check_actor(actor)
        check_role(actor, "relay_return", request_id, MATERIALS_ROLES["relay_return"])
        draft = RelayedReturn(
            "draft", "draft", "draft", PartyRef.dealer("draft"), part, quantity, via, self._now(), actor.ref
        )  # the values checked (field and rule named) before anything runs
        check_relay_location(self.params, draft.via)

        def apply(uow: UnitOfWork, now: datetime) -> RelayedReturn:
            return hand_in(
                uow, self._number, actor, now, request_id=request_id, part=part, quantity=quantity, via=via
            )

        return self.runner.write(
            actor,
            "relay_return",
            idempotency_key,
            [request_id, part, quantity, via],
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(RelayedReturn, id),
        )

    def count_relayed_return(self, actor: Actor, relay_id: str, *, counted: int) -> RelayedReturn:
        """The receiving location took a relay's parts in and counted ``counted`` (seed 002 退料 3: 台州
        售后服务处收到用户的退料后进行实物盘点): the return is registered there for that quantity (its
        ``PartReturn``, named by ``return_id``, is inspected and booked as any return), sent back when the
        parts were handed in; fewer than declared (``relay_count_short``) leaves the rest out on the
        loan, charged as kept once due; more than declared (``relay_count_over``) is registered as counted
        — the physical count stands — and its booking makes what is beyond the loan surplus for review
        (盘盈, 退料 4). Counted once (``PolicyError`` ``relay_counted``)."""
        _check_actor(actor)
        check_role(actor, "count_relayed_return", relay_id, MATERIALS_ROLES["count_relayed_return"])
        counted_quantity(counted)

        def apply(uow: UnitOfWork, now: datetime) -> RelayedReturn:
            return count_relayed(
                uow, self._number, actor, now, self.params, relay_id=relay_id, counted=counted
            )

        return self.runner.write(actor, "count_relayed_return", None, [relay_id, counted], apply)

    def relayed_return(self, actor: Actor, relay_id: str) -> RelayedReturn:
        """A relay, if ``actor`` may see its party's ledger; otherwise ``NotFound``, as an unknown id."""
        _check_actor(actor)
        with self.context.store() as uow:
            relay = uow.documents.get(RelayedReturn, relay_id)
            try:
                self._check_party_scope(uow, actor, relay.party)
            except PermissionDenied:
                raise NotFound(RelayedReturn.DOCUMENT_KIND, relay_id) from None
        return relay

    def inspect_return(
        self, actor: Actor, return_id: str, *, accepted: bool, reason: Reason | str | None = None
    ) -> PartReturn:
        """Inspection: accepted, or rejected with a reason code (e.g. ``not_the_replaced_part``)."""
        _check_actor(actor)
        check_role(actor, "inspect_return", return_id, MATERIALS_ROLES["inspect_return"])
        try:
            why = Reason(reason) if isinstance(reason, str) else reason
        except ValidationError as exc:  # the code's own rule, named as the argument it came in
            raise ValidationError(f"reason: {exc}", field="reason") from None

        def apply(uow: UnitOfWork, now: datetime) -> PartReturn:
            item = uow.documents.get(PartReturn, return_id)
            item.inspect(actor.ref, now, accepted=accepted, reason=why)
            uow.documents.save(item)
            return item

        return self.runner.write(actor, "inspect_return", None, [return_id, accepted, why], apply)

    def book_return(self, actor: Actor, return_id: str, *, expected_version: int | None = None) -> PartReturn:
        """Book an accepted return into the party's loan ledger, once.

        ``expected_version`` is the version the clerk saw; a return changed since (another clerk booked
        it) raises ``ConcurrencyConflict``. Two simultaneous bookings meet the store's version check.
        """
        _check_actor(actor)
        check_role(actor, "book_return", return_id, MATERIALS_ROLES["book_return"])

        def apply(uow: UnitOfWork, now: datetime) -> PartReturn:
            item = uow.documents.get(PartReturn, return_id)
            if expected_version is not None and item.version != expected_version:
                raise ConcurrencyConflict(PartReturn.DOCUMENT_KIND, return_id, expected_version, item.version)
            ledger, new = self._ledger(uow, item.party)
            entry, _surplus = ledger.receive_return(
                item.id, item.request_id, item.part, item.quantity, now, actor.ref
            )
            item.book(actor.ref, now, f"return:{item.id}")
            uow.documents.save(item)
            self._store_ledger(uow, ledger, new)
            if entry is not None:
                self._movement(uow, MovementKind.RETURNED, item.ticket_id, item.party,
                               [(entry.part, entry.quantity)], actor, now)  # fmt: skip
            return item

        return self.runner.write(actor, "book_return", None, [return_id, expected_version], apply)

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
        _check_actor(actor)
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

    # -- ledger jobs ----------------------------------------------------------------------------------

    def run_overdue_chargebacks(
        self, actor: Actor, at: datetime | None = None, *, limit: int | None = None
    ) -> tuple[Chargeback, ...]:
        """Charge every part not back by its deadline at the price list's cost, once per issue line.

        Safe to run as often as wanted: a line already charged is skipped (deterministic booking keys).
        ``at``: the instant the deadlines are judged at (the job's ``now``), not ahead of the clock
        (``ValidationError`` naming ``at``). ``limit`` charges that many lines in this run while that many
        are overdue (the ``chargebacks`` job passes its own: a bounded batch; the lines left are charged
        by the next run); a line another run charged meanwhile does not count against it.
        """
        _check_actor(actor)
        check_role(actor, "run_overdue_chargebacks", None, MATERIALS_ROLES["run_overdue_chargebacks"])
        if at is not None:
            require_aware(at, "at")
        _check_run_limit(limit)

        def apply(uow: UnitOfWork, now: datetime) -> tuple[Chargeback, ...]:
            when = judged_at(at, now)  # ahead of the clock a part would be charged before its deadline
            held: set[str] = set()
            # The tickets charged on are locked first, in id order, then the ledgers read again as last
            # committed: a ledger row and the fee-slip counter taken before a ticket's lock deadlocked
            # on PostgreSQL with a ticket command taking them the other way round. Every ledger is read
            # again, not only those planned: a line charged meanwhile (a run on another desk) leaves
            # room under ``limit`` for the next overdue line, which the run charges instead.
            planned = self._overdue(uow.documents.query(LoanLedger), when, actor, self._arrived(uow), limit)
            self._lock_charged(uow, [c for _, new in planned for c in new], held)
            fresh = uow.documents.query(LoanLedger)
            charged = self._overdue(fresh, when, actor, self._arrived(uow), limit)
            made = [c for _, new in charged for c in new]
            self._lock_charged(uow, made, held)  # a ledger changed meanwhile: rare
            for ledger, _ in charged:
                uow.documents.save(ledger)
            for chargeback in made:
                self._slip_for(uow, chargeback, actor, now)
            return tuple(made)

        return self.runner.write(actor, "run_overdue_chargebacks", None, [at, limit], apply)

    def _overdue(
        self,
        ledgers: Iterable[LoanLedger],
        when: datetime,
        actor: Actor,
        arrived: Mapping[str, Sequence[ArrivedReturn]],
        limit: int | None,
    ) -> list[tuple[LoanLedger, tuple[Chargeback, ...]]]:
        """The lines of ``ledgers`` past their deadline at ``when``, charged on each ledger (not stored),
        at most ``limit`` in all: each ledger charged on, with its new chargebacks."""
        found: list[tuple[LoanLedger, tuple[Chargeback, ...]]] = []
        count = 0
        for ledger in ledgers:
            left = None if limit is None else limit - count
            if left == 0:
                break
            kept = arrived.get(ledger.party.key, ())
            new = tuple(ledger.chargeback_overdue(when, actor.ref, self._cost, kept, left))
            if new:
                found.append((ledger, new))
                count += len(new)
        return found

    def _lock_charged(self, uow: UnitOfWork, chargebacks: Iterable[Chargeback], held: set[str]) -> None:
        """Lock the tickets ``chargebacks`` are charged on (their history records each) not in ``held``,
        in id order, and add them to ``held``: a write charging parts takes its tickets before any number
        or ledger row, in the order every ticket command takes them (the ticket, then its numbers), and
        its tickets in ascending id order (:func:`~aftersales.service.row_locks.lock_in_order`)."""
        wanted = {
            uow.documents.get(MaterialsRequest, c.request_id).ticket_id
            for c in chargebacks
            if c.request_id is not None
        }
        # A ticket found only on the second read, below one held, is not taken out of order (a
        # deadlock with a run holding it and waiting for one held here): the command runs again.
        lock_in_order("ticket", held, wanted, lambda i: self.runner.load(uow, i, lock=True))

    def run_return_reminders(
        self, actor: Actor, at: datetime | None = None, *, limit: int | None = None
    ) -> tuple[OverdueItem, ...]:
        """Urge each party to return the parts still out whose deadline comes within ``remind_days``
        (seed 002: 按《用户借料盘点表》中的内容督促用户在规定时间内退料): one message to the dealer or
        engineer holding them, once per issue line. Returns the lines reminded of.

        Safe to run as often as wanted (the ``return_reminders`` job runs it hourly): a line reminded of
        is recorded on the ledger and not again. Nothing is sent when ``remind_days`` is ``None``.
        ``at``: the instant judged at, not ahead of the clock (``ValidationError`` naming ``at``).
        ``limit`` reminds of at most that many lines in this run, the soonest deadlines of each party
        first (the job passes its own; the lines left are reminded of by the next run).
        """
        _check_actor(actor)
        check_role(actor, "remind_returns", None, MATERIALS_ROLES["remind_returns"])
        if at is not None:
            require_aware(at, "at")
        _check_run_limit(limit)
        days = self.params.remind_days
        if days is None:
            return ()
        within = timedelta(days=days)

        def apply(uow: UnitOfWork, now: datetime) -> tuple[OverdueItem, ...]:
            when = judged_at(at, now)  # ahead of the clock a line would be reminded of once, too early
            reminded: list[OverdueItem] = []
            arrived = self._arrived(uow)
            for ledger in uow.documents.query(LoanLedger):
                if limit is not None and len(reminded) >= limit:
                    break
                items = ledger.due_soon(when, within, arrived.get(ledger.party.key, ()))
                if limit is not None:
                    items = items[: limit - len(reminded)]
                if not items:
                    continue
                ledger.mark_reminded(item.issue_key for item in items)
                uow.documents.save(ledger)
                uow.outbox.put(self._return_reminders(uow, ledger.party, items, now))
                reminded.extend(items)
            return tuple(reminded)

        return self.runner.write(actor, "run_return_reminders", None, [at, limit], apply)

    def _return_reminders(
        self, uow: UnitOfWork, party: PartyRef, items: Sequence[OverdueItem], now: datetime
    ) -> list[OutboxMessage]:
        """One message per line to the party holding the parts (none when it has no contact)."""
        contact = _contact_of(uow, party)
        if contact is None:
            return []
        messages: list[OutboxMessage] = []
        for item in items:
            values: dict[str, object] = {
                "part": item.part,
                "quantity": item.outstanding,
                "due_at": item.due_at,
            }
            messages += self.context.notifications.contact_messages(
                "part_return_due",
                party.kind.value,
                contact,
                values,
                f"part_return_due:{item.issue_key}",
                now,
            )
        return messages

    def reconcile(
        self, actor: Actor, party: PartyRef, counted: Mapping[str, int], *, reference: str | None = None
    ) -> Reconciliation:
        """Compare the party's counted stock list with its ledger (盘盈盘亏) and book the settlement."""
        _check_actor(actor)
        check_role(actor, "reconcile_loans", party.key, MATERIALS_ROLES["reconcile_loans"])
        if reference is not None and not (reference.strip() and len(reference) <= 64):
            raise ValidationError(
                "reference is the count's number: 1-64 characters, not blank", field="reference"
            )
        counted = dict(counted)

        def apply(uow: UnitOfWork, now: datetime) -> Reconciliation:
            _party_exists(uow, party)  # a count of nobody's stock would open a ledger for nobody
            ledger, new = self._ledger(uow, party)
            ref = reference or self._number(uow, "reconciliation", now)  # a counter no ticket command takes

            def reconciled(ledger: LoanLedger) -> Reconciliation:
                return ledger.reconcile(
                    counted, reference=ref, at=now, by=actor.ref, price=self._cost,
                    arrived=self._arrived(uow, party).get(party.key, ()),
                )  # fmt: skip

            result = reconciled(ledger)
            if result.chargebacks:
                # The tickets charged on first, in id order, then the ledger as last committed (as the
                # overdue-chargebacks job does): the ledger row and the fee-slip counter before a
                # ticket's lock deadlocked with a ticket command on PostgreSQL.
                held: set[str] = set()
                self._lock_charged(uow, result.chargebacks, held)
                ledger, new = self._ledger(uow, party)
                result = reconciled(ledger)
                self._lock_charged(uow, result.chargebacks, held)
            ledger.settle(result)
            self._store_ledger(uow, ledger, new)
            for chargeback in result.chargebacks:
                self._slip_for(uow, chargeback, actor, now)
            return result

        return self.runner.write(actor, "reconcile_loans", None, [party, counted, reference], apply)

    def close_surplus(
        self, actor: Actor, party: PartyRef, key: str, outcome: SurplusOutcome, note: str
    ) -> SurplusClosure:
        """Close the review of a surplus (盘盈: a part sent back or counted beyond what was lent) on
        ``party``'s ledger, by its ``key`` (``SurplusItem.key``): taken into stock (a
        ``surplus_into_stock`` movement at cost, in the month of the decision), sent back to the party,
        or written off, with the office's ``note`` (seed 002 退料 4–5: 盘盈盘亏分析, 与用户沟通). A surplus
        not under review is ``NotFound``, one closed already ``PolicyError`` ``surplus_closed``."""
        _check_actor(actor)
        check_role(actor, "close_surplus", party.key, MATERIALS_ROLES["close_surplus"])

        def apply(uow: UnitOfWork, now: datetime) -> SurplusClosure:
            try:
                ledger = uow.documents.get(LoanLedger, party.key)
            except NotFound:
                raise NotFound("surplus for review", key) from None
            closure = ledger.close_surplus(key, outcome, now, actor.ref, note)
            uow.documents.save(ledger)
            if closure.outcome is SurplusOutcome.INTO_STOCK:
                self._movement(uow, MovementKind.SURPLUS_INTO_STOCK, surplus_ticket(uow, closure), party,
                               [(closure.part, closure.quantity)], actor, now)  # fmt: skip
            return closure

        return self.runner.write(actor, "close_surplus", None, [party, key, outcome, note], apply)

    # -- queries ---------------------------------------------------------------------------------------------

    def materials_request(self, actor: Actor, request_id: str) -> MaterialsRequest:
        """A request, if ``actor`` may see its ticket."""
        _check_actor(actor)
        with self.context.store() as uow:
            return self._request_seen(uow, actor, request_id)

    @staticmethod
    def _request_seen(uow: UnitOfWork, actor: Actor, request_id: str) -> MaterialsRequest:
        request = uow.documents.get(MaterialsRequest, request_id)
        ticket = uow.tickets.get(request.ticket_id)
        if not ticket_readable(uow, actor, ticket):  # a teammate's ticket too, as desk.ticket
            raise NotFound(MaterialsRequest.DOCUMENT_KIND, request_id)  # as an unknown id
        return request_as_seen_by(actor, request, ticket)

    def part_return(self, actor: Actor, return_id: str) -> PartReturn:
        """A return, if ``actor`` may see its party's ledger; otherwise ``NotFound``, as an unknown id is
        (the refusal would say that the return exists, and whose ledger it is on)."""
        _check_actor(actor)
        with self.context.store() as uow:
            item = uow.documents.get(PartReturn, return_id)
            try:
                self._check_party_scope(uow, actor, item.party)
            except PermissionDenied:
                raise NotFound(PartReturn.DOCUMENT_KIND, return_id) from None
        return item

    def ledger(self, actor: Actor, party: PartyRef) -> LedgerSummary:
        """The party's loan ledger: what is out per part, issued/returned/charged totals, chargebacks and
        the surplus under review (the office reads it to settle each with :meth:`close_surplus`)."""
        _check_actor(actor)
        with self.context.store() as uow:
            self._check_party_scope(uow, actor, party)
            ledger, _new = self._ledger(uow, party)
        return LedgerSummary(
            party, dict(sorted(ledger.balance().items())), ledger.issued, ledger.returned, ledger.charged,
            len(ledger.entries), tuple(ledger.chargebacks), tuple(ledger.surplus),
        )  # fmt: skip

    def overdue(self, actor: Actor, party: PartyRef, at: datetime | None = None) -> list[OverdueItem]:
        """The party's issue lines past their deadline with parts still out, oldest first."""
        _check_actor(actor)
        when = self._now() if at is None else require_aware(at, "at")
        with self.context.store() as uow:
            self._check_party_scope(uow, actor, party)
            ledger, _new = self._ledger(uow, party)
            arrived = self._arrived(uow, party).get(party.key, ())
        return ledger.overdue(when, arrived)

    def outbound_summary(self, actor: Actor, month: str) -> OutboundSummary:
        """The month's outbound (``"2026-03"``) per receiving party and per part (office and auditors)."""
        _check_actor(actor)
        check_role(actor, "outbound_summary", month, MATERIALS_ROLES["outbound_summary"])
        with self.context.store() as uow:
            shipped = uow.documents.query(MaterialsRequest, shipped_month=month)
        return outbound_summary(shipped, month)


def _check_run_limit(limit: object) -> None:
    """A batch's ``limit``: ``None`` (every line) or a whole number of lines from 1 to 1,000,000 (0 did
    nothing and said nothing, as a limit the job could never use)."""
    if limit is not None:
        check_bounded(limit, "limit", 1_000_000)


def _contact_of(uow: UnitOfWork, party: PartyRef) -> Contact | None:
    """The contact of the dealer or engineer a ledger is kept for (``None``: unknown, or none given)."""
    try:
        holder = uow.dealers.get(party.id) if party.kind is PartyKind.DEALER else uow.engineers.get(party.id)
    except NotFound:
        return None
    return holder.contact


def _charge_on_accepted_quotes(
    ticket: Ticket,
    ledger: LoanLedger,
    request_id: str,
    actor: Actor,
    now: datetime,
    voided: frozenset[str] = frozenset(),
) -> list[LedgerEntry]:
    """Settle as charged what ``request_id`` just put on loan and the ticket's accepted quotes charge
    beyond what they already took off loan on this ledger (已收费的材料不计入盘点表); not the ``voided``
    quotes, whose slips were cancelled unpaid (nothing is charged on them). Returns the entries booked."""
    made: list[LedgerEntry] = []
    if ticket.charges is None:
        return made
    for quote in ticket.charges.quotes:
        if quote.state is not QuoteState.ACCEPTED or quote.id in voided:
            continue
        left = quote.charged_parts
        for entry in ledger.entries:
            if entry.key.startswith(f"quote:{quote.id}:") and entry.part in left:
                left[entry.part] -= entry.quantity
        wanted = {part: n for part, n in left.items() if n > 0}
        if wanted:
            made.extend(ledger.charge_on_quote(request_id, wanted, quote.id, at=now, by=actor.ref))
    return made


def _answering_dealer(uow: UnitOfWork, party: PartyRef) -> str | None:
    """The dealer that answers to the maker for ``party``'s parts: the dealer itself, or the dealer an
    engineer works for (乙方需按时退回换下的配件; 上海维娜斯仅按成本价向各特约承销商收取材料费: the dealer
    buys them at cost, owes the old ones back and keeps them on its books); ``None`` for the maker's own
    engineer."""
    return party.id if party.kind is PartyKind.DEALER else _engineer_dealer(uow, party.id)


def _party_exists(uow: UnitOfWork, party: PartyRef) -> str | None:
    """The dealer a party answers to (itself, or an engineer's employer; ``None``: the maker's own
    engineer); ``NotFound`` for a dealer or engineer that is not registered."""
    if party.kind is PartyKind.DEALER:
        return uow.dealers.get(party.id).id
    return uow.engineers.get(party.id).dealer_id


def _check_dealer_side(uow: UnitOfWork, actor: Actor, request: MaterialsRequest, trigger: str) -> None:
    """A dealer's request is that dealer's business: its staff or the office price, answer and pay its
    purchase (保修期外甲方按成本价向乙方提供维修材料,款到发货: between the maker and that dealer), agree its
    shipping date, receive its parts (which starts the return deadline it answers for: 乙方需按时退回换下
    的配件) or call it off. Another dealer's staff who read the ticket — the customer's own dealer, when
    the call went to another — may not (``PermissionDenied``), as they may not file parts on its ledger
    (:func:`_check_party`); the user's answer to the user's quote they may still record."""
    if not acts_as_dealer_staff(actor, MATERIALS_WORKFLOW.spec(trigger).roles):
        return
    dealer = _answering_dealer(uow, request.party)
    if dealer is None or dealer == actor.dealer_id:
        return
    sheet, quote_id = request.charges, request.quote_id
    users_quote = sheet is not None and quote_id is not None and sheet.quote(quote_id).payer != "dealer"
    if trigger in _USERS_ANSWER and users_quote:
        return  # the user's quote: staff record the user's answer
    raise PermissionDenied(
        str(actor), f"materials_{trigger}", request.id, rule="other_dealers_request", facts={"dealer": dealer}
    )


def _refuse_cancelled(ticket: Ticket, what: str) -> None:
    """A cancelled ticket's job was called off: no parts are requested, checked, quoted, approved, paid,
    dated, picked or shipped for it (``PolicyError`` ``ticket_cancelled``; a paid quote is paid back)."""
    if ticket.state == TicketState.CANCELLED:
        if ticket.kind is TicketKind.COMPLAINT:  # a remedy's part: its complaint, named as such
            raise PolicyError(f"complaint {ticket.id} was cancelled: {what}", code="complaint_cancelled")
        raise PolicyError(f"ticket {ticket.id} was cancelled: {what}", code="ticket_cancelled")


def _engineer_dealer(uow: UnitOfWork, engineer_id: str) -> str | None:
    """The dealer an engineer works for (``None``: the maker's own, or unknown)."""
    try:
        return uow.engineers.get(engineer_id).dealer_id
    except NotFound:
        return None


def _check_party(uow: UnitOfWork, actor: Actor, party: PartyRef, ticket: Ticket) -> None:
    """The party a request names owes the old parts back and is charged for what it keeps (退料), so it
    must exist (``NotFound``), and dealer staff file only for their own dealer or its engineers: they
    cannot put parts on another dealer's loan ledger (``PermissionDenied``). An engineer files for
    itself, its own dealer and that dealer's engineers (a dealer's fitter), or the dealer whose job the
    ticket is (:func:`~aftersales.service.scope.purchasing_dealer`): not on another dealer's or a
    colleague's ledger either."""
    owner = _party_exists(uow, party)
    if sees_every(actor, MATERIALS_ROLES["materials_request"]):
        return  # the office files for anyone
    # Dealer staff who also work in the office file for anyone; a further role of another kind (a
    # customer, an engineer) does not lift the rule.
    if actor.has_role(R.DEALER_STAFF):
        if owner != actor.dealer_id:
            raise PermissionDenied(str(actor), "materials_request", party.key, rule="beyond_own_dealer")
        return
    me = actor.engineer_id or actor.id
    mine = _engineer_dealer(uow, me)
    if not (
        (party.kind is PartyKind.ENGINEER and party.id == me)
        or (mine is not None and owner == mine)
        or (party.kind is PartyKind.DEALER and party.id == purchasing_dealer(ticket))
    ):
        raise PermissionDenied(str(actor), "materials_request", party.key, rule="other_party_materials")
