"""Intake (报修登记): opening a ticket inside a running unit of work, for every capability that opens one.

The desk's ``open_ticket`` and the complaint desk's ``open_complaint`` (and a complaint opened from a
low callback score) all open tickets here: the customer in the actor's scope, the asset the
customer's, a number, the SLA due times, the outbox messages — one way, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, Channel, Priority, TicketKind, conversation_channel
from aftersales.domain.complaint_handover import CONTINUES_KEY
from aftersales.domain.erasure import ERASED
from aftersales.domain.events import JsonValue
from aftersales.domain.ids import AssetId, CustomerId, TicketId
from aftersales.domain.instants import require_aware
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.reasons import Reason
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.sla_reading import TAKEN_BY_DEALER_KEY
from aftersales.domain.ticket import Ticket
from aftersales.errors import CustomerErased, NotFound, PermissionDenied, ValidationError
from aftersales.i18n.catalog import catalog_for
from aftersales.policies.sla_terms import PAYLOAD_KEY, SlaTerms
from aftersales.policies.triage import DefaultPriority, PriorityParams
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.read_ahead import ReadAhead, read_ahead
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.calendar_stamp import STAMP_READ, StampRead, check_calendar_current
from aftersales.service.call_month import note_late_call
from aftersales.service.context import DeskContext
from aftersales.service.contract_sla import contract_terms
from aftersales.service.dealer_serves import dealer_serves
from aftersales.service.lifecycle import intake_messages, intake_priority
from aftersales.service.numbering import TicketCounter, counter_id, new_id
from aftersales.service.permissions import Workflow, permit, roles_for
from aftersales.service.progress_watch import watch_opened
from aftersales.service.row_locks import held
from aftersales.service.runner import Applied
from aftersales.service.scope import asset_visible, engineer_serves, party_visible
from aftersales.service.sweep_mark import rewind_mark
from aftersales.service.ticket_search import Words, describe_at_intake, index_ticket, index_tickets

__all__ = [
    "URGENT_CLAIMED_KEY",
    "check_channel",
    "check_stated_receipt",
    "open_ticket_in",
    "received_time",
    "with_tier",
    "write_opened",
]

URGENT_CLAIMED_KEY = "urgent_claimed"
"""The ``opened`` event's payload key kept when a customer's own request says it is urgent: what the
customer said, for the specialist to mark at triage (``triage(urgent=True)``); it grades nothing."""


_SCOPED = frozenset({Role.CUSTOMER, Role.DEALER_STAFF})
"""The roles whose scope is made of customers: they open tickets for their own customers only."""

_GRADING = {Workflow.SERVICE_TICKET: "triage", Workflow.COMPLAINT: "classify"}
"""The command whose roles grade a ticket of each workflow: they alone may give a priority at intake."""


def check_stated_receipt(actor: Actor, received_at: datetime | None) -> None:
    """Refuse ``received_at`` from a customer filing its own request or complaint (``ValidationError``
    naming ``received_at``, rule ``received_by_staff``).

    Why: the online platform (seed 003 二 1 在线服务平台) receives a customer's filing when it reaches the
    desk, and the response time (二 3 响应时效) runs from then. A time before it is what staff entering a
    call or a letter later say it came (seed 004 第八条 2(1) 来信); stated by the customer, a filing dated a
    month back was born with its response late (announced, counted missed) and its complaint in a month
    whose feedback had gone out."""
    if received_at is not None and bool(actor.roles) and all(r is Role.CUSTOMER for r in actor.roles):
        raise ValidationError(
            "a customer's own filing is received when it reaches the desk: received_at is given by "
            "staff entering a call or a letter later",
            field="received_at",
            rule="received_by_staff",
        )


def received_time(now: datetime, received_at: datetime | None) -> datetime:
    """When the request came in: ``received_at`` (aware, not in the future) or now."""
    received = now if received_at is None else require_aware(received_at, "received_at")
    if received > now:
        raise ValidationError("received_at is in the future", field="received_at")
    return received


def check_channel(actor: Actor, channel: Channel) -> Channel:
    """``channel`` if ``actor`` may say a request came in by it, else a ``ValidationError`` naming it.

    ``planned`` is the maintenance job's (a visit it opens from a plan, 计划保养), never a call taken at
    the desk; ``proactive_callback`` is the company calling the customer (seed 001 公司主动回访), which a
    customer opening its own request cannot have done. Either would put the request in the wrong
    column of the ledger (渠道) and misstate who reached whom."""
    channel = conversation_channel(channel, "a request taken at the desk")
    if channel is Channel.PROACTIVE_CALLBACK and all(role is Role.CUSTOMER for role in actor.roles):
        raise ValidationError(
            "channel 'proactive_callback' is the company calling the customer, not the customer's own call",
            field="channel",
        )
    return channel


def open_ticket_in(
    context: DeskContext,
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
    tags: Sequence[str] = (),
    custom_fields: Mapping[str, object] | None = None,
    priority: Priority | None = None,
    sla_terms: SlaTerms | None = None,
    ticket_id: str | None = None,
    outbox: list[OutboxMessage] | None = None,
    opened: list[Ticket] | None = None,
    stamps: StampRead | None = None,
    continues: str | None = None,
) -> tuple[Ticket, Applied]:
    """Open a ticket inside a running unit of work; the caller commits.

    Checks the customer is in the actor's scope and not erased (:class:`CustomerErased`: a person
    who asked to be forgotten has no contact to serve them by until it is registered again) and the
    asset is the customer's, numbers the ticket, derives its SLA, and writes it with its outbox
    messages. ``attach`` lets a capability add its own records (a complaint file) and messages in the
    same transaction. ``sla_terms`` are the targets an agreement sets (a maintenance visit's); without
    them, those of the service contract covering the unit on the call's date, if any (issue 26).

    A job opening many tickets in one transaction may pass ``ticket_id`` (a number it took with the
    others, :func:`~aftersales.service.numbering.next_numbers`) and ``outbox`` (a list the messages
    are added to, for the job to write at once); both are written exactly as they would be here.
    With ``opened`` (a list) the ticket is added to it instead of being stored here: the job stores
    the batch with :func:`write_opened` (one ``executemany`` per table on SQLite), in the same
    transaction, before it commits (and ``stamps``, the store's stamp read once for the batch).

    Its due times are the desk's calendar's and SLA policy's: a desk left on another calendar or pack
    than the one another desk has moved the store to since it opened is refused as any command writing
    due times is (:func:`~aftersales.service.calendar_stamp.check_calendar_current`, ``ConfigurationError``
    naming ``calendar``, ``sla`` or ``callback``; nothing is written). Before session 29 an opening was not
    checked and kept the old pack's due times until a current desk's command re-derived them.

    ``continues`` is the request a complaint continues (handed over): its ``opened`` event names it.
    """
    if kind is TicketKind.COMPLAINT:  # a complaint's own row (engineers may report a crisis)
        workflow, command = Workflow.COMPLAINT, "open_complaint"
    else:
        workflow, command = Workflow.SERVICE_TICKET, "open_ticket"
    permit(actor, workflow, command, customer_id)
    if tags:
        # Tags are the staff's labels (``tag`` in the permission table): a customer opening a call
        # gives none, as it may not tag the ticket afterwards ("vip" would put it in the staff's list).
        permit(actor, workflow, "tag", customer_id)
    staff_only = context.custom_fields.staff_only
    if isinstance(custom_fields, Mapping) and any(name in staff_only for name in custom_fields):
        # A staff-only field ("risk_note") is the staff's own fact: whoever may not set fields on the
        # ticket (``set_fields`` in the permission table: a customer) gives none at intake either.
        permit(actor, workflow, "set_fields", customer_id)
    if priority is not None:
        # The grade (普通 / 加急 / 特急) is the staff's assessment (seed 003: 根据问题的紧急程度、复杂程度以及
        # 客户重要性…分为三个级别): whoever may not triage the ticket (classify a complaint) gives none at
        # intake either. A customer says how urgent it is (``urgent``), and the pack maps that to a grade.
        permit(actor, workflow, _GRADING[workflow], customer_id)
    described = describe_at_intake(context.custom_fields, category, tags, custom_fields)  # issue 23
    # What follows reads the customer, the unit, the contracts covering it and the number counter:
    # a store across a network reads them in one round trip (issue 21).
    numbered = ticket_id is None and context.ids is None
    read_ahead(uow, _intake_reads(customer_id, asset_id, kind, sla_terms, now if numbered else None))
    # Held (PostgreSQL): an erasure of the customer in flight commits first and this call then finds
    # them erased; read plainly, the record as it was before the erasure let a ticket and an SMS to the
    # erased phone be written after it (an erasure waits for a call in flight, and cancels its ticket).
    # Held, not locked: calls of one customer, and a maintenance batch numbering first, go on together.
    customer = held(uow.customers, customer_id)
    stamps = stamps or StampRead(uow)
    if context.calendar is not None:
        stamps.get()  # read now, from the read-ahead, before ``attach`` writes a document
    # A customer outside the actor's scope is not found, exactly like one that does not exist.
    if not _may_open_for(uow, actor, customer, roles_for(workflow, command), kind):
        raise NotFound("customer", customer_id)
    if customer.name == ERASED:
        # Nobody to send, call back or notify: the erasure cancelled and closed their work for that.
        raise CustomerErased(customer.id)
    asset = uow.assets.get(asset_id) if asset_id is not None else None
    if asset is not None and asset.customer_id not in (None, customer.id):
        # Naming someone else's unit must not reveal that it exists.
        raise NotFound("asset", asset.id)
    if asset is not None and asset.customer_id is None and not asset_visible(uow, actor, asset):
        # A unit of nobody's yet (a dealer's stock) is named by whom may know it: the office, its dealer.
        raise NotFound("asset", asset.id)
    dealer_id = customer.dealer_id or (asset.dealer_id if asset else None)
    if kind is TicketKind.SERVICE and not _takes_the_call(
        actor, customer, dealer_id, roles_for(workflow, command)
    ):
        # A customer the actor may read (its region's) but whose call is another dealer's job.
        raise PermissionDenied(str(actor), command, customer_id)
    # Seed 001 三(二)2: the specialist marks a problem urgent; a customer's own request keeps its "urgent"
    # as what the customer said (``urgent_claimed``), raising neither the grade nor the contact clock.
    claimed = urgent and all(role is Role.CUSTOMER for role in actor.roles)
    if claimed:
        urgent = False
    intake, intake_reasons = intake_priority(context.policies.priority, priority, urgent, category, kind)
    if priority is None and intake is not None and kind is TicketKind.SERVICE:
        intake, intake_reasons = with_tier(context.policies.priority, customer.tier, intake, intake_reasons)
    terms = sla_terms if sla_terms is not None else contract_terms(uow, asset, received_at, kind)
    if ticket_id is None:
        # Numbered last: the counter's row stays locked until the commit, which concurrent intakes wait for.
        ticket_id = new_id(context.ids, uow, "ticket", now)
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
        dealer_id=dealer_id,
        expected_by=expected_by,
        urgent=urgent,
        kind=kind,
        priority=intake,
        priority_reasons=intake_reasons,
        opened_facts=_opened_facts(actor, terms, claimed, kind, continues),
    )
    ticket.tags, ticket.custom_fields = described
    applied = attach(ticket) if attach is not None else Applied()
    context.sla.derive(ticket, customer.tier, now)
    if _has_dues(ticket):  # due times written on this desk's calendar and pack: still the store's?
        check_calendar_current(uow, context, stamps, now)
    if ticket.resolution_due_at is not None:  # received earlier (received_at): maybe behind the mark
        rewind_mark(uow, ticket.resolution_due_at, now)
    note_late_call(uow, context.timezone, ticket, now)  # seed 004 第五条 1(6): after its month was sent?
    if opened is not None:
        opened.append(ticket)  # stored with the batch (write_opened), searchable in the same transaction
    else:
        uow.tickets.add(ticket)
        index_ticket(uow, ticket, context.notifications.renderer.catalog)  # issue 23: searchable at once
    watch_opened(context, uow, ticket, now)  # when the progress reminder first looks (progress_watch)
    messages = list(applied.messages)
    messages += context.notifications.messages(
        uow, ticket, tuple(ticket.events), now, context.policies.notification
    )
    messages += intake_messages(context, uow, ticket, now)
    if outbox is not None:
        outbox += messages
    else:
        uow.outbox.put(messages)
    return ticket, applied


def _may_open_for(
    uow: UnitOfWork, actor: Actor, customer: Customer, roles: frozenset[Role], kind: TicketKind
) -> bool:
    """May ``actor`` open a ticket for ``customer``? A role the command allows that is not scoped by
    customer (the office, the system) opens for anyone; a customer for itself; dealer staff for their
    dealer's and their regions' customers; an engineer (a complaint: reporting a crisis met in the
    field, seed 004 当接到危机事件的…个人要立即通知客户服务中心) for a customer it serves — one of whose
    tickets it may read — and dealer staff a complaint, likewise, for a customer one of whose jobs their
    dealer holds (another region's customer's, passed to it: :func:`dealer_serves`). An engineer or a
    dealer knows the customers of its jobs only: filing for any customer id would let it register
    complaints against strangers and learn, from ``NotFound`` or not, which customer ids exist. A role
    the command does not allow grants nothing (an engineer who is also a customer opens no service
    ticket for another)."""
    if any(role in roles and role not in _SCOPED and role is not Role.ENGINEER for role in actor.roles):
        return True
    scope = {"region": customer.region, "dealer_id": customer.dealer_id}
    if party_visible(actor, customer_id=customer.id, allowed=roles, **scope):
        return True
    if kind is TicketKind.COMPLAINT and Role.DEALER_STAFF in roles and dealer_serves(uow, actor, customer.id):
        return True
    return Role.ENGINEER in roles and engineer_serves(uow, actor, customer.id)


def _takes_the_call(actor: Actor, customer: Customer, dealer_id: str | None, roles: frozenset[Role]) -> bool:
    """May ``actor`` take ``customer``'s service call, which is ``dealer_id``'s job (the customer's
    dealer, else the unit's)? An allowed role not scoped by customer may (the office, the system); the
    customer for itself; dealer staff for their own dealer's job only.

    Seed 002: each dealer serves what it sold, installation to callback (乙方负责所售产品的全过程服务),
    from the user's call or the maker's notice (乙方接到用户的叫修(或者是甲方的电话通知)后); for the
    other customers of its region it makes the callbacks and surveys only (乙方有义务配合甲方对本区域的
    用户进行回访和满意度调查工作). The seed knows no service across dealers (跨区/异地): a call of a
    customer no dealer sold to, or another dealer's, is taken by the maker's office, which passes it
    on (dispatch). So a dealer books no ticket it could not work (:func:`~aftersales.service.
    permissions.dealers_job`), and its contract clock never starts at a call that is not its own.
    """
    for role in actor.roles:
        if role not in roles:
            continue
        if role not in _SCOPED:
            return True
        if role is Role.CUSTOMER and actor.customer_id is not None and actor.customer_id == customer.id:
            return True
        if role is Role.DEALER_STAFF and actor.dealer_id is not None and dealer_id == actor.dealer_id:
            return True
    return False


def with_tier(
    policy: object, tier: CustomerTier, floor: Priority, reasons: Sequence[Reason]
) -> tuple[Priority, Sequence[Reason]]:
    """The grade a pack's floor set at intake (an urgent call, a category), raised for the customer's
    importance as triage raises it (``[priority] vip_raises``, ``important_raises``).

    Seed 003 grades by urgency, complexity *and* the customer's importance (客户重要性), and the tier is
    known at the call: an urgent VIP call is as critical from the first instant as the triage will make
    it, so its clocks run on that grade. A grade the staff gave is theirs and is not raised; a custom
    priority policy decides at triage only; a complaint, which no triage grades (seed 004 classifies it),
    keeps the floor."""
    params = policy.params if isinstance(policy, DefaultPriority) else None
    if not isinstance(params, PriorityParams):
        return floor, reasons
    levels = {CustomerTier.VIP: params.vip_raises, CustomerTier.IMPORTANT: params.important_raises}.get(
        tier, 0
    )
    if not levels:
        return floor, reasons
    if floor is Priority.CRITICAL:
        return floor, (*reasons, Reason("customer_tier_kept", {"tier": tier.value}))
    return floor.raised(levels), (*reasons, Reason("customer_tier", {"tier": tier.value, "levels": levels}))


def _opened_facts(
    actor: Actor,
    terms: SlaTerms | None,
    claimed: bool = False,
    kind: TicketKind = TicketKind.SERVICE,
    continues: str | None = None,
) -> dict[str, JsonValue] | None:
    """What the ``opened`` event keeps beyond who and when: an agreement's SLA terms, the dealer whose
    staff took the call itself (its contract clock starts at the call, seed 002), and a customer's own
    claim that its request is urgent (``urgent_claimed``: for the specialist to mark, seed 001 三(二)2).

    A complaint is no call a dealer takes (乙方接到用户的叫修): the centre handles it (seed 004 第八条 2(1)),
    whoever registered it — a dealer's staff at the callback they made for the maker (分工 8) among them —
    so it is not stamped the dealer's; stamped, the KPIs by the dealer doing the job counted it in the
    dealer's row when its staff made the callback and in the maker's when the office did."""
    facts: dict[str, JsonValue] = {}
    if claimed:
        facts[URGENT_CLAIMED_KEY] = True
    if terms is not None:
        facts[PAYLOAD_KEY] = terms.payload()
    if actor.role is Role.DEALER_STAFF and actor.dealer_id and kind is not TicketKind.COMPLAINT:
        facts[TAKEN_BY_DEALER_KEY] = actor.dealer_id
    if continues is not None:  # a request handed over: the number the customer already holds
        facts[CONTINUES_KEY] = continues
    return facts or None


def write_opened(uow: UnitOfWork, tickets: Sequence[Ticket], words: Words = catalog_for) -> None:
    """Store tickets :func:`open_ticket_in` opened with ``opened``, and index them for search.

    The same rows as one ``tickets.add`` and one search ``put`` per ticket (tests hold them equal on
    every store), written as a batch: a daily job opening thousands of tickets paid some ten
    statements per ticket, and on SQLite a count of the pending search words on each (issue 26).
    """
    if tickets:
        uow.tickets.add_many(tickets)
        index_tickets(uow, tickets, words)


def _intake_reads(
    customer_id: str,
    asset_id: str | None,
    kind: TicketKind,
    sla_terms: SlaTerms | None,
    numbered_at: datetime | None,
) -> ReadAhead:
    """The reads :func:`open_ticket_in` makes next (the contracts as ``covering`` queries them for
    a unit of this customer's; a unit of nobody's or a dealer's contract reads the rest itself)."""
    entities: list[tuple[str, str]] = []
    queries: tuple[tuple[type[ServiceContract], str, object], ...] = ()
    if asset_id is not None:
        entities.append(("assets", asset_id))
        if sla_terms is None and kind is TicketKind.SERVICE:
            queries = ((ServiceContract, "customer_id", customer_id),)
    counter = ((TicketCounter, counter_id("ticket", numbered_at)),) if numbered_at is not None else ()
    return ReadAhead(tuple(entities), (*counter, STAMP_READ), queries, held=(("customers", customer_id),))


def _has_dues(ticket: Ticket) -> bool:
    """Whether the opening gave ``ticket`` any due time (none: the calendar's data ran out)."""
    return ticket.response_due_at is not None or ticket.resolution_due_at is not None
