"""The ServiceDesk: what a host application calls.

One method per workflow step, each taking the actor first. Each runs in one unit of work: load the
ticket, check the actor may (see :mod:`aftersales.service.permissions`), apply the step and the
policies, derive the SLA due times, save (optimistic concurrency), write events and notifications to
the outbox, remember the result under the idempotency key, commit. Anything that raises changes
nothing. Queries are scoped the same way: a ticket the actor may not see does not exist for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import (
    Category,
    Channel,
    ImpactScope,
    Plan,
    Priority,
    Severity,
    TicketKind,
)
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, TicketId
from aftersales.domain.instants import require_aware
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.work import (
    Assessment,
    AssigneeKind,
    CustomerNote,
    FaultRecord,
    Visit,
    VisitKind,
)
from aftersales.errors import ConcurrencyConflict, DuplicateError, NotFound, PermissionDenied, ValidationError
from aftersales.i18n.notifications import Renderer, default_renderer
from aftersales.policies.callback import CallbackFacts
from aftersales.policies.registry import PolicySet, resolve_policies
from aftersales.policies.triage import TriageFacts
from aftersales.ports.calendars import open_calendar
from aftersales.ports.clock import Clock
from aftersales.ports.ids import IdGenerator
from aftersales.ports.invoicing import InvoiceIssuer
from aftersales.ports.notifier import Notifier
from aftersales.ports.outbox_dispatch import DispatchReport, dispatch_outbox
from aftersales.ports.queries import Page, PageRequest, TicketFilter
from aftersales.ports.storage_registry import open_storage
from aftersales.ports.unit_of_work import StoreFactory, UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.clock import ZoneClock, desk_zone
from aftersales.service.delivery import OutboxDesk, delivery_rules
from aftersales.service.dispatching import Dispatching
from aftersales.service.notify import Notifications
from aftersales.service.numbering import NUMBER_RACE_RETRIES, lost_number_race, next_number
from aftersales.service.permissions import authorize, can_read, check_role
from aftersales.service.runner import Applied, Apply, idempotency_scope, replay, store_result
from aftersales.service.sla import SlaService
from aftersales.service.views import CommandResult, Progress, TicketView

if TYPE_CHECKING:
    from aftersales.service.archives import ArchiveDesk
    from aftersales.service.callback_desk import CallbackDesk
    from aftersales.service.complaint_desk import ComplaintDesk
    from aftersales.service.fee_desk import FeeDesk
    from aftersales.service.jobs import Jobs, JobsReport
    from aftersales.service.knowledge_desk import KnowledgeDesk
    from aftersales.service.materials_desk import MaterialsDesk
    from aftersales.service.sla_watch import SlaWatch

__all__ = ["ServiceDesk", "UtcClock"]


class UtcClock:
    """The system's time, in UTC. (The default clock is the desk's zone: ``service.clock.ZoneClock``.)"""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


class ServiceDesk:
    """The after-sales service desk over one store, one policy set, one clock.

    Build it with :meth:`open` from a URL (``"sqlite:///service.db"``, ``"memory://"``,
    ``"postgresql://…"``) or with the constructor from an explicit store factory.
    ``staff`` maps roles to the people notified for them (managers, department heads, the
    general manager, the callback agents); ``invoice_issuer`` is the host's finance system.
    """

    def __init__(
        self,
        store: StoreFactory,
        *,
        policies: PolicySet | None = None,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        ids: IdGenerator | None = None,
        calendar: BusinessCalendar | None = None,
        renderer: Renderer | None = None,
        staff: Mapping[Role, Sequence[Contact]] | None = None,
        invoice_issuer: InvoiceIssuer | None = None,
    ) -> None:
        self.store = store
        self.invoice_issuer = invoice_issuer
        self.policies = policies or resolve_policies()
        self.zone = desk_zone(calendar)
        """The desk's local zone (the calendar's): stamps, ticket numbers and months use it."""
        self.clock: Clock = clock or ZoneClock(self.zone)
        self.notifier = notifier
        self.ids = ids
        self.calendar = calendar
        self.notifications = Notifications(renderer or default_renderer(), staff)
        self.sla_service = SlaService(self.policies.sla, calendar)
        self.dispatching = Dispatching(self)
        self._tiers: dict[str, CustomerTier] = {}

    @classmethod
    def open(
        cls,
        url: str,
        *,
        pack: str = "general_maintenance",
        overrides: Mapping[str, object] | None = None,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        ids: IdGenerator | None = None,
        calendar: BusinessCalendar | str | None = "china_mainland",
        staff: Mapping[Role, Sequence[Contact]] | None = None,
        invoice_issuer: InvoiceIssuer | None = None,
    ) -> ServiceDesk:
        """Open a desk on the store at ``url`` with the policies of ``pack`` (and ``overrides``).

        ``calendar`` is a :class:`BusinessCalendar` or the name of a registered one (entry-point
        group ``aftersales.calendars``; ours is ``"china_mainland"``); ``None`` means no working
        calendar (SLA targets in working time cannot be computed then).
        """
        policies = resolve_policies(pack, overrides)
        if isinstance(calendar, str):
            calendar = open_calendar(calendar)
        return cls(
            open_storage(url),
            policies=policies,
            clock=clock,
            notifier=notifier,
            ids=ids,
            calendar=calendar,
            staff=staff,
            invoice_issuer=invoice_issuer,
        )

    def shutdown(self) -> None:
        """Release the store's connections (``close`` is the ticket command)."""
        self.store.close()

    # -- extensions: one sub-desk per capability, built on first use ---------------------------------

    @cached_property
    def materials(self) -> MaterialsDesk:
        """Parts issue and return, the loan ledger (发料 / 退料 / 借料盘点)."""
        from aftersales.service.materials_desk import MaterialsDesk

        return MaterialsDesk(self)

    @cached_property
    def complaints(self) -> ComplaintDesk:
        """Complaints, crisis escalation and the complaint log (投诉 / 危机事件)."""
        from aftersales.service.complaint_desk import ComplaintDesk

        return ComplaintDesk(self)

    @cached_property
    def callbacks(self) -> CallbackDesk:
        """Callbacks with the seed-004 checklist and satisfaction surveys (回访 / 满意度)."""
        from aftersales.service.callback_desk import CallbackDesk

        return CallbackDesk(self, self.complaints)

    @cached_property
    def sla_watch(self) -> SlaWatch:
        """The SLA sweep: warnings before a breach and breaches, announced once each."""
        from aftersales.service.sla_watch import SlaWatch

        return SlaWatch(self)

    @cached_property
    def knowledge(self) -> KnowledgeDesk:
        """The after-sales knowledge base and fix suggestions learnt from the ledger (售后知识库)."""
        from aftersales.service.knowledge_desk import KnowledgeDesk

        return KnowledgeDesk(self)

    @cached_property
    def fees(self) -> FeeDesk:
        """Fee slips, invoices and monthly after-sales revenue (收费暨报销单)."""
        from aftersales.service.fee_desk import FeeDesk

        return FeeDesk(self, self.invoice_issuer)

    @cached_property
    def archives(self) -> ArchiveDesk:
        """Dealer and end-user archives (用户档案) and training records."""
        from aftersales.service.archives import ArchiveDesk

        return ArchiveDesk(self)

    @cached_property
    def outbox(self) -> OutboxDesk:
        """Dead letters of the outbox (retried by a manager) and retention of sent messages."""
        return OutboxDesk(self.store, self.clock, self.policies)

    @cached_property
    def jobs(self) -> Jobs:
        """The periodic work a host must run: see :meth:`run_due_jobs`."""
        from aftersales.service.jobs import Jobs

        return Jobs(self)

    def __enter__(self) -> ServiceDesk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- plumbing ---------------------------------------------------------------------------------

    def _now(self) -> datetime:
        # In the desk's zone whatever zone the host's clock reads in: one ticket, one offset.
        return require_aware(self.clock.now(), "clock.now()").astimezone(self.zone)

    def execute(
        self,
        actor: Actor,
        command: str,
        ticket_id: str,
        apply: Apply,
        key: str | None = None,
        *,
        roles: frozenset[Role] | None = None,
    ) -> CommandResult:
        """Run one command on one ticket: the desk's commands and its extensions all go through here.

        ``apply(uow, ticket, now)`` changes the ticket through its methods (and may touch other
        documents in the same unit of work); ``roles`` replaces the permission table's entry for
        ``command`` (extensions bring their own). Permission is checked before ``apply`` runs.
        """
        _check_actor(actor)
        scoped = idempotency_scope(actor, command, key)
        now = self._now()
        with self.store() as uow:
            first = replay(uow, scoped)
            if first is not None:
                return first
            ticket = self._load(uow, actor, ticket_id)
            authorize(actor, command, ticket, self.team_of_assignee(uow, ticket), roles)
            before = len(ticket.events)
            was_closed = ticket.state == TicketState.CLOSED
            applied = apply(uow, ticket, now) or Applied()
            events = tuple(ticket.events[before:])
            if was_closed != (ticket.state == TicketState.CLOSED):
                # Fault statistics learn from closed tickets, in the same transaction as the close
                # (and a reopen takes the ticket's contribution back).
                self.knowledge.learn(uow, ticket, now)
            self.sla_service.derive(ticket, self.tier(uow, ticket), now)
            uow.tickets.save(ticket)
            messages = list(applied.messages)
            messages += self.notifications.messages(uow, ticket, events, now, self.policies.notification)
            uow.outbox.put(messages)
            store_result(uow, scoped, ticket, events)
            uow.commit()
        return CommandResult(TicketView(ticket), events, decisions=tuple(applied.decisions))

    def _load(self, uow: UnitOfWork, actor: Actor, ticket_id: str) -> Ticket:
        if not isinstance(ticket_id, str) or not ticket_id:
            raise ValidationError("a ticket id is a non-empty string", field="ticket_id")
        return uow.tickets.get(ticket_id)

    @staticmethod
    def team_of_assignee(uow: UnitOfWork, ticket: Ticket) -> str | None:
        """The team of the engineer the ticket is assigned to (engineers read their team's tickets)."""
        assignee = ticket.assignee
        if assignee is None or assignee.kind is not AssigneeKind.ENGINEER:
            return None
        try:
            return uow.engineers.get(assignee.id).team
        except NotFound:
            return None

    def tier(self, uow: UnitOfWork, ticket: Ticket) -> CustomerTier:
        """The ticket's customer tier (regular when the customer is not registered)."""
        # Remembered per desk (tiers change rarely; register_customer forgets it): SLA and triage ask
        # for it on every command, and loading the customer each time costs a query and a parse.
        found = self._tiers.get(ticket.customer_id)
        if found is None:
            try:
                found = uow.customers.get(ticket.customer_id).tier
            except NotFound:
                return CustomerTier.REGULAR
            if len(self._tiers) < 100_000:
                self._tiers[ticket.customer_id] = found
        return found

    def _step(
        self, actor: Actor, command: str, ticket_id: str, trigger: str, reason: str | None, key: str | None
    ) -> CommandResult:
        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.step(trigger, actor.ref, now, reason=reason)

        return self.execute(actor, command, ticket_id, apply, key)

    # -- reference data -----------------------------------------------------------------------------

    def _register(self, actor: Actor, command: str, repo: str, obj: Any) -> None:
        _check_actor(actor)
        check_role(actor, command)
        with self.store() as uow:
            getattr(uow, repo).save(obj)
            uow.commit()
        if repo in ("engineers", "dealers"):
            self.dispatching.forget()
        if repo == "customers":
            self._tiers.pop(obj.id, None)

    def register_customer(self, actor: Actor, customer: Customer) -> None:
        """Add or update a customer (用户档案). Dealer staff may register customers of their regions."""
        if actor.role is Role.DEALER_STAFF and customer.region not in actor.regions:
            raise PermissionDenied(str(actor), "register_customer", customer.id)
        self._register(actor, "register_customer", "customers", customer)

    def register_asset(self, actor: Actor, asset: Asset) -> None:
        """Add or update an installed unit (serial, batch, purchase and installation dates)."""
        self._register(actor, "register_asset", "assets", asset)

    def register_product(self, actor: Actor, product: Product) -> None:
        """Add or update a product model and its warranty terms."""
        self._register(actor, "register_reference", "products", product)

    def register_dealer(self, actor: Actor, dealer: Dealer) -> None:
        """Add or update an authorised dealer and its territory."""
        self._register(actor, "register_reference", "dealers", dealer)

    def register_engineer(self, actor: Actor, engineer: Engineer) -> None:
        """Add or update an engineer (skills, level, region, load limit, emergency team)."""
        self._register(actor, "register_reference", "engineers", engineer)

    # -- intake ---------------------------------------------------------------------------------------

    def open_ticket(
        self,
        actor: Actor,
        *,
        customer_id: str,
        description: str,
        category: Category = Category.REPAIR,
        channel: Channel = Channel.PHONE,
        asset_id: str | None = None,
        expected_by: datetime | None = None,
        urgent: bool = False,
        received_at: datetime | None = None,
        kind: TicketKind = TicketKind.SERVICE,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Register a request (报修登记): who, what, which unit, by which channel, when.

        ``received_at`` defaults to now (a call logged later may give the real time; the future is
        refused). The customer (and the asset, if given) must be registered; the ticket copies the
        asset's product and batch and the customer's region and dealer, for the ledger's filters.
        """
        scoped, now, received = self.intake(actor, "open_ticket", idempotency_key, received_at)
        for attempt in range(NUMBER_RACE_RETRIES):
            try:
                with self.store() as uow:
                    first = replay(uow, scoped)
                    if first is not None:
                        return first
                    ticket, _ = self.open_ticket_in(
                        uow, actor, now, customer_id=customer_id, description=description, category=category,
                        channel=channel, asset_id=asset_id, expected_by=expected_by, urgent=urgent,
                        received_at=received, kind=kind,
                    )  # fmt: skip
                    events = tuple(ticket.events)
                    store_result(uow, scoped, ticket, events)
                    uow.commit()
                return CommandResult(TicketView(ticket), events)
            except (ConcurrencyConflict, DuplicateError) as error:
                # Another process took the same number (PostgreSQL's optimistic counter): take the next.
                if not lost_number_race(error) or attempt == NUMBER_RACE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def intake(
        self, actor: Actor, command: str, key: str | None, received_at: datetime | None
    ) -> tuple[str | None, datetime, datetime]:
        """The checks every intake command starts with: actor, role, key, a received time not in the future.

        Returns the scoped idempotency key, now, and the received time.
        """
        _check_actor(actor)
        check_role(actor, "open_ticket")
        scoped = idempotency_scope(actor, command, key)
        now = self._now()
        received = now if received_at is None else require_aware(received_at, "received_at")
        if received > now:
            raise ValidationError("received_at is in the future", field="received_at")
        return scoped, now, received

    def open_ticket_in(
        self,
        uow: UnitOfWork,
        actor: Actor,
        now: datetime,
        *,
        customer_id: str,
        description: str,
        category: Category,
        channel: Channel,
        asset_id: str | None,
        received_at: datetime,
        kind: TicketKind,
        expected_by: datetime | None = None,
        urgent: bool = False,
        attach: Callable[[Ticket], Applied] | None = None,
    ) -> tuple[Ticket, Applied]:
        """Open a ticket inside a running unit of work; the caller commits.

        Checks the customer is in the actor's scope and the asset is the customer's, numbers the
        ticket, derives its SLA, and writes it with its outbox messages. ``attach`` lets an extension
        add its own records (a complaint file) and messages in the same transaction.
        """
        customer = uow.customers.get(customer_id)
        if actor.role is Role.CUSTOMER and actor.customer_id != customer.id:
            raise PermissionDenied(str(actor), "open_ticket", customer_id)
        if actor.role is Role.DEALER_STAFF and not (
            customer.dealer_id == actor.dealer_id or customer.region in actor.regions
        ):
            raise PermissionDenied(str(actor), "open_ticket", customer_id)
        asset = uow.assets.get(asset_id) if asset_id is not None else None
        if asset is not None and asset.customer_id not in (None, customer.id):
            raise ValidationError(f"asset {asset.id} belongs to another customer", field="asset_id")
        ticket_id = self.ids.next_id("ticket") if self.ids else next_number(uow, "ticket", now)
        ticket = Ticket.open(
            id=TicketId(ticket_id),
            customer_id=CustomerId(customer.id),
            channel=channel,
            category=category,
            description=description,
            received_at=received_at,
            taken_by=actor.ref,
            asset_id=AssetId(asset.id) if asset else None,
            product_id=asset.product_id if asset else None,
            batch=asset.batch if asset else None,
            region=customer.region,
            dealer_id=customer.dealer_id or (asset.dealer_id if asset else None),
            expected_by=expected_by,
            urgent=urgent,
            kind=kind,
        )
        applied = attach(ticket) if attach is not None else Applied()
        self.sla_service.derive(ticket, customer.tier, now)
        uow.tickets.add(ticket)
        messages = list(applied.messages)
        messages += self.notifications.messages(
            uow, ticket, tuple(ticket.events), now, self.policies.notification
        )
        uow.outbox.put(messages)
        return ticket, applied

    def triage(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        nature: str,
        severity: Severity,
        impact_scope: ImpactScope = ImpactScope.SINGLE_UNIT,
        plan: Plan | None = None,
        units_affected: int = 1,
        production_stopped: bool = False,
        departments: int = 1,
        skill: str | None = None,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Assess the problem (问题评估); the pack's priority policy decides priority and plan, with reasons.

        ``plan`` given by the handler wins over the policy's suggestion (recorded either way).
        """

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            draft = Assessment(
                nature, severity, impact_scope, plan or Plan.ON_SITE, units_affected, production_stopped,
                departments, skill, note,
            )  # fmt: skip
            facts = TriageFacts.from_assessment(
                draft, category=ticket.category, tier=self.tier(uow, ticket), urgent=ticket.urgent
            )
            if plan is None:
                facts = attrs.evolve(facts, plan=None)
            decision = self.policies.priority.decide(facts)
            chosen = plan or decision.outcome.plan
            assessment = attrs.evolve(draft, plan=chosen)
            ticket.triage(actor.ref, now, assessment, decision.outcome.priority, decision.reasons)
            return Applied(decisions=(decision,))

        return self.execute(actor, "triage", ticket_id, apply, idempotency_key)

    # -- dispatch -------------------------------------------------------------------------------------

    def dispatch(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        engineer_id: str | None = None,
        dealer_id: str | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Dispatch (派工) to ``engineer_id`` or ``dealer_id``, or let the pack's routing and dispatch decide.

        Reassigning needs a ``reason``; history is kept in the event log. When no candidate exists the
        ticket stays where it is and is escalated to the manager, with the reason, and the result's
        ``decisions`` say why.
        """
        if engineer_id is not None and dealer_id is not None:
            raise ValidationError("dispatch to an engineer or a dealer, not both", field="engineer_id")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            choice = self.dispatching.choose(uow, actor, ticket, now, engineer_id, dealer_id)
            if choice.assignee is not None:
                previous = ticket.assignee
                ticket.assign(actor.ref, now, choice.assignee, reason=reason, reasons=choice.reasons)
                self.dispatching.moved(previous, choice.assignee)
            return Applied(messages=choice.messages, decisions=choice.decisions)

        return self.execute(actor, "dispatch", ticket_id, apply, idempotency_key)

    # -- work -------------------------------------------------------------------------------------------

    def start_work(
        self, actor: Actor, ticket_id: str, *, idempotency_key: str | None = None
    ) -> CommandResult:
        """The engineer starts (or, after a rejection, restarts) the work."""
        return self._step(actor, "start_work", ticket_id, "start_work", None, idempotency_key)

    def await_parts(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        reason: str | None = None,
        expected_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Work waits for spare parts (the SLA clock pauses if the pack says so)."""
        payload = (
            {"expected_at": require_aware(expected_at, "expected_at").isoformat()} if expected_at else None
        )

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.step("await_parts", actor.ref, now, reason=reason, payload=payload)

        return self.execute(actor, "await_parts", ticket_id, apply, idempotency_key)

    def await_customer(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Work waits for the customer (not at home, must decide): the SLA clock pauses."""
        return self._step(actor, "await_customer", ticket_id, "await_customer", reason, idempotency_key)

    def resume(
        self, actor: Actor, ticket_id: str, *, reason: str | None = None, idempotency_key: str | None = None
    ) -> CommandResult:
        """Work resumes after waiting for parts or for the customer."""
        return self._step(actor, "resume", ticket_id, "resume", reason, idempotency_key)

    def add_fault_record(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        symptom: str,
        cause: str,
        action: str,
        part: str | None = None,
        component: str | None = None,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Record a coded fault (故障描述 → 故障原因 → 处理措施)."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            record = FaultRecord(symptom, cause, action, now, actor.ref, part, component, note)
            ticket.record_fault(actor.ref, now, record)

        return self.execute(actor, "add_fault_record", ticket_id, apply, idempotency_key)

    def add_visit(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        planned_at: datetime,
        engineer_id: str,
        kind: VisitKind = VisitKind.SERVICE,
        arrived_at: datetime | None = None,
        left_at: datetime | None = None,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Plan an on-site visit (the customer is told), or record one that took place."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.add_visit(actor.ref, now, Visit(planned_at, engineer_id, kind, arrived_at, left_at, note))

        return self.execute(actor, "add_visit", ticket_id, apply, idempotency_key)

    def note_to_customer(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        text: str,
        visible: bool = True,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """A progress note (及时反馈处理进度); ``visible=False`` keeps it internal."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.note_to_customer(actor.ref, now, CustomerNote(text, visible))

        return self.execute(actor, "note_to_customer", ticket_id, apply, idempotency_key)

    def resolve(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        summary: str | None = None,
        remote: bool = False,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """The problem is solved (on site, at the depot, or by remote guidance): please confirm."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.resolve(actor.ref, now, summary=summary, remote=remote)
            self._release(ticket)

        return self.execute(actor, "resolve", ticket_id, apply, idempotency_key)

    def _release(self, ticket: Ticket) -> None:
        self.dispatching.moved(ticket.assignee, None)

    def confirm(
        self, actor: Actor, ticket_id: str, *, note: str | None = None, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer accepts the work (验收确认 / 服务单签字); the ticket closes."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.confirm(actor.ref, now, note=note)

        return self.execute(actor, "confirm", ticket_id, apply, idempotency_key)

    def reject(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer does not accept the work: it is redone (the resolution clock resumes)."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.reject(actor.ref, now, reason)

        return self.execute(actor, "reject", ticket_id, apply, idempotency_key)

    def close(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Close a resolved ticket without the customer's confirmation, with a reason."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.close(actor.ref, now, reason)

        return self.execute(actor, "close", ticket_id, apply, idempotency_key)

    def cancel(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Cancel an open ticket, with a reason."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            self._release(ticket)
            ticket.cancel(actor.ref, now, reason)

        return self.execute(actor, "cancel", ticket_id, apply, idempotency_key)

    def reopen(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Reopen a closed ticket whose problem is back (it goes to rework)."""
        return self._step(actor, "reopen", ticket_id, "reopen", reason, idempotency_key)

    # -- callbacks --------------------------------------------------------------------------------------

    def schedule_callback(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        due_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Plan the callback (回访); ``due_at`` defaults to the pack's callback policy after resolution.

        The callback policy's decision (required or not, survey or not) comes back in ``decisions``;
        the desk schedules what it is asked to — :class:`CallbackDesk` applies the policy's "required".
        """

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            plan = self.policies.callback.decide(
                CallbackFacts(ticket.kind, ticket.priority or Priority.NORMAL, self.tier(uow, ticket))
            )
            due = due_at or (ticket.resolved_at or now) + plan.outcome.within
            ticket.schedule_callback(actor.ref, now, due)
            return Applied(decisions=(plan,))

        return self.execute(actor, "schedule_callback", ticket_id, apply, idempotency_key)

    def record_callback(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        problem_back: bool,
        satisfaction: int | None = None,
        answers: Mapping[str, bool] | None = None,
        comment: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Record the callback: satisfaction (1–5), the checklist answers, and whether the problem is back.

        A problem that is back reopens a closed ticket (or rejects a resolved one): rework.
        """
        if satisfaction is not None and (
            not isinstance(satisfaction, int) or isinstance(satisfaction, bool) or not 1 <= satisfaction <= 5
        ):
            raise ValidationError("satisfaction is a score from 1 to 5", field="satisfaction")
        if len(comment) > 2000:
            raise ValidationError("comment is at most 2000 characters", field="comment")
        facts: dict[str, object] = {"satisfaction": satisfaction, "comment": comment}
        for question, answer in (answers or {}).items():
            if not isinstance(answer, bool):
                raise ValidationError(f"answer to {question!r} must be yes or no", field="answers")
            facts[f"answer.{question}"] = answer

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.record_callback(
                actor.ref, now, problem_back=problem_back, facts=facts, why=comment or None
            )

        return self.execute(actor, "record_callback", ticket_id, apply, idempotency_key)

    # -- queries ------------------------------------------------------------------------------------------

    def _visible(self, uow: UnitOfWork, actor: Actor, ticket_id: str) -> Ticket:
        _check_actor(actor)
        ticket = self._load(uow, actor, ticket_id)
        if not can_read(actor, ticket, self.team_of_assignee(uow, ticket)):
            raise NotFound("ticket", ticket_id)
        return ticket

    def ticket(self, actor: Actor, ticket_id: str) -> TicketView:
        """The ticket, if ``actor`` may see it (otherwise ``NotFound``, as for an unknown id)."""
        with self.store() as uow:
            return TicketView(self._visible(uow, actor, ticket_id))

    def progress(self, actor: Actor, ticket_id: str) -> Progress:
        """What the customer may see (服务进度): state, next step, due times, engineer, visible notes."""
        with self.store() as uow:
            return Progress.of(self._visible(uow, actor, ticket_id))

    def sla(self, actor: Actor, ticket_id: str) -> Any:
        """The SLA status of the ticket now: each target's due time, remaining, warning, breach."""
        now = self._now()
        with self.store() as uow:
            ticket = self._visible(uow, actor, ticket_id)
            return self.sla_service.status(ticket, self.tier(uow, ticket), now)

    def ledger(
        self, actor: Actor, filters: TicketFilter | None = None, page: PageRequest | None = None
    ) -> Page[TicketView]:
        """The searchable ledger (售后问题台账), narrowed to what ``actor`` may see, one keyset page."""
        _check_actor(actor)
        query = _scoped_filter(actor, filters or TicketFilter())
        with self.store() as uow:
            result = uow.tickets.query(query, page or PageRequest())
        return Page(tuple(TicketView(t) for t in result.items), result.next_cursor)

    def count(self, actor: Actor, filters: TicketFilter | None = None) -> int:
        """How many tickets of the ledger match, within ``actor``'s scope."""
        _check_actor(actor)
        with self.store() as uow:
            return uow.tickets.count(_scoped_filter(actor, filters or TicketFilter()))

    # -- delivery ------------------------------------------------------------------------------------------

    def deliver(self, limit: int = 100, *, senders: int = 1) -> DispatchReport:
        """Send due notifications through the notifier (at least once) and mark them sent.

        Retries, dead letters and leases follow the pack's ``[notification]`` delivery rules
        (:func:`aftersales.service.delivery.delivery_rules`); safe to call from several threads and
        processes at once.
        """
        if self.notifier is None:
            raise ValidationError("this desk has no notifier; pass notifier= to ServiceDesk.open")
        rules = delivery_rules(self.policies)
        return dispatch_outbox(self.store, self.notifier, self.clock, limit, rules=rules, senders=senders)

    def run_due_jobs(self, now: datetime | None = None) -> JobsReport:
        """Run the periodic jobs that are due (SLA sweep, callbacks due, chargebacks, due times,
        delivery, retention): bounded, idempotent, leased in the store. See :mod:`aftersales.service.jobs`."""
        return self.jobs.run_due(now)


def _check_actor(actor: object) -> None:
    if not isinstance(actor, Actor):
        raise ValidationError("the first argument of every command is an Actor", field="actor")


def _scoped_filter(actor: Actor, filters: TicketFilter) -> TicketFilter:
    role = actor.role
    if role is Role.CUSTOMER:
        return attrs.evolve(filters, customer_id=actor.customer_id or "\x00")
    if role is Role.DEALER_STAFF:
        # The ledger lists the dealer's own tickets (its customers' and units'); single tickets of its
        # regions stay readable by id (see permissions.can_read).
        return attrs.evolve(filters, dealer_id=actor.dealer_id or "\x00")
    if role is Role.ENGINEER:
        return attrs.evolve(filters, engineer_id=actor.engineer_id or actor.id)
    return filters
