"""The complaint desk (投诉处理): a sub-desk of :class:`~aftersales.service.desk.ServiceDesk`.

A complaint is a ticket of kind complaint following :data:`COMPLAINT_WORKFLOW`; its own facts live in a
:class:`ComplaintFile` document under the same id, written in the same unit of work as the ticket.
Every command goes through the command runner (one transaction: permission, the step, the file, the
outbox). Classification that finds a crisis event or a batch incident escalates **in the same
command**: an escalation record with its own due time, a ticket event, and ``complaint_escalated``
notifications to the roles the pack's escalation policy names — by default the service-centre head
(``Role.MANAGER``, the after-sales / customer-service-centre manager, as the ``service_centre`` pack
has it) and ``Role.GENERAL_MANAGER`` (seed 004 第八条 2(5): 立即通知客户服务中心 … 向总经理报告).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, Channel, TicketKind
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW, ComplaintState
from aftersales.domain.complaints import (
    BatchIncident,
    ComplaintFile,
    ComplaintSeverity,
    ComplaintSubject,
    CrisisFacts,
    EscalationRecord,
    GeneralManagerReferral,
    GrantedExtension,
    HandlerJudgement,
    Remedy,
    RemedyKind,
    Review,
)
from aftersales.domain.contact import zone
from aftersales.domain.departments import ComplaintLink, Department
from aftersales.domain.events import JsonValue
from aftersales.domain.ids import AssetId, TicketId
from aftersales.domain.instants import require_aware
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer
from aftersales.domain.products import Product
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit, WarrantyExtension
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.policies.complaints import (
    ComplaintClass,
    ComplaintFacts,
    UnitFault,
    detect_batch_incidents,
)
from aftersales.policies.decision import Decision
from aftersales.policies.escalation import EscalationFacts, EscalationTrigger
from aftersales.policies.protocols import ComplaintPolicy
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.callback_plan import callback_plan, customer_tier, drop_pending, schedule_in
from aftersales.service.complaint_handlers import ComplaintHandlers, check_follow_up, designated_handler
from aftersales.service.complaint_incidents import (
    DETECTOR,
    ComplaintIncidents,
    as_batch_incident,
    incident_about,
    named_incident,
    of_an_incident,
)
from aftersales.service.complaint_outlets import ComplaintOutlets, _text
from aftersales.service.context import DeskContext
from aftersales.service.coordination import departments_in
from aftersales.service.escalation_reach import Reach, reach_up
from aftersales.service.intake import check_channel, open_ticket_in, received_time
from aftersales.service.lifecycle import resolve_in
from aftersales.service.permissions import COMPLAINT_ROLES, Workflow, can_read, check_role, permit
from aftersales.service.reader_view import complaint_file_as_seen_by
from aftersales.service.runner import Applied, CommandRunner
from aftersales.service.scope import require_asset_visible
from aftersales.service.views import CommandResult

__all__ = [
    "COMPLAINT_ROLES",
    "ComplaintDesk",
    "ComplaintLogEntry",
    "ComplaintLogFilter",
    "OverdueEscalation",
    "UnreachedEscalation",
]

R = Role


Body = Callable[[UnitOfWork, Ticket, ComplaintFile, datetime], Applied | None]


def _states(value: Iterable[str] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)  # one state may come alone


def _log_severity(value: ComplaintSeverity | str | None) -> ComplaintSeverity | None:
    if value is None or isinstance(value, ComplaintSeverity):
        return value
    try:
        return ComplaintSeverity(value)
    except ValueError:
        raise ValidationError(
            "severity is a ComplaintSeverity (general or major)", field="severity"
        ) from None


@attrs.frozen
class ComplaintLogFilter:
    """Which complaints the log lists; every field left at its default matches everything.

    ``received_from`` is inclusive and ``received_to`` exclusive (a window that ends before it starts is
    refused); ``severity`` and ``states`` take the enum or its code, one state alone or several.
    """

    received_from: datetime | None = None
    received_to: datetime | None = None
    severity: ComplaintSeverity | None = attrs.field(default=None, converter=_log_severity)
    states: tuple[str, ...] = attrs.field(default=(), converter=_states)
    customer_id: str | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("received_from", "received_to"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)
        start, end = self.received_from, self.received_to
        if start is not None and end is not None and end < start:
            raise ValidationError("received_to is before received_from", field="received_to")
        for state in self.states:
            COMPLAINT_WORKFLOW.validate_state(state)


@attrs.frozen
class ComplaintLogEntry:
    """One line of the complaint log (《客户投诉登记及处理跟踪表》)."""

    complaint_id: TicketId
    received_at: datetime
    state: str
    severity: ComplaintSeverity
    name: str
    address: str
    phone: str
    product: str
    fault: str
    handler: str
    outcome: str
    remedy_cost: tuple[Money, ...]
    about: tuple[TicketId, ...]
    callback_due_at: datetime | None = None
    """When the callback of the outcome given is due (seed 004 第八条 2(6): 七天内进行回访); ``None`` before
    the outcome is given, or when it no longer stands."""
    called_back_at: datetime | None = None
    """When that callback was made and recorded (登记好回访的情况); ``None`` until it is (the callback's
    answers are ``desk.callbacks.records``)."""


@attrs.frozen
class OverdueEscalation:
    """An escalation not taken up by its due time."""

    complaint_id: TicketId
    escalation: EscalationRecord
    overdue_by: timedelta


@attrs.frozen
class UnreachedEscalation:
    """An escalation whose notice reached nobody (see :meth:`ComplaintDesk.unreached_escalations`)."""

    complaint_id: TicketId
    escalation: EscalationRecord


def _captured(body: Callable[..., object]) -> list[object]:
    """The values a command's body closes over: the request, for the idempotency fingerprint."""
    cells = body.__closure__ or ()
    names = body.__code__.co_freevars
    return [c.cell_contents for n, c in zip(names, cells, strict=True) if n != "self" and n != "actor"]


_CLASSIFIERS = COMPLAINT_ROLES["classify"] | COMPLAINT_ROLES["report_crisis"]
"""Who may classify a complaint from crisis facts: the handlers, the system, and the field reporting one."""

_OVER = frozenset({ComplaintState.CLOSED.value, ComplaintState.CANCELLED.value})
"""The states in which a complaint's escalations wait for no one (nothing is left to take up)."""

_SOLUTION_STEPS = frozenset({"propose_solution", "revise_solution", "decide"})
"""The steps that write the complaint's solution (the last one's author is who proposed it)."""


def _require_complaint(ticket: Ticket) -> None:
    if ticket.kind is not TicketKind.COMPLAINT:
        raise ValidationError(f"ticket {ticket.id} is not a complaint", field="complaint_id")


def _reason_facts(reasons: Iterable[Reason]) -> list[JsonValue]:
    return [{"code": r.code, "params": dict(r.params)} for r in reasons]


@validated_commands
class ComplaintDesk(ComplaintOutlets, ComplaintHandlers, ComplaintIncidents):
    """Complaint commands and queries over one :class:`ServiceDesk` (``desk.complaints``)."""

    def __init__(
        self, context: DeskContext, runner: CommandRunner, policy: ComplaintPolicy | None = None
    ) -> None:
        self.context = context
        self.runner = runner
        self.policy: ComplaintPolicy = policy or context.policies.complaint

    # -- plumbing ---------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.context.now()

    def _run(
        self, actor: Actor, command: str, complaint_id: str, body: Body, key: str | None
    ) -> CommandResult:
        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied | None:
            _require_complaint(ticket)
            check_follow_up(actor, ticket, command)
            file = self._file(uow, ticket)
            applied = body(uow, ticket, file, now)
            uow.documents.save(file)
            return applied

        result: CommandResult = self.runner.execute(
            actor, command, complaint_id, apply, key, request=_captured(body), roles=COMPLAINT_ROLES[command]
        )
        return result

    @staticmethod
    def _file(uow: UnitOfWork, ticket: Ticket) -> ComplaintFile:
        try:
            return uow.documents.get(ComplaintFile, ticket.id)
        except NotFound:
            # A complaint opened through desk.open_ticket(kind=COMPLAINT) gets its file on first use.
            file = ComplaintFile(id=ticket.id, customer_id=ticket.customer_id)
            uow.documents.add(file)
            return file

    @staticmethod
    def _customer(uow: UnitOfWork, customer_id: str) -> Customer | None:
        try:
            return uow.customers.get(customer_id)
        except NotFound:
            return None

    def _linked(
        self, uow: UnitOfWork, actor: Actor, customer_id: str, about: Iterable[str]
    ) -> tuple[TicketId, ...]:
        # Another customer's ticket, or one the actor may not read, is simply not found. A complaint is
        # about service tickets: not about a complaint (itself least of all).
        out: list[TicketId] = []
        for ticket_id in about:
            other = uow.tickets.get(ticket_id)
            if other.customer_id != customer_id or not can_read(actor, other):
                raise NotFound("ticket", ticket_id)
            if other.kind is TicketKind.COMPLAINT:
                raise ValidationError(f"{ticket_id} is a complaint, not a service ticket", field="about")
            out.append(other.id)
        return tuple(out)

    # -- escalation and classification (shared by commands) -----------------------------------------

    def _escalate(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        file: ComplaintFile,
        trigger: EscalationTrigger,
        detail: Reason,
        now: datetime,
    ) -> tuple[list[OutboxMessage], Decision[Any]]:
        decision = self.context.policies.escalation.decide(EscalationFacts(trigger, detail))
        due = now + timedelta(hours=self.policy.params.escalation_ack_hours)
        customer = self._customer(uow, ticket.customer_id)
        values = {
            "complaint_id": ticket.id,
            "customer_name": customer.name if customer else ticket.customer_id,
            "reason": detail,
            "escalated_at": now,
        }
        key = f"{ticket.id}:{len(ticket.events) + 1}:complaint_escalated:{trigger.value}"
        named = tuple(decision.outcome.to)
        reach = reach_up(self.context.notifications, "complaint_escalated", named, values, key, now)
        to = reach.to
        record = EscalationRecord(
            to, detail, now, actor.ref, due, bool(decision.outcome.immediate), reached=reach.reached
        )
        ticket.step(
            "escalate",
            actor.ref,
            now,
            payload={
                "trigger": trigger.value,
                "to": [r.value for r in to],
                "due_at": due.isoformat(),
                "reason": {"code": detail.code, "params": dict(detail.params)},
                "reached": [r.value for r in reach.reached],
            },
        )
        file.escalations.append(record)
        return list(reach.messages), _reach_told(decision, named, reach)

    def _classify(
        self, uow: UnitOfWork, actor: Actor, ticket: Ticket, file: ComplaintFile, now: datetime
    ) -> Applied:
        facts = ComplaintFacts(file.crisis, file.batch_incident, file.judgement)
        decision: Decision[ComplaintClass] = self.policy.classify(facts)
        outcome = decision.outcome
        ticket.step(
            "classify",
            actor.ref,
            now,
            payload={"severity": outcome.severity.value, "reasons": _reason_facts(decision.reasons)},
        )
        file.severity = outcome.severity
        file.severity_reasons = decision.reasons
        messages: list[OutboxMessage] = []
        decisions: list[object] = [decision]
        already = {e.reason.code for e in file.escalations}
        wanted: list[tuple[EscalationTrigger, Reason]] = []
        if outcome.crisis_event:
            wanted.append(
                (
                    EscalationTrigger.CRISIS_EVENT,
                    next(r for r in decision.reasons if r.code == "crisis_event"),
                )
            )
        incident = file.batch_incident
        if outcome.batch_incident and (incident is None or incident.incident_id is None):
            # An incident the desk raised was escalated then (to the same people): not again here.
            wanted.append(
                (
                    EscalationTrigger.BATCH_INCIDENT,
                    next(r for r in decision.reasons if r.code == "batch_incident"),
                )
            )
        for trigger, detail in wanted:
            if detail.code in already:
                continue  # escalated once per cause; reclassifying does not alarm the GM again
            sent, escalation = self._escalate(uow, actor, ticket, file, trigger, detail, now)
            messages += sent
            decisions.append(escalation)
        return Applied(messages=messages, decisions=decisions)

    # -- intake -------------------------------------------------------------------------------------

    def open_complaint(
        self,
        actor: Actor,
        customer_id: str,
        description: str,
        about: Sequence[str] = (),
        *,
        subject: ComplaintSubject = ComplaintSubject.PRODUCT_QUALITY,
        channel: Channel = Channel.PHONE,
        asset_id: str | None = None,
        crisis: CrisisFacts | None = None,
        urgent: bool = False,
        received_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Register a complaint (投诉登记) about ``about`` (service tickets of the same customer).

        Crisis facts given at intake are classified at once; a crisis event is escalated in this same
        command (escalation record, notifications to the service-centre head and the general manager).
        """
        if crisis is not None and not isinstance(crisis, CrisisFacts):
            raise ValidationError("crisis must be CrisisFacts", field="crisis")
        permit(actor, Workflow.COMPLAINT, "open_complaint", customer_id)
        channel = check_channel(actor, Channel(channel))
        if crisis is not None and not any(role in _CLASSIFIERS for role in actor.roles):
            # Crisis facts given at intake classify the complaint and escalate it to the general
            # manager in this command: the centre's call (seed 004 第八条 2(4)-(5)), or a crisis report
            # from the field; a customer states its complaint and the centre classifies it.
            raise PermissionDenied(str(actor), "classify", customer_id)
        about = tuple(about)
        request = [customer_id, description, about, subject, channel, asset_id, crisis, urgent, received_at]

        def run(uow: UnitOfWork, now: datetime) -> tuple[Ticket, Applied]:
            return self.open_in(
                uow, actor, now, customer_id, description, about, subject=subject, channel=channel,
                asset_id=asset_id, crisis=crisis, urgent=urgent, received_at=received_time(now, received_at),
            )  # fmt: skip

        return self.runner.intake(actor, "open_complaint", idempotency_key, request, run)

    def open_in(
        self,
        uow: UnitOfWork,
        actor: Actor,
        now: datetime,
        customer_id: str,
        description: str,
        about: Sequence[str] = (),
        *,
        subject: ComplaintSubject = ComplaintSubject.PRODUCT_QUALITY,
        channel: Channel = Channel.PHONE,
        asset_id: str | None = None,
        crisis: CrisisFacts | None = None,
        urgent: bool = False,
        received_at: datetime | None = None,
        then: Callable[[Ticket, ComplaintFile], Applied] | None = None,
    ) -> tuple[Ticket, Applied]:
        """Open a complaint inside a running unit of work (used by the callback desk on a low score).

        Writes the ticket, its file and their outbox messages; the caller commits. ``then`` takes
        further steps on the new complaint before it is written (a crisis report flags it).
        """
        linked = self._linked(uow, actor, customer_id, about)
        if asset_id is None and linked:
            asset_id = uow.tickets.get(linked[0]).asset_id

        def attach(ticket: Ticket) -> Applied:
            file = ComplaintFile(id=ticket.id, customer_id=ticket.customer_id, subject=subject, about=linked)
            applied = Applied()
            incident = incident_about(uow, self._dimension, (uow.tickets.get(t) for t in linked))
            if incident is not None:  # about a ticket of a batch quality incident: major (第七条 5(2))
                file.batch_incident = as_batch_incident(incident)
            if crisis is not None:
                file.crisis = crisis
            if crisis is not None or incident is not None:
                # Crisis facts are the centre's (or the field's) to give; the incident is the desk's own
                # finding, classified as the detector would whoever opens the complaint.
                applied = self._classify(uow, actor if crisis is not None else DETECTOR, ticket, file, now)
            if then is not None:
                more = then(ticket, file)
                applied = Applied((*applied.messages, *more.messages), (*applied.decisions, *more.decisions))
            uow.documents.add(file)
            for linked_id in dict.fromkeys(linked):
                uow.documents.add(ComplaintLink.of(linked_id, ticket.id))
            return applied

        return open_ticket_in(
            self.context, uow, actor, now, customer_id=customer_id, description=description,
            category=Category.COMPLAINT, channel=channel, asset_id=asset_id, received_at=received_at or now,
            kind=TicketKind.COMPLAINT, urgent=urgent, attach=attach,
        )  # fmt: skip

    def dissatisfied_in(
        self, uow: UnitOfWork, actor: Actor, ticket: Ticket, now: datetime, reason: str
    ) -> bool:
        """Inside a running command (a callback's low score): a handled complaint the customer is still
        not satisfied with goes back to investigating — rejected, or reopened once closed — its outcome
        cleared from the file and a callback still pending dropped, as :meth:`reject_outcome` does.
        ``False`` (nothing changes) when it is not handled (e.g. the callback already sent it back)."""
        _require_complaint(ticket)
        if ticket.can("reopen"):
            ticket.reopen(actor.ref, now, reason)
        elif ticket.can("reject"):
            ticket.reject(actor.ref, now, reason)
        else:
            return False
        file = self._file(uow, ticket)
        _outcome_sent_back(uow, ticket, file)
        uow.documents.save(file)
        return True

    # -- classification and escalation --------------------------------------------------------------

    def classify(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        crisis: CrisisFacts | None = None,
        batch_incident: BatchIncident | None = None,
        major_by_judgement: str | None = None,
        subject: ComplaintSubject | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Classify general or major with reasons; facts given replace those recorded.

        ``major_by_judgement`` is the handler's reason for marking the complaint major (重要影响).
        A crisis event or batch incident found here is escalated in this same command.
        """
        if crisis is not None and not isinstance(crisis, CrisisFacts):
            raise ValidationError("crisis must be CrisisFacts", field="crisis")
        if batch_incident is not None and not isinstance(batch_incident, BatchIncident):
            raise ValidationError("batch_incident must be a BatchIncident", field="batch_incident")
        if major_by_judgement is not None and not major_by_judgement.strip():
            raise ValidationError(
                "major_by_judgement is the handler's reason for marking the complaint major: write it",
                field="major_by_judgement",
            )

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            if crisis is not None:
                file.crisis = crisis
            if batch_incident is not None:
                found = named_incident(uow, batch_incident)
                _same_batch(ticket, found)
                file.batch_incident = found
            if major_by_judgement is not None:
                file.judgement = HandlerJudgement(actor.ref, now, major_by_judgement)
            if subject is not None:
                file.subject = ComplaintSubject(subject)
            return self._classify(uow, actor, ticket, file, now)

        return self._run(actor, "classify", complaint_id, body, idempotency_key)

    def escalate(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        trigger: EscalationTrigger = EscalationTrigger.CUSTOMER_DISSATISFIED,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Escalate by hand (to whom the pack's escalation policy says for ``trigger``), with a reason."""
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise ValidationError("an escalation needs a reason of at most 500 characters", field="reason")
        trigger = EscalationTrigger(trigger)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            detail = Reason("escalated_by_handler", {"trigger": trigger.value, "note": reason})
            messages, decision = self._escalate(uow, actor, ticket, file, trigger, detail, now)
            return Applied(messages=messages, decisions=(decision,))

        return self._run(actor, "escalate", complaint_id, body, idempotency_key)

    def acknowledge_escalation(
        self, actor: Actor, complaint_id: str, *, idempotency_key: str | None = None
    ) -> CommandResult:
        """The escalation's addressee takes it up: its open escalations to the actor's role are met."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            mine = [
                i
                for i, e in enumerate(file.escalations)
                if e.acknowledged_at is None and any(r in e.to for r in actor.roles)
            ]
            if not mine:
                raise ValidationError(
                    f"no open escalation of {ticket.id} is addressed to {actor.role.value}",
                    field="complaint_id",
                )
            ticket.step("acknowledge_escalation", actor.ref, now, payload={"count": len(mine)})
            for i in mine:
                file.escalations[i] = attrs.evolve(
                    file.escalations[i], acknowledged_at=now, acknowledged_by=actor.ref
                )

        return self._run(actor, "acknowledge_escalation", complaint_id, body, idempotency_key)

    def refer_to_general_manager(
        self, actor: Actor, complaint_id: str, *, question: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Refer a hard case to the general manager for a decision (请示处理方法); the GM is notified."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            referral = GeneralManagerReferral(question, actor.ref, now)
            ticket.step("refer", actor.ref, now, reason=question)
            file.referral = referral
            detail = Reason("hard_case_referred", {"state": ticket.events[-1].from_state})
            messages, decision = self._escalate(
                uow, actor, ticket, file, EscalationTrigger.HARD_CASE, detail, now
            )
            return Applied(messages=messages, decisions=(decision,))

        return self._run(actor, "refer_to_general_manager", complaint_id, body, idempotency_key)

    def record_gm_decision(
        self, actor: Actor, complaint_id: str, *, decision: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The general manager's decision on a referred case; it becomes the proposed solution."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            if file.referral is None:
                raise ValidationError(f"complaint {ticket.id} was not referred", field="complaint_id")
            deciders = {Role.GENERAL_MANAGER}.union(
                *(e.to for e in file.escalations if e.reason.code == "hard_case_referred")
            )
            if not any(r in deciders for r in actor.roles):
                raise PermissionDenied(str(actor), "record_gm_decision", ticket.id)
            ticket.step("decide", actor.ref, now, reason=decision)
            file.referral = attrs.evolve(
                file.referral, decision=decision, decided_by=actor.ref, decided_at=now
            )
            file.solution = decision
            for i, e in enumerate(file.escalations):
                if e.acknowledged_at is None and any(r in e.to for r in actor.roles):
                    file.escalations[i] = attrs.evolve(e, acknowledged_at=now, acknowledged_by=actor.ref)

        return self._run(actor, "record_gm_decision", complaint_id, body, idempotency_key)

    # -- the flow -----------------------------------------------------------------------------------

    def investigate(
        self, actor: Actor, complaint_id: str, *, idempotency_key: str | None = None
    ) -> CommandResult:
        """Start investigating (调查核实); the actor becomes the complaint's handler, unless one was
        designated (``assign_handler``, seed 003: 由指定人员负责跟进): a head stepping in does not take it
        over, and another agent may not start it."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.step("investigate", actor.ref, now)
            if designated_handler(ticket) is None:
                file.handler = actor.ref

        return self._run(actor, "investigate", complaint_id, body, idempotency_key)

    def propose_solution(
        self, actor: Actor, complaint_id: str, *, solution: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Propose a solution to negotiate with the customer (制定解决方案, 与客户沟通协商).

        The solution is required text (at most 2000 characters, the step's reason): a proposal with
        nothing in it would leave the customer nothing to agree to.
        """
        _text(solution, "solution", required=True)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            file.solution = solution
            ticket.step("propose_solution", actor.ref, now, reason=solution)

        return self._run(actor, "propose_solution", complaint_id, body, idempotency_key)

    def revise_solution(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        solution: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """The customer did not agree: a revised solution, with why (one negotiation round).

        Both are required text: the revised solution (at most 4000 characters) and the reason.
        """
        _text(solution, "solution", required=True, limit=4000)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            file.solution = solution
            ticket.step("revise_solution", actor.ref, now, reason=reason, payload={"solution": solution})

        return self._run(actor, "revise_solution", complaint_id, body, idempotency_key)

    def agree_solution(
        self, actor: Actor, complaint_id: str, *, note: str | None = None, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer agrees to the solution (争取客户的认可): implementation starts.

        A solution the customer revised (a counter-proposal) is the customer's demand, not yet the
        company's solution: the customer agreeing to it is ``PermissionDenied``; the handler agrees to it
        (or proposes another) — seed 000: 根据调查结果制定合理的解决方案, 与客户进行沟通协商.
        """

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            writer = next((e.actor for e in reversed(ticket.events) if e.action in _SOLUTION_STEPS), None)
            if writer is not None and writer.role is Role.CUSTOMER and actor.ref.role is Role.CUSTOMER:
                raise PermissionDenied(str(actor), "agree_solution", ticket.id)
            ticket.step("agree_solution", actor.ref, now, reason=note)

        return self._run(actor, "agree_solution", complaint_id, body, idempotency_key)

    def grant_remedy(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        kind: RemedyKind,
        cost: Money,
        quantity: int = 1,
        item: str | None = None,
        note: str = "",
        extend_by: int | None = None,
        extend_unit: ExtensionUnit = ExtensionUnit.MONTHS,
        component: str | None = None,
        asset_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Grant a remedy with its cost (延长免费售后服务期, 无偿更换附件, 增加维护保养, …).

        A warranty extension (``extend_by`` ``extend_unit``, optionally on one ``component``) is recorded
        as a :class:`WarrantyExtension` of source ``complaint_remedy`` on the complaint's unit (or
        ``asset_id``, a unit of the complaint's customer: another's is ``NotFound``), findable with
        :meth:`warranty_extensions` for warranty decisions.
        """
        kind = RemedyKind(kind)
        if not isinstance(cost, Money):
            raise ValidationError("cost must be Money", field="cost")
        if (kind is RemedyKind.WARRANTY_EXTENSION) != (extend_by is not None):
            raise ValidationError(
                "extend_by is given for a warranty extension, and only then", field="extend_by"
            )

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            extension = None
            if kind is RemedyKind.WARRANTY_EXTENSION:
                unit = asset_id or ticket.asset_id
                if unit is None:
                    raise ValidationError("a warranty extension needs the unit (asset_id)", field="asset_id")
                asset = uow.assets.get(unit)
                if asset.customer_id is not None and asset.customer_id != ticket.customer_id:
                    # Another customer's unit is not the complaint's to extend (nor to reveal).
                    raise NotFound("asset", unit)
                _check_component(uow.products.get(asset.product_id), component)
                try:
                    extension = WarrantyExtension(
                        asset_id=AssetId(unit),
                        amount=extend_by,  # type: ignore[arg-type]
                        unit=extend_unit,
                        granted_by=actor.ref,
                        granted_at=now,
                        reason="complaint_remedy",
                        source=ExtensionSource.COMPLAINT_REMEDY,
                        component=component,
                        note=note,
                        complaint_id=ticket.id,
                    )
                except ValidationError as error:  # named as the caller wrote it
                    fields = {"amount": "extend_by", "unit": "extend_unit"}
                    raise ValidationError(
                        str(error), field=fields.get(error.field or "", error.field)
                    ) from None
            remedy = Remedy(kind, cost, actor.ref, now, quantity, item, note, extension)
            ticket.step(
                "grant_remedy",
                actor.ref,
                now,
                payload={
                    "kind": kind.value,
                    "cost": str(cost.amount),
                    "currency": cost.currency,
                    "quantity": quantity,
                    "item": item,
                },
            )
            file.remedies.append(remedy)
            if extension is not None:
                uow.documents.add(
                    GrantedExtension(
                        f"{ticket.id}:{len(file.remedies)}", extension.asset_id, ticket.id, extension
                    )
                )
            reason = Reason(
                "remedy_granted", {"remedy": kind.value, "cost": f"{cost.amount} {cost.currency}"}
            )
            return Applied(decisions=(Decision(remedy, [reason], "handler"),))

        return self._run(actor, "grant_remedy", complaint_id, body, idempotency_key)

    def give_feedback(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        outcome: str,
        schedule_callback: bool = True,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Report the outcome to the customer (结果反馈): the complaint is handled.

        Its callback (seed 004: within 7 days after handling) is scheduled in the same command. The
        outcome is required text (at most 2000 characters): seed 000's 结果反馈 tells the customer the
        result, and the ledger's 处理结果 is read from it. ``schedule_callback=False`` leaves the
        callback to the host, except where the pack asks a satisfaction survey of it (seed 001: 对于重大
        售后问题或重要客户…应在问题处理完毕后进行客户满意度调查 — a major complaint, an important or VIP
        customer): that is a ``ValidationError`` naming ``schedule_callback``.
        """
        _text(outcome, "outcome", required=True)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            if not schedule_callback:
                major = file.severity is ComplaintSeverity.MAJOR
                tier = customer_tier(uow, ticket)
                if callback_plan(self.context.policies.callback, ticket, tier, major).outcome.survey:
                    raise ValidationError(
                        f"complaint {ticket.id} is owed a satisfaction survey once handled (a major complaint"
                        " or an important customer): its callback is scheduled with the feedback",
                        field="schedule_callback",
                    )
            resolve_in(self.context, actor, ticket, now, summary=outcome, command="give_feedback")
            file.outcome = outcome
            if not schedule_callback:
                return Applied()
            _, plan = schedule_in(
                uow, self.context.policies.callback, actor, ticket, now, zone=zone(self.context.timezone)
            )
            return Applied(decisions=(plan,))

        return self._run(actor, "give_feedback", complaint_id, body, idempotency_key)

    def reject_outcome(
        self, actor: Actor, complaint_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer is not satisfied with the outcome: the complaint is investigated again.

        Seed 001 (如客户仍不满意, 应进一步沟通协商, 直至客户满意为止): the outcome given is cleared from the
        file (the event log keeps it) and the callback scheduled for it is dropped; the next feedback
        schedules a new one.
        """

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.reject(actor.ref, now, reason)
            _outcome_sent_back(uow, ticket, file)

        return self._run(actor, "reject_outcome", complaint_id, body, idempotency_key)

    def review(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        root_cause: str,
        improvement: str,
        feedback_to: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Record the root cause (a code) and the improvement (总结改进, 找出问题产生的根源).

        ``feedback_to`` names the department the improvement goes to. When it is a registered
        department (``desk.coordination``: R&D, production…), it is assigned to the complaint and its
        contacts are told the root cause and the improvement in this same command — seed 000: the
        after-sales department feeds customers' problems back to R&D and production (为公司产品研发、
        生产…提供决策支持), who improve the product. Another code is recorded as given.
        """

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            review = Review(root_cause, improvement, actor.ref, now, feedback_to)
            ticket.step(
                "review", actor.ref, now, payload={"root_cause": root_cause, "feedback_to": feedback_to}
            )
            file.review = review
            if feedback_to is None or not _registered(uow, feedback_to):
                return Applied()
            told = f"{root_cause}: {improvement}"
            told = told if len(told) <= 2000 else told[:1999] + "…"  # the note is an event's reason
            return Applied(
                messages=departments_in(self.context, uow, actor, ticket, [feedback_to], told, now)
            )

        return self._run(actor, "review", complaint_id, body, idempotency_key)

    def close(
        self, actor: Actor, complaint_id: str, *, note: str = "", idempotency_key: str | None = None
    ) -> CommandResult:
        """Close a reviewed complaint."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.close(actor.ref, now, note)

        return self._run(actor, "close_complaint", complaint_id, body, idempotency_key)

    def cancel(
        self, actor: Actor, complaint_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Cancel an open complaint (registered by mistake, a duplicate), with a reason.

        Cancelled after its feedback, it is no longer a complaint handled (``resolved_at`` is cleared, as
        the KPI's complaint resolution rate counts) and its pending callback is dropped.
        """

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.cancel(actor.ref, now, reason)
            drop_pending(uow, ticket)

        return self._run(actor, "cancel_complaint", complaint_id, body, idempotency_key)

    def withdraw(
        self, actor: Actor, complaint_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer withdraws the complaint (撤诉), with a reason (after its feedback too: it is then
        no longer a complaint handled, and its pending callback is dropped, as on :meth:`cancel`)."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.withdraw(actor.ref, now, reason)
            drop_pending(uow, ticket)

        return self._run(actor, "withdraw", complaint_id, body, idempotency_key)

    def reopen(
        self, actor: Actor, complaint_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Reopen a closed complaint whose problem is back: it is investigated again (the outcome is
        cleared from the file and a callback still pending is dropped, as on a rejected outcome)."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            ticket.reopen(actor.ref, now, reason)
            _outcome_sent_back(uow, ticket, file)

        return self._run(actor, "reopen_complaint", complaint_id, body, idempotency_key)

    def link_tickets(
        self, actor: Actor, complaint_id: str, about: Sequence[str], *, idempotency_key: str | None = None
    ) -> CommandResult:
        """Link the complaint to more service tickets of the same customer (at least one)."""
        if not about:
            raise ValidationError("link_tickets names at least one service ticket", field="about")

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied | None:
            linked = self._linked(uow, actor, ticket.customer_id, about)
            ticket.step("link_tickets", actor.ref, now, payload={"about": list(linked)})
            added = [t for t in dict.fromkeys(linked) if t not in file.about]
            for linked_id in added:
                uow.documents.add(ComplaintLink.of(linked_id, ticket.id))
            file.about = (*file.about, *added)
            incident = incident_about(uow, self._dimension, (uow.tickets.get(t) for t in added))
            if incident is not None and not of_an_incident(file):
                file.batch_incident = as_batch_incident(incident)
                return self._classify(uow, DETECTOR, ticket, file, now)
            return None

        return self._run(actor, "link_tickets", complaint_id, body, idempotency_key)

    # -- queries ------------------------------------------------------------------------------------

    def complaint_file(self, actor: Actor, complaint_id: str) -> ComplaintFile:
        """The complaint's file, if ``actor`` may see the complaint (otherwise ``NotFound``)."""
        with self.context.store() as uow:
            view = self.runner.visible(uow, actor, complaint_id)
            if view.kind is not TicketKind.COMPLAINT:
                raise NotFound("complaint", complaint_id)
            try:
                file = uow.documents.get(ComplaintFile, complaint_id)
            except NotFound:
                file = ComplaintFile(id=view.id, customer_id=view.customer_id)
        if view.outcome is None and file.outcome:
            # Sent back since (rejected, reopened, the problem back at a callback): no outcome stands.
            file = attrs.evolve(file, outcome="")
        record_access(self.runner, actor, "complaint_file", [view.customer_id])
        return complaint_file_as_seen_by(actor, file, view)

    def complaint_log(
        self, actor: Actor, filters: ComplaintLogFilter | None = None
    ) -> list[ComplaintLogEntry]:
        """The complaint log (投诉登记表): name, address, phone, product, fault, handler, outcome."""
        check_role(actor, "complaint_log", roles=COMPLAINT_ROLES["complaint_log"])
        wanted = filters or ComplaintLogFilter()
        query = TicketFilter(
            kind=TicketKind.COMPLAINT,
            states=wanted.states,
            customer_id=wanted.customer_id,
            received_from=wanted.received_from,
            received_to=wanted.received_to,
        )
        out: list[ComplaintLogEntry] = []
        customers: set[str] = set()
        with self.context.store() as uow:
            for ticket in _all(uow, query):
                entry = self._log_entry(uow, ticket)
                if wanted.severity is None or entry.severity is wanted.severity:
                    out.append(entry)
                    customers.add(ticket.customer_id)
        record_access(self.runner, actor, "complaint_log", customers)
        return out

    def _log_entry(self, uow: UnitOfWork, ticket: Ticket) -> ComplaintLogEntry:
        try:
            file = uow.documents.get(ComplaintFile, ticket.id)
        except NotFound:
            file = ComplaintFile(id=ticket.id, customer_id=ticket.customer_id)
        customer = self._customer(uow, ticket.customer_id)
        contact = customer.contact if customer else None
        product = ""
        product_id = ticket.product_id
        faults = [ticket.description]
        for linked_id in file.about:
            try:
                linked = uow.tickets.get(linked_id)
            except NotFound:
                continue
            product_id = product_id or linked.product_id
            faults += [f"{r.symptom}/{r.cause}" for r in linked.fault_records]
        if product_id is not None:
            try:
                found = uow.products.get(product_id)
                product = f"{found.name} ({found.model})"
            except NotFound:
                product = product_id
        currencies = sorted({r.cost.currency for r in file.remedies})
        return ComplaintLogEntry(
            complaint_id=ticket.id,
            received_at=ticket.received_at,
            state=ticket.state,
            severity=file.severity,
            name=customer.name if customer else ticket.customer_id,
            address=(contact.address or "") if contact else "",
            phone=(contact.phone or "") if contact else "",
            product=product,
            fault="; ".join(faults),
            handler=str(file.handler) if file.handler else "",
            # The ticket's handling result: cleared when the customer rejects it or it comes back at a
            # callback (the file keeps what the last feedback said only until then).
            outcome=ticket.outcome or "",
            remedy_cost=tuple(file.remedy_cost(c) for c in currencies),
            about=file.about,
            callback_due_at=ticket.callback_due_at if ticket.outcome else None,
            called_back_at=_called_back_at(ticket),
        )

    def overdue_escalations(self, actor: Actor, at: datetime | None = None) -> list[OverdueEscalation]:
        """Escalations of complaints still open not taken up by their due time, most overdue first.

        A closed or cancelled complaint has nothing left to take up (and its escalations can no longer
        be acknowledged): its escalations leave the list — its file still shows one never taken up."""
        check_role(actor, "overdue_escalations", roles=COMPLAINT_ROLES["overdue_escalations"])
        now = require_aware(at, "at") if at is not None else self._now()
        out: list[OverdueEscalation] = []
        with self.context.store() as uow:
            files = [*uow.documents.query(ComplaintFile, severity=ComplaintSeverity.MAJOR.value)]
            files += uow.documents.query(ComplaintFile, severity=ComplaintSeverity.GENERAL.value)
            for file in files:
                late = [e for e in file.escalations if e.overdue(now)]
                if late and uow.tickets.get(file.id).state not in _OVER:
                    out += [OverdueEscalation(file.id, e, now - e.due_at) for e in late]
        return sorted(out, key=lambda o: (-o.overdue_by, o.complaint_id))

    def unreached_escalations(self, actor: Actor) -> list[UnreachedEscalation]:
        """Escalations whose notice reached nobody — no contact for the roles named nor for a level above
        (the host's staff directory lists none) — oldest first, open or taken up since: the office sees
        that no one was told (seed 004: 立即通知客户服务中心), rather than learning it when one is overdue."""
        check_role(actor, "unreached_escalations", roles=COMPLAINT_ROLES["unreached_escalations"])
        out: list[UnreachedEscalation] = []
        with self.context.store() as uow:
            files = [*uow.documents.query(ComplaintFile, severity=ComplaintSeverity.MAJOR.value)]
            files += uow.documents.query(ComplaintFile, severity=ComplaintSeverity.GENERAL.value)
            for file in files:
                out += [UnreachedEscalation(file.id, e) for e in file.escalations if e.unreached]
        return sorted(out, key=lambda u: (u.escalation.at, u.complaint_id))

    def detect_batch_incidents(
        self,
        actor: Actor,
        *,
        batch: str,
        batch_size: int,
        product_id: str | None = None,
        quality_causes: Iterable[str] | None = None,
    ) -> list[Decision[BatchIncident | None]]:
        """Batch incidents of ``batch`` from the fault records of its units' service tickets.

        Counts distinct units with the same cause against ``batch_size`` (the production quantity);
        ``quality_causes`` keeps only design/production causes. One decision per cause, with reasons.
        """
        check_role(actor, "detect_batch_incidents", roles=COMPLAINT_ROLES["detect_batch_incidents"])
        query = TicketFilter(kind=TicketKind.SERVICE, batch=batch, product_id=product_id)
        faults: list[UnitFault] = []
        with self.context.store() as uow:
            for ticket in _all(uow, query):
                if ticket.asset_id is None:
                    continue
                # The pack's dimension (cause by default) says what "the same problem" is, as in the hook.
                dimension = self.policy.params.batch_dimension
                faults += [
                    UnitFault(ticket.asset_id, batch, getattr(r, dimension), ticket.product_id)
                    for r in ticket.fault_records
                    if self.policy.params.counts_cause(r.cause)  # design or production faults only
                ]
        return detect_batch_incidents(faults, {batch: batch_size}, self.policy.params, quality_causes)

    def warranty_extensions(self, actor: Actor, asset_id: str) -> tuple[WarrantyExtension, ...]:
        """The warranty extensions granted to ``asset_id`` as complaint remedies, oldest first."""
        check_role(actor, "warranty_extensions", roles=COMPLAINT_ROLES["warranty_extensions"])
        with self.context.store() as uow:
            require_asset_visible(uow, actor, asset_id)
            found = uow.documents.query(GrantedExtension, asset_id=asset_id)
        return tuple(sorted((g.extension for g in found), key=lambda e: e.granted_at))


def _called_back_at(ticket: Ticket) -> datetime | None:
    """When the callback of the outcome that stands was recorded: the last callback since the complaint
    was last handled; ``None`` when none was, or when the outcome was sent back since."""
    for event in reversed(ticket.events):
        if event.action == "record_callback":
            return event.at
        if event.action in ("resolve", "reject", "reopen"):
            return None
    return None


def _same_batch(ticket: Ticket, incident: BatchIncident) -> None:
    """A complaint about a unit is major by a batch incident of that unit's batch and product only
    (seed 004 第七条 5(2): 同一批次的产品…同一质量问题): another batch's incident is not this unit's."""
    if not ticket.may_be_of(incident.batch, incident.product_id):
        raise ValidationError(
            f"the batch incident is of {incident.product_id} batch {incident.batch}; complaint {ticket.id}'s "
            f"unit is of {ticket.product_id} batch {ticket.batch}",
            field="batch_incident",
        )


def _reach_told(decision: Decision[Any], named: tuple[Role, ...], reach: Reach) -> Decision[Any]:
    """The escalation policy's decision, with what its notice reached when that is not what it named: a
    level above told because the named reached nobody, or nobody at all (seed 004: 立即通知客户服务中心 —
    an escalation no one hears of must not pass for one told)."""
    names = ",".join(r.value for r in named)
    if reach.added:
        went = Reason("escalation_went_up", {"named": names, "to": ",".join(r.value for r in reach.added)})
    elif not reach.reached:
        went = Reason("escalation_unreached", {"named": names})
    else:
        return decision
    return Decision(decision.outcome, [*decision.reasons, went], decision.policy)


def _outcome_sent_back(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile) -> None:
    """The outcome given no longer stands (rejected, reopened, the customer still not satisfied at the
    callback): cleared from the file (the event log keeps it) and the callback scheduled for it dropped;
    the next feedback gives a new one and schedules its callback."""
    file.outcome = ""
    drop_pending(uow, ticket)


def _registered(uow: UnitOfWork, department_id: str) -> bool:
    try:
        uow.documents.get(Department, department_id)
    except NotFound:
        return False
    return True


def _all(uow: UnitOfWork, query: TicketFilter) -> Iterable[Ticket]:
    cursor: str | None = None
    while True:
        page = uow.tickets.query(query, PageRequest(limit=500, cursor=cursor, sort=Sort.RECEIVED_ASC))
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def _check_component(product: Product, component: str | None) -> None:
    """An extension on a component the unit's product does not have would extend nothing (no warranty
    decision ever asks for it): refused, as the warranty policy refuses deciding on it. A product that
    lists no components takes any (its terms name them)."""
    if not product.has_component(component):
        raise ValidationError(
            f"product {product.id} has no component {component!r} "
            f"(it has {', '.join(sorted(product.components))})",
            field="component",
        )
