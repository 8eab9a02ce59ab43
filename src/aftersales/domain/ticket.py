"""The Ticket aggregate: one customer problem from first contact to close, with its event log.

Every change goes through a method that checks the workflow first and only then mutates, so an
illegal step raises and leaves the ticket untouched. Every change appends a :class:`TicketEvent`;
the event log *is* the 售后问题台账 and replays to the current state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.attachments import Attachment
from aftersales.domain.call_shape import host_factories
from aftersales.domain.charges import ChargeSheet
from aftersales.domain.classification import Category, Channel, Plan, Priority, TicketKind
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.events import NO_PAYLOAD, JsonValue, TicketEvent, ordered_event
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.instants import require_aware
from aftersales.domain.no_fault import check_no_fault_record
from aftersales.domain.reasons import Reason
from aftersales.domain.repair_points import DESIGNATE_REPAIR_POINT, RepairPointNotice
from aftersales.domain.sla_held import HELD_KEY
from aftersales.domain.sla_reading import CONTACTED_AT_KEY
from aftersales.domain.text import optional_bounded, required_text
from aftersales.domain.ticket_workflow import (
    CLOSE_UNACCEPTED,
    MATERIALS_QUOTE_REFUSED,
    TICKET_WORKFLOW,
    TicketState,
)
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, CustomerNote, FaultRecord, Visit
from aftersales.domain.workflow import Workflow
from aftersales.errors import InvalidTransition, ValidationError

__all__ = [
    "CALLBACK_ATTEMPT_SPACING",
    "CALLBACK_REWORK_REASON",
    "CYCLE_INSTANTS",
    "ENDED_CYCLE_KEY",
    "OPENED",
    "OUTCOME_ACTIONS",
    "PLANNED_KEY",
    "Ticket",
    "ended_cycles",
    "workflow_for",
]

OPENED = "opened"
"""The action of a ticket's first event."""

ENDED_CYCLE_KEY = "ended_cycle"
"""Payload key of a ``reopen`` event: the ended cycle's ``response_due_at``, ``resolution_due_at`` and
``resolved_at`` (ISO instants or null), as the ticket held them when the problem came back, and its
``response_late_after`` and ``resolution_late_after`` when set (the late-after back-fill adds them to a
reopen stored before they were)."""


CYCLE_INSTANTS = (
    "response_due_at", "resolution_due_at", "resolved_at", "response_late_after", "resolution_late_after",
)  # fmt: skip
"""The instants :func:`ended_cycles` reads of a reopen's :data:`ENDED_CYCLE_KEY` (the late-after ones only
when the cycle's due was a working-time one at a window's end: ``None`` otherwise)."""


def ended_cycles(events: Sequence[TicketEvent]) -> list[tuple[datetime, dict[str, datetime | None]]]:
    """Each reopen's instant and the cycle it ended (instants parsed; a reopen recorded before the key
    existed, or with a value that is not an aware ISO instant, gives ``None`` for it)."""
    found: list[tuple[datetime, dict[str, datetime | None]]] = []
    for event in events:
        if event.action != "reopen" or not event.payload:
            continue
        raw = event.payload.get(ENDED_CYCLE_KEY)
        if not isinstance(raw, dict):
            continue
        cycle: dict[str, datetime | None] = {}
        for name in CYCLE_INSTANTS:
            value = raw.get(name)
            try:
                parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                parsed = None
            cycle[name] = parsed if parsed is not None and parsed.tzinfo is not None else None
        found.append((event.at, cycle))
    return found


CALLBACK_ATTEMPT_SPACING = timedelta(seconds=1)
"""The least time between two recorded failed callback attempts of one cycle. The seeds set no retry
interval; times are shown to the second, so two attempts closer than this read as one call recorded twice."""

OUTCOME_ACTIONS = frozenset({"resolve", "cancel", "withdraw"})
"""Steps whose note is the ticket's handling result (:attr:`Ticket.outcome`); ``reject`` and ``reopen``
clear it."""

MAX_DESCRIPTION = 4000

_WORKFLOWS: dict[TicketKind, Workflow] = {
    TicketKind.SERVICE: TICKET_WORKFLOW,
    TicketKind.COMPLAINT: COMPLAINT_WORKFLOW,
}


def workflow_for(kind: TicketKind) -> Workflow:
    """The workflow tickets of ``kind`` follow."""
    return _WORKFLOWS[kind]


_ID = required_text(64)
_DESCRIPTION = required_text(MAX_DESCRIPTION)
_SHORT = optional_bounded(64)


def _reason_facts(reasons: Iterable[Reason]) -> list[dict[str, JsonValue]]:
    return [{"code": r.code, "params": dict(r.params)} for r in reasons]


CALLBACK_REWORK_REASON = "callback: the problem is back"
"""The reason of the rework step a callback opens when the customer said nothing more (else their words
are its reason: see :meth:`Ticket.record_callback`)."""


PLANNED_KEY = "planned"
"""Payload key of a ``schedule_callback`` event: whether the pack's callback policy dated the callback
(absent on events recorded before session 27)."""


@host_factories
@attrs.define(eq=False)
class Ticket:
    """A service request (报修 / 服务请求 / 工单) or a complaint, and everything done about it.

    Create one with :meth:`open`. ``product_id``, ``batch``, ``region`` and ``dealer_id`` are
    copied from the asset and customer at intake so the ledger can be filtered on them.
    Due times (``*_due_at``) are set by the service layer from the SLA policy; they are derived
    data, re-derivable from the event log.
    """

    id: TicketId
    kind: TicketKind
    customer_id: CustomerId
    channel: Channel
    category: Category
    description: str
    received_at: datetime
    taken_by: ActorRef
    state: str = TicketState.NEW.value
    asset_id: AssetId | None = None
    product_id: ProductId | None = None
    batch: str | None = None
    region: str | None = None
    dealer_id: DealerId | None = None
    expected_by: datetime | None = None
    urgent: bool = False
    priority: Priority | None = None
    priority_reasons: tuple[Reason, ...] = ()
    assessment: Assessment | None = None
    assignee: Assignee | None = None
    # Tuples, replaced whole by the step that adds one (session 35, issue 21): most tickets have none or
    # a few, and a store hands out a copy of its ticket to every command, which shares tuples where it
    # made three lists (objects the garbage collector walks for as long as the ticket is kept).
    fault_records: tuple[FaultRecord, ...] = ()
    visits: tuple[Visit, ...] = ()
    notes: tuple[CustomerNote, ...] = ()
    events: list[TicketEvent] = attrs.field(factory=list)
    response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    callback_due_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 0
    # Issue 23: tags, custom field values (canonical text by name) and attachments. Immutable
    # values, replaced whole on change, so copies may share them.
    tags: tuple[str, ...] = ()
    custom_fields: Mapping[str, str] = attrs.field(factory=dict)
    attachments: tuple[Attachment, ...] = ()
    charges: ChargeSheet | None = None
    """The ticket's charge sheet (收费): assessed lines with reasons, quotes, payments (desk.charges)."""
    response_steps: tuple[str, ...] = ()
    """The steps its SLA counts as the response when they are not the standard ones
    (:data:`~aftersales.domain.sla_targets.RESPONSE_ACTIONS`; empty: the standard ones). The SLA service
    sets it from the policy's targets, so the reports, which read stored tickets without the policy,
    measure the response where the ticket's own SLA does."""
    response_late_after: datetime | None = None
    """The last instant a response still counts on time against :attr:`response_due_at`, when later than
    it: a working-time due at a working window's end (18:00 Friday; 12:00 before lunch) is met by an
    answer before the next window starts, no working time having passed. The SLA service sets it with
    the due (``None``: the due itself), so the reports, which read stored tickets without the calendar or
    the targets' bases, judge as the live SLA does (:func:`~aftersales.domain.sla_late.late_after`)."""
    resolution_late_after: datetime | None = None
    """The same for :attr:`resolution_due_at`."""
    resolution_steps: tuple[str, ...] = ()
    """The steps its SLA counts as meeting the resolution when they are not the standard ones (the
    acceptance, a complaint's feedback; empty: the standard ones): seed 003 二 5 在规定时限内给出解决方案
    times a complaint to its solution given (``propose_solution``, the decision returned as the solution).
    The SLA service sets it from the policy's targets, so the reports measure the resolution there too
    (:func:`~aftersales.domain.sla_solution.solution_given`)."""

    def __attrs_post_init__(self) -> None:
        # One pass over the intake fields instead of a validator call each: tickets are made in bulk.
        for name in _TUPLE_FIELDS:  # a list given is taken as a tuple: copies share these, never change them
            if type(getattr(self, name)) is not tuple:
                object.__setattr__(self, name, tuple(getattr(self, name)))
        _ID(self, _FIELDS.id, self.id)
        _DESCRIPTION(self, _FIELDS.description, self.description)
        require_aware(self.received_at, "received_at")
        if self.batch is not None:
            _SHORT(self, _FIELDS.batch, self.batch)
        if self.region is not None:
            _SHORT(self, _FIELDS.region, self.region)
        if self.expected_by is not None:
            require_aware(self.expected_by, "expected_by")

    # -- creation ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        id: TicketId,
        customer_id: CustomerId,
        channel: Channel,
        category: Category,
        description: str,
        received_at: datetime,
        taken_by: ActorRef,
        asset_id: AssetId | None = None,
        product_id: ProductId | None = None,
        batch: str | None = None,
        region: str | None = None,
        dealer_id: DealerId | None = None,
        expected_by: datetime | None = None,
        urgent: bool = False,
        kind: TicketKind = TicketKind.SERVICE,
        priority: Priority | None = None,
        priority_reasons: Sequence[Reason] = (),
        opened_facts: Mapping[str, JsonValue] | None = None,
    ) -> Ticket:
        """Register a new ticket (登记) and record the ``opened`` event.

        ``priority`` is the priority known at intake (given, or the pack's mapping of the urgent flag), with
        its reasons; the SLA clocks run on it from the first instant. Triage may change it later.
        ``opened_facts`` are further facts settled at intake, kept in the event's payload (issue 26: the
        SLA terms of the service contract covering the unit).
        """
        if not isinstance(channel, Channel):
            channel = Channel(channel)
        if not isinstance(category, Category):
            raise ValidationError(f"category must be a Category, got {category!r}", field="category")
        if expected_by is not None and require_aware(expected_by, "expected_by") < received_at:
            raise ValidationError(
                "the expected time cannot be before the ticket was received", field="expected_by"
            )
        workflow = _WORKFLOWS[kind]
        ticket = cls(
            id=id,
            kind=kind,
            customer_id=customer_id,
            channel=channel,
            category=category,
            description=description,
            received_at=received_at,
            taken_by=taken_by,
            state=workflow.initial,
            asset_id=asset_id,
            product_id=product_id,
            batch=batch,
            region=region,
            dealer_id=dealer_id,
            expected_by=expected_by,
            urgent=urgent,
        )
        payload: Mapping[str, JsonValue] = NO_PAYLOAD
        if priority is not None:
            priority = Priority(priority)
            ticket.priority = priority
            ticket.priority_reasons = tuple(priority_reasons)
            payload = {"priority": priority.value, "reasons": _reason_facts(priority_reasons)}
        if opened_facts:
            payload = {**payload, **opened_facts}
        ticket.events.append(
            TicketEvent(0, received_at, taken_by, OPENED, None, workflow.initial, None, payload)
        )
        return ticket

    def copy(self) -> Ticket:
        """An independent copy: the same values, with lists of its own.

        Why: everything a ticket holds is immutable except its lists, so this is all a store needs to
        keep a ticket it has stored and hand out copies that callers change freely (many times cheaper
        than parsing the stored text again).
        """
        return _copy(self)

    # -- the generic step -------------------------------------------------------------------

    @property
    def workflow(self) -> Workflow:
        """The workflow this ticket follows."""
        return _WORKFLOWS[self.kind]

    @property
    def is_open(self) -> bool:
        """False once closed or cancelled."""
        return not self.workflow.is_final(self.state)

    @property
    def last_event_at(self) -> datetime:
        """When the ticket last changed."""
        return self.events[-1].at

    def may_be_of(self, batch: str, product_id: str | None) -> bool:
        """Whether the ticket's unit, as far as it is known, is of ``batch`` of ``product_id`` (``None``:
        any product): a batch's incident concerns the tickets of that batch's units only (seed 004 第七条
        5(2): 同一批次的产品…同一质量问题). A ticket naming no batch or product may be."""
        other_batch = self.batch is not None and self.batch != batch
        other_product = self.product_id is not None and product_id not in (None, self.product_id)
        return not (other_batch or other_product)

    def can(self, trigger: str) -> bool:
        """True when ``trigger`` may fire from the current state."""
        return self.workflow.permits(self.state, trigger)

    def step(
        self,
        trigger: str,
        actor: ActorRef,
        at: datetime,
        *,
        reason: str | None = None,
        payload: Mapping[str, JsonValue] | None = None,
        reason_field: str = "reason",
    ) -> TicketEvent:
        """Fire ``trigger``: check it, record the event, move the state. Raises before any change.

        Subclass-free extension point: policies and the service layer call this for steps that
        need no extra data; the named methods below add their own facts. ``reason_field`` is the name
        the caller gave ``reason`` (a contact's ``note``, a resolution's ``summary``): a refusal names it.
        """
        return self._fire(trigger, actor, at, reason, payload, reason_field, TicketEvent)

    def _fire(
        self,
        trigger: str,
        actor: ActorRef,
        at: datetime,
        reason: str | None,
        payload: Mapping[str, JsonValue] | None,
        reason_field: str,
        make: Callable[..., TicketEvent],
    ) -> TicketEvent:
        """:meth:`step`, its event made by ``make``: the class (which sorts a payload's keys where they are
        not), or :func:`~aftersales.domain.events.ordered_event` for a step whose payload is built sorted
        at every depth (its reasons' parameters sorted by :class:`Reason` itself), so its keys are not
        walked again (issue 21: that walk was a tenth of a triage's CPU on the memory store)."""
        workflow = self.workflow
        try:
            target = workflow.target(self.state, trigger)
        except InvalidTransition as exc:
            raise InvalidTransition(
                exc.workflow, exc.state, exc.trigger, ticket_id=self.id, command=trigger
            ) from None
        self._check(trigger, actor, at, reason, workflow, reason_field)
        if reason is not None and not reason.strip():
            reason = None  # a blank reason says nothing: stored as none, never as whitespace to show
        event = make(
            len(self.events),
            at,
            actor,
            trigger,
            self.state,
            target,
            reason,
            dict(payload) if payload else NO_PAYLOAD,
        )
        self.events.append(event)
        self.state = target
        return event

    def _check(
        self,
        trigger: str,
        actor: ActorRef,
        at: datetime,
        reason: str | None,
        workflow: Workflow,
        reason_field: str = "reason",
    ) -> None:
        if not isinstance(actor, ActorRef):
            raise ValidationError("actor must be an ActorRef", field="actor")
        require_aware(at, "at")
        if self.events and at < self.events[-1].at:
            raise ValidationError(
                f"{trigger} at {at.isoformat()} is earlier than the ticket's last event "
                f"({self.events[-1].at.isoformat()}); events are recorded in time order",
                field="at",
            )
        if reason is not None and (not isinstance(reason, str) or len(reason) > 2000):
            raise ValidationError(
                f"{reason_field} must be text of at most 2000 characters",
                field=reason_field,
                rule="too_long" if isinstance(reason, str) else "text",
                rule_params={"most": 2000},
            )
        if workflow.spec(trigger).needs_reason and not (reason and reason.strip()):
            raise ValidationError(f"{trigger} needs a {reason_field}", field=reason_field)

    # -- named steps ------------------------------------------------------------------------

    def triage(
        self,
        actor: ActorRef,
        at: datetime,
        assessment: Assessment,
        priority: Priority,
        reasons: Sequence[Reason] = (),
        *,
        reason: str | None = None,
        urgent: bool = False,
    ) -> TicketEvent:
        """Record the assessment and the priority decided for it (with the policy's reasons).

        A priority that differs from the one set at intake keeps the previous one in the event; ``reason``
        says why the handler set it. ``urgent`` is the handler marking the problem urgent (seed 001
        三(二)2: 售后专员应立即标记): kept on the event and the ticket from then on (never unmarked here).
        """
        if not isinstance(assessment, Assessment):
            raise ValidationError("assessment must be an Assessment", field="assessment")
        priority = Priority(priority)
        # Keys in sorted order, as the event keeps them: then it need not sort a copy (canonical).
        payload: dict[str, JsonValue] = {"plan": assessment.plan.value}
        if self.priority is not None and self.priority is not priority:
            payload["previous_priority"] = self.priority.value
        payload["priority"] = priority.value
        payload["reasons"] = _reason_facts(reasons)
        payload["severity"] = assessment.severity.value
        marked = urgent is True and not self.urgent
        if marked:
            payload["urgent"] = True
        # Sorted at every depth as built (the keys above, a reason's own): made without walking it again.
        event = self._fire("triage", actor, at, reason, payload, "reason", ordered_event)
        if marked:
            self.urgent = True
        self.assessment = assessment
        self.priority = priority
        self.priority_reasons = tuple(reasons)
        return event

    def mark_urgent(
        self,
        actor: ActorRef,
        at: datetime,
        priority: Priority | None,
        reasons: Sequence[Reason] = (),
        *,
        reason: str | None = None,
    ) -> TicketEvent:
        """The handler marks a complaint urgent (seed 001 三(二)2: 对于紧急问题,售后专员应立即标记):
        kept on the event and the ticket from then on. ``priority`` is the grade the pack's urgent floor
        gives it, recorded with the previous one when it changes (``None`` or the same: unchanged)."""
        payload: dict[str, JsonValue] = {}
        graded = Priority(priority) if priority is not None else None
        changed = graded is not None and graded is not self.priority
        if graded is not None and changed:
            if self.priority is not None:
                payload["previous_priority"] = self.priority.value
            payload["priority"] = graded.value
            payload["reasons"] = _reason_facts(reasons)
        payload["urgent"] = True
        event = self.step("mark_urgent", actor, at, reason=reason, payload=payload)
        self.urgent = True
        if graded is not None and changed:
            self.priority = graded
            self.priority_reasons = tuple(reasons)
        return event

    def refer_for_assessment(
        self, actor: ActorRef, at: datetime, engineer_id: str, note: str | None = None
    ) -> TicketEvent:
        """Refer the new problem to ``engineer_id`` for assessment (seed 001 三(三): 售后专员将客户反馈的问题
        及时分配给相关人员进行评估); a later referral replaces the earlier one (:attr:`assessor`)."""
        if not isinstance(engineer_id, str) or not engineer_id.strip() or len(engineer_id) > 64:
            raise ValidationError("engineer_id names an engineer", field="engineer_id")
        return self.step(
            "refer_for_assessment",
            actor,
            at,
            reason=note,
            payload={"engineer": engineer_id},
            reason_field="note",
        )

    @property
    def assessor(self) -> str | None:
        """The engineer the ticket was last referred to for assessment (``None``: never referred). They
        read the ticket and triage it while it is new (the permission table's scope); the referral's read
        ends with the assessment."""
        for event in reversed(self.events):
            if event.action == "refer_for_assessment":
                found = event.payload.get("engineer")
                return found if isinstance(found, str) else None
        return None

    def designate_repair_point(self, actor: ActorRef, at: datetime, notice: RepairPointNotice) -> TicketEvent:
        """Record the repair point the customer is to bring the product to (seed 000 4.派工处理: 要求客户
        将产品送至指定维修地点): only for a repair assessed as one at the depot (``ValidationError`` naming
        ``ticket_id`` otherwise); a later designation replaces the earlier one (:attr:`repair_point`)."""
        if not isinstance(notice, RepairPointNotice):
            raise ValidationError("notice must be a RepairPointNotice", field="point_id")
        self.check_repair_point_designation()
        return self.step(DESIGNATE_REPAIR_POINT, actor, at, payload=notice.payload())

    def check_repair_point_designation(self) -> None:
        """Raise unless a repair point may be designated now: ``InvalidTransition`` outside the step's
        states, ``ValidationError`` naming ``ticket_id`` for a ticket not assessed as a depot repair."""
        if not self.can(DESIGNATE_REPAIR_POINT):
            state = self.state
            raise InvalidTransition(
                self.workflow.name,
                state,
                DESIGNATE_REPAIR_POINT,
                ticket_id=self.id,
                command=DESIGNATE_REPAIR_POINT,
            )
        if self.assessment is None or self.assessment.plan is not Plan.DEPOT:
            raise ValidationError(
                f"ticket {self.id} is not assessed as a depot repair: no repair point to bring it to",
                field="ticket_id",
            )

    @property
    def repair_point(self) -> RepairPointNotice | None:
        """The repair point the customer was last told to bring the product to, while the ticket is a
        depot repair (``None``: none designated, or the plan changed since)."""
        if self.assessment is None or self.assessment.plan is not Plan.DEPOT:
            return None
        for event in reversed(self.events):
            if event.action == DESIGNATE_REPAIR_POINT:
                return RepairPointNotice.from_payload(event.payload)
            if event.action == "triage":
                return None  # assessed again since: a designation before it is not in force
        return None

    def assign(
        self,
        actor: ActorRef,
        at: datetime,
        assignee: Assignee,
        *,
        reason: str | None = None,
        reasons: Sequence[Reason] = (),
        dealer: str | None = None,
    ) -> TicketEvent:
        """Dispatch (派工) to ``assignee``; a ticket already assigned is reassigned, keeping history.

        ``dealer`` names the dealer an engineer assignee works for (a dealer's own engineer): the ticket
        is then in that dealer's hands, and its contract clock runs (seed 002).
        """
        if not isinstance(assignee, Assignee):
            raise ValidationError("assignee must be an Assignee", field="assignee")
        trigger = "assign" if self.state == TicketState.TRIAGED else "reassign"
        # Keys in sorted order, as the event keeps them: then it need not sort a copy (canonical).
        payload: dict[str, JsonValue] = {
            "assignee": {"id": assignee.id, "kind": assignee.kind.value, "name": assignee.name},
        }
        if dealer is not None and assignee.kind is AssigneeKind.ENGINEER:
            payload["dealer"] = dealer
        if self.assignee is not None:
            payload["previous"] = {"id": self.assignee.id, "kind": self.assignee.kind.value}
        payload["reasons"] = _reason_facts(reasons)
        # Sorted at every depth as built (the keys above, the assignee's, a reason's own), as a triage's:
        # made without walking it again (issue 21). A dealer that is not text takes the checking path.
        make = ordered_event if dealer is None or type(dealer) is str else TicketEvent
        event = self._fire(trigger, actor, at, reason, payload, "reason", make)
        self.assignee = assignee
        return event

    def resolve(
        self, actor: ActorRef, at: datetime, *, summary: str | None = None, remote: bool = False
    ) -> TicketEvent:
        """Mark the problem solved (on site, at the depot, or by remote guidance from triage).

        ``summary`` is the handling result the ledger and the customer read (处理结果): omitted, or text
        that says something — a blank one is refused (``ValidationError`` naming ``summary``).
        """
        if summary is not None and isinstance(summary, str) and not summary.strip():
            raise ValidationError(
                "summary says what was done: omit it rather than leave it blank", field="summary"
            )
        remote = remote or self.state == TicketState.TRIAGED
        event = self.step(
            "resolve", actor, at, reason=summary, payload={"remote": remote}, reason_field="summary"
        )
        if not self.needs_acceptance:
            self.resolved_at = at  # a complaint is resolved when handled; a service ticket when accepted
        return event

    @property
    def needs_acceptance(self) -> bool:
        """Whether the customer's acceptance (``confirm``) marks the resolution (service tickets)."""
        return "confirm" in self.workflow.triggers

    @property
    def outcome(self) -> str | None:
        """The handling result (处理结果) the ledger records (seed 001: 问题台账 … 处理结果; seed 004:
        将处理结果登记好): the summary given when the work was marked done (a complaint: the outcome
        reported to the customer), or the reason it was cancelled or withdrawn. ``None`` while nothing
        has been handled, and again once the customer rejected the work or the problem came back."""
        for event in reversed(self.events):
            action = event.action
            if action in OUTCOME_ACTIONS:
                return event.reason or None
            if action in ("reject", "reopen"):
                return None
        return None

    @property
    def told_expected_at(self) -> datetime | None:
        """The visit or solution time the customer was last told (seed 003: 告知预计上门或解决时间): the
        ``expected_at`` of the latest contact that named one, in the ticket's received-at zone (the
        payload keeps the instant as aware ISO text, with its offset only). ``None`` when none did."""
        for event in reversed(self.events):
            if event.action != "contact_customer":
                continue
            value = event.payload.get("expected_at")
            if not isinstance(value, str):
                continue
            try:
                told = datetime.fromisoformat(value)
            except ValueError:
                continue
            if told.tzinfo is not None:
                zone = self.received_at.tzinfo
                return told.astimezone(zone) if zone is not None else told
        return None

    @property
    def waits_on_refused_quote(self) -> bool:
        """Whether the ticket waits (``awaiting_customer``) because the customer refused a quote, the
        charge sheet's or the materials desk's (seed 002: 用户不接受…上报上级处理): the customer agreeing to
        pay after all lets the work go on."""
        if self.state != TicketState.AWAITING_CUSTOMER:
            return False
        for event in reversed(self.events):
            if event.to_state == TicketState.AWAITING_CUSTOMER.value and event.from_state != event.to_state:
                return event.action in ("refuse_quote", MATERIALS_QUOTE_REFUSED)
        return False

    @property
    def work_done_at(self) -> datetime | None:
        """When the work was last marked done (``resolve``) in the current cycle, if it was."""
        for event in reversed(self.events):
            if event.action == "resolve":
                return event.at
            if event.action in ("reject", "reopen"):
                return None
        return None

    def confirm(
        self,
        actor: ActorRef,
        at: datetime,
        *,
        note: str | None = None,
        channel: str | None = None,
    ) -> TicketEvent:
        """The customer accepts the work (验收确认 / 服务单签字): resolved-at is this instant.

        ``channel`` says how staff received the customer's confirmation (``service_slip``, ``phone``,
        ``app``…); the customer confirming themself needs none, and may name the one they used. The
        event's ``by`` says who recorded it: the customer (whatever the channel) or staff. The ticket
        then awaits its callback.
        """
        by = "customer" if isinstance(actor, ActorRef) and actor.role is Role.CUSTOMER else "staff"
        payload: dict[str, JsonValue] = {"by": by}
        if channel is not None:
            payload["channel"] = channel
        event = self.step("confirm", actor, at, reason=note, payload=payload, reason_field="note")
        self.resolved_at = at
        return event

    def close(self, actor: ActorRef, at: datetime, reason: str | None = None) -> TicketEvent:
        """Close an accepted ticket (after its callback, which the service layer checks)."""
        event = self.step("close", actor, at, reason=reason)
        self.closed_at = at
        return event

    def close_unaccepted(self, actor: ActorRef, at: datetime, reason: str) -> TicketEvent:
        """Close a resolved ticket whose acceptance nobody may ask for any more (its customer's personal
        data erased), with the reason. The acceptance is not recorded: none was given."""
        event = self.step(CLOSE_UNACCEPTED, actor, at, reason=reason)
        self.closed_at = at
        return event

    def reject(self, actor: ActorRef, at: datetime, reason: str) -> TicketEvent:
        """The customer does not accept the work: it must be redone (rework; the clock keeps running)."""
        event = self.step("reject", actor, at, reason=reason)
        self.resolved_at = None
        return event

    def contact_customer(
        self,
        actor: ActorRef,
        at: datetime,
        *,
        channel: str,
        note: str | None = None,
        expected_at: datetime | None = None,
        contacted_at: datetime | None = None,
    ) -> TicketEvent:
        """Record a customer-facing contact (a call, a message): the first one is the SLA response.

        ``contacted_at`` is when a contact recorded after the fact was made (a call taken away from the
        system, entered later: seed 001 沟通记录…包括沟通时间): not before the request came in nor after
        ``at`` (``ValidationError`` naming ``at``). The response clock and the reports count it then
        (:func:`~aftersales.domain.sla_reading.answered_at`); the event keeps its entry instant.
        Nor before the reopen that began the current cycle (``ValidationError`` naming ``at``): the reopen
        closed the earlier cycle and kept it as the SLA judged it (seed 003 二 3: the response is that
        cycle's), and a reopened cycle has no response target, so such a contact counted nowhere.

        ``expected_at`` is the visit or solution time the customer was told (seed 003): a time still to
        come — one already past tells the customer nothing (seed 001: 沟通内容应准确, 避免模糊).

        ``note`` is what was said, and is required: seed 001 五(三)3 — 沟通记录应详细、完整, 包括沟通时间、
        沟通方式、沟通内容等 — the contact record keeps its content beside its time and method (a missing or
        blank note is a ``ValidationError`` naming ``note``; nothing changes).
        """
        if not isinstance(note, str) or not note.strip():
            raise ValidationError(
                "a contact with the customer records what was said (seed 001: 沟通内容): give note",
                field="note",
            )
        payload: dict[str, JsonValue] = {"channel": channel}
        made = at
        if contacted_at is not None:
            made = require_aware(contacted_at, "at")
            if made > at or made < self.received_at:
                raise ValidationError(
                    f"a contact recorded after the fact was made ({made.isoformat()}) between the request"
                    f" ({self.received_at.isoformat()}) and now ({at.isoformat()})",
                    field="at",
                )
            began = self._cycle_began()
            if made < began:
                # The reopen closed that cycle and kept it (its response judged as the SLA judged it then);
                # a reopened cycle has no response target: the contact would count nowhere.
                raise ValidationError(
                    f"a contact made at {made.isoformat()} belongs to a cycle the reopen at"
                    f" {began.isoformat()} closed: a contact entered after the fact is made in the current"
                    " cycle (enter it before the reopen, or give a time since then)",
                    field="at",
                )
            if made < at:
                payload[CONTACTED_AT_KEY] = made.isoformat()
        if expected_at is not None:
            if require_aware(expected_at, "expected_at") < made:
                raise ValidationError(
                    f"expected_at ({expected_at.isoformat()}) is already past: the customer is told a time"
                    " still to come",
                    field="expected_at",
                )
            payload["expected_at"] = expected_at.isoformat()
        return self.step("contact_customer", actor, at, reason=note, payload=payload, reason_field="note")

    def _cycle_began(self) -> datetime:
        """When the current cycle began: the last reopen, else the request coming in."""
        for event in reversed(self.events):
            if event.action == "reopen":
                return event.at
        return self.received_at

    def callback_attempt(
        self, actor: ActorRef, at: datetime, *, note: str | None = None, channel: str = "phone"
    ) -> TicketEvent:
        """A failed attempt to reach the customer for the callback, on ``channel`` (recorded; the pack may
        allow closing after a number of them).

        One attempt is one call: an attempt less than :data:`CALLBACK_ATTEMPT_SPACING` after the last one
        of this cycle is the same call recorded twice (a double submission), which the record could not
        tell from two calls, and which would count towards closing without the callback the seeds require
        (003: 24小时内对客户进行回访). Refused with ``ValidationError`` naming ``at``; nothing changes.

        ``note`` is the attempt's outcome, and is required: seed 001 五(三)3 — 沟通记录应详细、完整, 包括沟通
        时间、沟通方式、沟通内容 — an attempt has its time (``at``) and way (``channel``) like any contact,
        and, nothing having been said, its content is what came of it (无人接听, 关机, 空号, 拒接…): the
        record that lets the pack close the ticket without its callback must say why the customer was not
        reached. A missing or blank note is a ``ValidationError`` naming ``note``; nothing changes.
        """
        require_aware(at, "at")
        if not isinstance(note, str) or not note.strip():
            raise ValidationError(
                "a failed callback attempt records its outcome (seed 001: 沟通内容 — 无人接听, 关机, 空号…): "
                "give note",
                field="note",
            )
        last = self._last_callback_attempt() if self.can("callback_attempt") else None  # else: refused
        if last is not None and at - last < CALLBACK_ATTEMPT_SPACING:
            raise ValidationError(
                f"a failed callback attempt at {at.isoformat()} repeats the one recorded at "
                f"{last.isoformat()}: attempts to reach the customer are separate calls, at least "
                f"{CALLBACK_ATTEMPT_SPACING.total_seconds():g} s apart",
                field="at",
            )
        payload: dict[str, JsonValue] = {"reached": False, "channel": channel}
        return self.step("callback_attempt", actor, at, reason=note, payload=payload, reason_field="note")

    def _last_callback_attempt(self) -> datetime | None:
        """When the last failed callback attempt of this cycle was recorded, if any."""
        for event in reversed(self.events):
            if event.action == "callback_attempt":
                return event.at
            if event.action in ("reopen", "reject"):
                return None
        return None

    @property
    def dispatched_dealer(self) -> str | None:
        """The dealer the ticket is dispatched to (its assignee, when a dealer), else ``None``: with
        :attr:`dealer_id` (the dealer it belongs to) the two ways a ticket is a dealer's (seed 002)."""
        assignee = self.assignee
        return assignee.id if assignee is not None and assignee.kind is AssigneeKind.DEALER else None

    @property
    def callback_attempts(self) -> int:
        """Failed callback attempts of this cycle (since the last reopen or rejection: before the
        acceptance was recorded too, where the pack counts the callback from the result's entry)."""
        count = 0
        for event in reversed(self.events):
            if event.action == "callback_attempt":
                count += 1
            elif event.action in ("reopen", "reject"):
                break
        return count

    @property
    def callback_done(self) -> bool:
        """Whether this cycle's callback was recorded: since the last reopen or rejection (after the
        acceptance, or — a pack counting the callback from the result's entry — before the acceptance
        was recorded: seed 003 二 5)."""
        for event in reversed(self.events):
            if event.action == "record_callback":
                return True
            if event.action in ("reopen", "reject"):
                return False
        return False

    def extend_sla(
        self, actor: ActorRef, at: datetime, *, target: str, new_limit_seconds: int, reason: str
    ) -> TicketEvent:
        """Record an approved special case: ``target`` now allows ``new_limit_seconds`` (the service layer
        checks the pack's maximum)."""
        return self.step(
            "extend_sla",
            actor,
            at,
            reason=reason,
            payload={"new_limit_seconds": new_limit_seconds, "sla_extension": target},
        )

    def reopen(self, actor: ActorRef, at: datetime, reason: str) -> TicketEvent:
        """A closed ticket's problem is back (e.g. found at the callback): rework it.

        The event keeps the cycle it ends (:data:`ENDED_CYCLE_KEY`: its due times and resolution), so a
        report judges the earlier cycle as the SLA did, not only the new one.
        """
        event = self.step("reopen", actor, at, reason=reason, payload=self._ended_cycle())
        self.resolved_at = None
        self.closed_at = None
        return event

    def _ended_cycle(self) -> dict[str, JsonValue]:
        """The payload of a reopen: the due times and the resolution of the cycle it ends."""

        def iso(at: datetime | None) -> str | None:
            return at.isoformat() if at is not None else None

        return {
            ENDED_CYCLE_KEY: {
                "response_due_at": iso(self.response_due_at),
                "resolution_due_at": iso(self.resolution_due_at),
                "resolved_at": iso(self.resolved_at),
                # only when set: a wall-clock cycle's payload stays as it was
                **{
                    name: iso(at)
                    for name, at in (
                        ("response_late_after", self.response_late_after),
                        ("resolution_late_after", self.resolution_late_after),
                    )
                    if at is not None
                },
            }
        }

    def cancel(
        self, actor: ActorRef, at: datetime, reason: str, payload: Mapping[str, JsonValue] | None = None
    ) -> TicketEvent:
        """Cancel an open ticket, with a reason (and ``payload``: the facts behind a cancellation the
        desk makes itself, such as the complaint whose remedy it was). A complaint cancelled after its
        feedback is no longer one handled: ``resolved_at`` is cleared (the KPI's resolution rates count it
        cancelled only)."""
        return self._end_unhandled("cancel", actor, at, reason, payload)

    def withdraw(self, actor: ActorRef, at: datetime, reason: str) -> TicketEvent:
        """The customer withdraws a complaint (撤诉), with a reason; after its feedback too, when it is then
        no longer one handled, as on :meth:`cancel`."""
        return self._end_unhandled("withdraw", actor, at, reason)

    def _end_unhandled(
        self,
        trigger: str,
        actor: ActorRef,
        at: datetime,
        reason: str,
        payload: Mapping[str, JsonValue] | None = None,
    ) -> TicketEvent:
        event = self.step(trigger, actor, at, reason=reason, payload=payload)
        self.closed_at = at
        self.resolved_at = None
        return event

    def record_fault(self, actor: ActorRef, at: datetime, record: FaultRecord) -> TicketEvent:
        """Add a coded fault record (symptom → cause → action)."""
        if not isinstance(record, FaultRecord):
            raise ValidationError("record must be a FaultRecord", field="record")
        check_no_fault_record(record)  # 故障不属实: no part, no faulty component
        event = self.step(
            "record_fault",
            actor,
            at,
            payload={
                "action": record.action,
                "cause": record.cause,
                "part": record.part,
                "symptom": record.symptom,
            },
        )
        self.fault_records = (*self.fault_records, record)
        return event

    def add_visit(self, actor: ActorRef, at: datetime, visit: Visit) -> TicketEvent:
        """Plan or record an on-site visit.

        The service record keeps the service time as it was (seed 000: 记录…服务时间, 确保信息的准确性):
        a visit recorded as done arrived and left between the request coming in and now (``at``), and
        one that left has arrived; a visit planned is planned after the request came in.
        """
        if not isinstance(visit, Visit):
            raise ValidationError("visit must be a Visit", field="visit")
        if visit.left_at is not None and visit.arrived_at is None:
            raise ValidationError("a visit that left has arrived: give arrived_at too", field="left_at")
        if visit.planned_at < self.received_at:
            raise ValidationError(
                f"a visit cannot be planned before the request came in ({self.received_at.isoformat()})",
                field="planned_at",
            )
        for name, when in (("arrived_at", visit.arrived_at), ("left_at", visit.left_at)):
            if when is None:
                continue
            if when > at:
                raise ValidationError(
                    f"{name} is in the future: a visit is recorded once it took place", field=name
                )
            if when < self.received_at:
                raise ValidationError(
                    f"{name} is before the request came in ({self.received_at.isoformat()})", field=name
                )
        event = self.step(
            "add_visit",
            actor,
            at,
            payload={
                "arrived_at": visit.arrived_at.isoformat() if visit.arrived_at else None,
                "engineer_id": visit.engineer_id,
                "kind": visit.kind.value,
                "planned_at": visit.planned_at.isoformat(),
            },
        )
        self.visits = (*self.visits, visit)
        return event

    def note_to_customer(self, actor: ActorRef, at: datetime, note: CustomerNote) -> TicketEvent:
        """Add a progress note (visible to the customer unless marked internal)."""
        if not isinstance(note, CustomerNote):
            raise ValidationError("note must be a CustomerNote", field="note")
        event = self.step(
            "note_to_customer",
            actor,
            at,
            # Keys in sorted order, as in every step: another order is sorted into a copy (domain.canonical).
            payload={"index": len(self.notes), "visible": note.visible_to_customer},
        )
        self.notes = (*self.notes, note)
        return event

    def schedule_callback(
        self, actor: ActorRef, at: datetime, due_at: datetime, *, planned: bool | None = None
    ) -> TicketEvent:
        """Plan the callback (回访) due at ``due_at``. ``planned`` says whether the pack's callback policy
        dated it (``True``) or a person gave the date (``False``, 客户约定的回访时间); kept on the event
        (``payload["planned"]``) so a later change of the pack moves only the policy's dates."""
        require_aware(due_at, "due_at")
        payload: dict[str, JsonValue] = {"due_at": due_at.isoformat()}
        if planned is not None:
            payload[PLANNED_KEY] = planned
        event = self.step("schedule_callback", actor, at, payload=payload)
        self.callback_due_at = due_at
        return event

    def record_callback(
        self,
        actor: ActorRef,
        at: datetime,
        *,
        problem_back: bool,
        facts: Mapping[str, JsonValue] | None = None,
        why: str | None = None,
    ) -> TicketEvent:
        """Record the callback: what the customer said (``facts``) and whether the problem is back.

        A problem that is back sends the work back (seed 004): an accepted or closed ticket, or a complaint
        whose outcome was given, is reopened (a new cycle: the handling already judged stays so; 第八条
        2(6) 回访发现的问题应及时再处理), a service ticket still resolved is rejected, with ``why`` as the
        reason. Checked before anything is recorded.
        """
        workflow = self.workflow
        if not self.can("record_callback"):  # the callback itself is refused, whatever it found
            raise InvalidTransition(
                workflow.name, self.state, "record_callback", ticket_id=self.id, command="record_callback"
            )
        follow = None
        if problem_back:
            follow = "reopen" if "reopen" in workflow.allowed(self.state) else "reject"
        if follow is not None:
            self.workflow.target(self.state, follow)
        payload: dict[str, JsonValue] = {"problem_back": bool(problem_back)}
        if facts:
            payload.update(facts)
        event = self.step("record_callback", actor, at, payload=payload)
        if follow is not None:
            ended = self._ended_cycle() if follow == "reopen" else None
            self.step(follow, actor, at, reason=why or CALLBACK_REWORK_REASON, payload=ended)
            self.resolved_at = None
            self.closed_at = None
        return event

    # -- tags, custom fields, attachments (issue 23) -----------------------------------------

    def retag(self, actor: ActorRef, at: datetime, tags: tuple[str, ...]) -> TicketEvent | None:
        """Replace the tags with ``tags`` (already normalised); ``None`` when nothing changes."""
        if tuple(tags) == self.tags:
            return None
        added = sorted(set(tags) - set(self.tags))
        removed = sorted(set(self.tags) - set(tags))
        event = self.step("tag", actor, at, payload={"added": list(added), "removed": list(removed)})
        self.tags = tuple(tags)
        return event

    def reclassify(
        self,
        actor: ActorRef,
        at: datetime,
        category: Category,
        reason: str,
        *,
        held: Mapping[str, datetime] | None = None,
        priority: Priority | None = None,
        priority_reasons: Sequence[Reason] = (),
    ) -> TicketEvent:
        """Correct the category the request was logged under (a repair call that was an inquiry), with
        ``reason``; the event keeps the category it replaces. Raises before any change.

        ``priority`` is the grade the pack's rules give the request in its new category (with the
        policy's ``priority_reasons``): when it differs, the event records it with the previous one, as a
        triage does, and the SLA clocks follow it from this instant (seed 003 grades the request; the
        grade follows the class it is in).

        ``held`` are the targets whose announced breach the new category's longer targets would undo, with
        the due each passed: the event records them (:data:`~aftersales.domain.sla_held.HELD_KEY`) and the
        SLA holds them (seeds 003/004 考核: a month judged is not changed by a correction)."""
        if not isinstance(category, Category):
            raise ValidationError(f"category must be a Category, got {category!r:.40}", field="category")
        if category == self.category and self.can("reclassify"):
            raise ValidationError(f"the ticket is already of category {category.code}", field="category")
        payload: dict[str, JsonValue] = {"from": self.category.code, "to": category.code}
        if held:
            payload[HELD_KEY] = {name: due.isoformat() for name, due in sorted(held.items())}
        regraded = priority is not None and Priority(priority) is not (self.priority or Priority.NORMAL)
        if priority is not None and regraded:
            payload["priority"] = Priority(priority).value
            payload["previous_priority"] = (self.priority or Priority.NORMAL).value
            payload["reasons"] = _reason_facts(priority_reasons)
        event = self.step("reclassify", actor, at, reason=reason, payload=payload)
        self.category = category
        if priority is not None and regraded:
            self.priority = Priority(priority)
            self.priority_reasons = tuple(priority_reasons)
        return event

    def hand_over_to_complaint(
        self, actor: ActorRef, at: datetime, complaint_id: str, reason: str
    ) -> tuple[TicketEvent, TicketEvent]:
        """The request was a complaint (投诉, seed 004 第七条 3), now registered as ``complaint_id``: the
        ``reclassify`` event names it, and the request is cancelled (no repair or inquiry to work), with
        ``reason``. Raises before any change."""
        if not isinstance(complaint_id, str) or not complaint_id:
            raise ValidationError("complaint_id names the complaint opened", field="complaint_id")
        if not self.can("cancel"):  # reclassified and not cancelled would leave two open records
            raise InvalidTransition(self.workflow.name, self.state, "reclassify", ticket_id=self.id)
        payload: dict[str, JsonValue] = {
            "from": self.category.code,
            "to": "complaint",
            "complaint_id": complaint_id,
        }
        event = self.step("reclassify", actor, at, reason=reason, payload=payload)
        return event, self.cancel(actor, at, reason)

    def set_custom_fields(
        self, actor: ActorRef, at: datetime, values: Mapping[str, str]
    ) -> TicketEvent | None:
        """Replace the custom field values (validated by the desk's field set); ``None`` if unchanged."""
        new = dict(values)
        if new == dict(self.custom_fields):
            return None
        changed = {k: v for k, v in new.items() if self.custom_fields.get(k) != v}
        cleared = sorted(set(self.custom_fields) - set(new))
        event = self.step("set_fields", actor, at, payload={"cleared": list(cleared), "set": dict(changed)})
        self.custom_fields = new
        return event

    def attach(self, actor: ActorRef, at: datetime, attachment: Attachment) -> TicketEvent:
        """Record a new attachment (its bytes are already stored)."""
        if not isinstance(attachment, Attachment):
            raise ValidationError("attachment must be an Attachment", field="attachment")
        if any(a.id == attachment.id for a in self.attachments):
            raise ValidationError(
                f"attachment {attachment.id!r} is already on the ticket", field="attachment"
            )
        event = self.step(
            "attach",
            actor,
            at,
            payload={
                "attachment": attachment.id,
                "kind": attachment.kind.value,
                "media_type": attachment.media_type,
                "name": attachment.name,
                "sha256": attachment.sha256,
                "size": attachment.size,
            },
        )
        self.attachments = (*self.attachments, attachment)
        return event

    def detach(
        self, actor: ActorRef, at: datetime, attachment_id: str, reason: str | None = None
    ) -> TicketEvent:
        """Remove an attachment; the event keeps what it was (not its bytes)."""
        found = next((a for a in self.attachments if a.id == attachment_id), None)
        if found is None:
            raise ValidationError(
                f"no attachment {attachment_id!r} on ticket {self.id}", field="attachment_id"
            )
        event = self.step(
            "detach",
            actor,
            at,
            reason=reason,
            payload={"attachment": found.id, "kind": found.kind.value, "sha256": found.sha256},
        )
        self.attachments = tuple(a for a in self.attachments if a.id != attachment_id)
        return event

    def record_charges(
        self,
        trigger: str,
        actor: ActorRef,
        at: datetime,
        sheet: ChargeSheet,
        *,
        reason: str | None = None,
        payload: Mapping[str, JsonValue] | None = None,
    ) -> TicketEvent:
        """Fire a charging step (``assess_charges``, ``offer_quote``, …) and keep ``sheet`` as the new sheet.

        The sheet is replaced, never changed in place, so a step that raises leaves the old one.
        """
        if not isinstance(sheet, ChargeSheet) or sheet.ticket_id != self.id:
            raise ValidationError("the charge sheet must be this ticket's", field="charges")
        event = self.step(trigger, actor, at, reason=reason, payload=payload)
        self.charges = sheet
        return event

    # -- derived ----------------------------------------------------------------------------

    def replay_state(self) -> str:
        """The state the event log leads to, checking every step against the workflow.

        Checked as :meth:`step` checks a step as it happens: each event numbered by its place in the log,
        none earlier than the one before it (events are recorded in time order), and a step the workflow
        gives only with a reason (cancel, reject, reopen…) has one. ``ValidationError`` naming ``events``.
        """
        workflow = self.workflow
        state: str | None = None
        last_us: int | None = None
        for index, event in enumerate(self.events):
            if event.seq != index:
                raise ValidationError(f"event {event.seq} is number {index} of the log", field="events")
            if last_us is not None and event.at_us < last_us:
                raise ValidationError(
                    f"event {event.seq} ({event.action} at {event.at.isoformat()}) is earlier than the "
                    "event before it: events are recorded in time order",
                    field="events",
                )
            last_us = event.at_us
            if event.action == OPENED:
                if state is not None:
                    raise ValidationError("a ticket is opened once", field="events")
                state = workflow.validate_state(event.to_state)
                continue
            if state is None or event.from_state != state:
                raise ValidationError(f"event {event.seq} does not follow from {state!r}", field="events")
            state = workflow.target(state, event.action)
            if state != event.to_state:
                raise ValidationError(
                    f"event {event.seq} leads to {state!r}, not {event.to_state!r}", field="events"
                )
            if workflow.spec(event.action).needs_reason and not (event.reason and event.reason.strip()):
                raise ValidationError(f"event {event.seq}: {event.action} needs a reason", field="events")
        if state is None:
            raise ValidationError("a ticket has at least its opened event", field="events")
        return state


_FIELDS = attrs.fields(Ticket)
_FIELD_NAMES = tuple(a.name for a in _FIELDS)
_LIST_FIELDS = ("events",)
_TUPLE_FIELDS = ("fault_records", "visits", "notes")
_NEW = object.__new__


def _copier() -> Callable[[Ticket], Ticket]:
    """``Ticket.copy`` as straight-line code generated from the fields (as attrs makes ``__init__``).

    Why: a store hands out a copy on every read, and one plain attribute store per field costs a tenth
    of a loop of ``setattr`` calls. Generated, so a field added to ``Ticket`` is copied too.
    """
    lines = ["def copy(self):", "    new = _NEW(Ticket)"]
    lines += [f"    new.{name} = self.{name}" for name in _FIELD_NAMES if name not in _LIST_FIELDS]
    lines += [f"    new.{name} = list(self.{name})" for name in _LIST_FIELDS]
    lines.append("    return new")
    namespace: dict[str, Any] = {"_NEW": _NEW, "Ticket": Ticket}
    exec("\n".join(lines), namespace)  # the source is built from the class's own field names
    copy: Callable[[Ticket], Ticket] = namespace["copy"]
    return copy


_copy = _copier()
