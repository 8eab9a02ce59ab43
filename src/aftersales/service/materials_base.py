"""The materials desk's plumbing: its settings, the request a step works on, the ledgers, history,
movements and quote slips every flow writes (the flows are :mod:`materials_issue`,
:mod:`materials_money`, :mod:`materials_returns`, :mod:`materials_ledger_jobs`, :mod:`materials_reads`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from aftersales.domain.actors import ActorRef
from aftersales.domain.charges import ChargeKind, ChargeLine, Quote
from aftersales.domain.contact import zone
from aftersales.domain.events import JsonValue
from aftersales.domain.fee_slips import FeeSlip, InvoiceWish, MaterialsMovement, MovementKind, SlipOrigin
from aftersales.domain.loan_ledger import ArrivedReturn, LoanLedger
from aftersales.domain.materials import MaterialsRequest, PartReturn, PartyKind, PartyRef
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW, ReturnState
from aftersales.domain.money import Money
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.policies.chargeability import ChargeabilityPolicy
from aftersales.policies.fees import FeesPolicy
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated, validated_commands
from aftersales.service.clock_skew import stamp_for
from aftersales.service.context import DeskContext
from aftersales.service.materials_params import MaterialsParams
from aftersales.service.materials_rules import (
    FORWARD_STEPS,
    R,
    answering_dealer,
    check_actor,
    check_dealer_side,
    engineer_dealer,
    refuse_cancelled,
)
from aftersales.service.numbering import new_id, next_number
from aftersales.service.permissions import MATERIALS_ROLES, authorize
from aftersales.service.reader_view import request_as_seen_by
from aftersales.service.return_relay import relays_in_transit
from aftersales.service.runner import CommandRunner
from aftersales.service.scope import sees_every, ticket_readable
from aftersales.service.warranty_check import still_holds

__all__ = ["MaterialsBase"]


@validated_commands
class MaterialsBase:
    """What every materials flow works with: the context, runner, policies, params and numbering."""

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
        if trigger in FORWARD_STEPS:
            refuse_cancelled(ticket, f"request {request.id} goes no further ({trigger} refused)")
        check_dealer_side(uow, actor, request, trigger)
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
        check_actor(actor)

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
        so the part is on time through the end of the N-th day after the repair day, in the desk's zone;
        a last day the desk's calendar has closed (a weekend, a public holiday) gives way to the next working
        day (:meth:`MaterialsParams.return_deadline`)."""
        return self.params.return_deadline(repaired_at, self.context.calendar)

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
        dealer = answering_dealer(uow, party)
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
        dealer = answering_dealer(uow, request.party)
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

    def _cost(self, part: str) -> Money:
        return self.fees.part_price(part).cost

    @staticmethod
    def _check_party_scope(uow: UnitOfWork, actor: Actor, party: PartyRef) -> None:
        """The office, auditors and jobs read every party's loan ledger; dealer staff their dealer's and
        its engineers' (they file parts onto them: :func:`check_party`), an engineer their own. Any of
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
            if dealer_staff and engineer_dealer(uow, party.id) == actor.dealer_id:
                return
        raise PermissionDenied(str(actor), "loan_ledger", party.key, rule="other_party_loans")

    @staticmethod
    def _request_seen(uow: UnitOfWork, actor: Actor, request_id: str) -> MaterialsRequest:
        request = uow.documents.get(MaterialsRequest, request_id)
        ticket = uow.tickets.get(request.ticket_id)
        if not ticket_readable(uow, actor, ticket):  # a teammate's ticket too, as desk.ticket
            raise NotFound(MaterialsRequest.DOCUMENT_KIND, request_id)  # as an unknown id
        return request_as_seen_by(actor, request, ticket)
