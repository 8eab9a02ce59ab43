"""The service-ticket capability: intake, triage, dispatch, work, resolution, callbacks, the ledger.

:class:`Tickets` holds the ticket commands and queries of :class:`~aftersales.service.desk.ServiceDesk`
(which is a ``Tickets`` built by the composition root). One method per workflow step, each taking the
actor first; each runs through the command runner (one unit of work: permission from the one table,
the step and the policies, SLA due times, optimistic save, outbox, idempotency record, commit).
Anything that raises changes nothing. Queries are scoped the same way: a ticket the actor may not see
does not exist for them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Container, Mapping, Sequence
from datetime import datetime, timedelta
from types import CodeType
from typing import TYPE_CHECKING, Annotated, Any

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import (
    Category,
    Channel,
    ImpactScope,
    Plan,
    Priority,
    Severity,
    TicketKind,
    conversation_channel,
)
from aftersales.domain.complaint_handover import handed_over_to
from aftersales.domain.contact import zone
from aftersales.domain.custom_fields import HiddenFields
from aftersales.domain.handover_contacts import carry_contacts
from aftersales.domain.instants import require_aware
from aftersales.domain.reasons import Reason
from aftersales.domain.sla_clock import SlaStatus
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.work import (
    CustomerNote,
    FaultRecord,
    Visit,
    VisitKind,
)
from aftersales.errors import (
    CalendarDataMissing,
    ConfigurationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from aftersales.policies.decision import Decision
from aftersales.policies.fault_catalog import check_fault_records
from aftersales.policies.triage import Triage, TriageFacts
from aftersales.ports.queries import PAGE_BOUNDS, Page, PageRequest, TicketFilter
from aftersales.ports.read_ahead import ReadAhead
from aftersales.ports.ticket_index import TicketRow
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.breach_withdrawal import withdraw_response_breach
from aftersales.service.calendar_stamp import callback_of, dues_stale, sla_of
from aftersales.service.callback_plan import (
    callback_plan,
    callback_start,
    check_callback_now,
    check_due,
    drop_pending,
    give_up_pending,
    major_complaint,
    schedule_in,
)
from aftersales.service.callback_replan import replan_callback
from aftersales.service.callback_working import working_callback_due
from aftersales.service.complaint_follow_up import CLOSE_COMPLAINT, check_follow_up
from aftersales.service.complaint_outlet_access import check_outlet_contact
from aftersales.service.context import DeskContext
from aftersales.service.dispatching import (
    Dispatching,
    check_dealer_dispatch,
    engineer_dealer,
    failed_dispatch,
)
from aftersales.service.field_filter import checked_field_filter
from aftersales.service.held_breaches import breaches_a_move_undoes
from aftersales.service.import_complaints import file_opened_complaint
from aftersales.service.intake import check_stated_receipt, open_ticket_in, received_time
from aftersales.service.intake_channel import intake_channel
from aftersales.service.lifecycle import (
    close_in,
    confirm_in,
    extension_seconds,
    resolve_in,
)
from aftersales.service.policy_memo import DecisionMemo
from aftersales.service.record_words import notice_for
from aftersales.service.regrade import grade_in
from aftersales.service.repair_points import designate_on_triage
from aftersales.service.request_prints import command_arguments
from aftersales.service.runner import Applied, CommandRunner, check_actor
from aftersales.service.shared_values import assessment as shared_assessment
from aftersales.service.sla_alert_list import list_sla_alerts
from aftersales.service.sla_cliff import (
    DEFAULT_PAGE,
    CalendarHealth,
    RecomputeReport,
    calendar_health,
    recompute_dues,
)
from aftersales.service.sla_watch import SlaAlert
from aftersales.service.special_case_notice import special_case_messages
from aftersales.service.views import CommandResult, Progress, TicketView

if TYPE_CHECKING:  # for typing only: the desk composes both and hands this one the other
    from aftersales.domain.complaints import ComplaintFile
    from aftersales.service.complaint_desk import ComplaintDesk

__all__ = ["Tickets", "scoped_filter"]

_NOT_REQUEST = frozenset({"self", "actor", "idempotency_key", "apply", "run"})

_UNWORKED = frozenset({TicketState.NEW.value, TicketState.TRIAGED.value})
"""The states of a request nobody was sent to yet: one that was a complaint is handed over whole."""


def _args(command: Callable[..., Any], scope: Mapping[str, Any]) -> dict[str, Any]:
    """A command's arguments (for the idempotency fingerprint), from its ``locals()``: the parameters of
    ``command`` — the command itself, ``Tickets.triage`` in ``triage`` (not ``self.triage``: a host
    overriding it must not change the print) — only, so a change of its body leaves
    the print of a request as it was (see service.request_prints).

    ``command`` is named, not found by reading the caller's frame (``sys._getframe``, which other Pythons
    need not have): the same code object either way (the one the decorators wrap), so every print is
    the same as before. Only a command with an idempotency key is fingerprinted: without one, nothing is
    collected.
    """
    if scope.get("idempotency_key") is None:
        return {}
    code = getattr(inspect.unwrap(command), "__code__", None)
    if not isinstance(code, CodeType):
        raise ConfigurationError(f"{command!r} is not a command of this desk", key="command")
    return command_arguments(scope, code, _NOT_REQUEST)


@validated_commands
class Tickets:
    """Ticket commands and queries over one context and runner."""

    def __init__(self, context: DeskContext, runner: CommandRunner, dispatching: Dispatching) -> None:
        self.context = context
        self.runner = runner
        self.dispatching = dispatching
        # Issue 21: triage asks the (pure) priority policy about a handful of recurring fact sets.
        self._priorities: DecisionMemo[TriageFacts, Decision[Triage]] = DecisionMemo()

    @property
    def _staff_fields(self) -> HiddenFields:
        """The desk's staff-only custom fields: no customer's list is filtered by one."""
        return self.context.custom_fields.hidden_from_customers

    def _step(
        self, actor: Actor, command: str, ticket_id: str, trigger: str, reason: str | None, key: str | None
    ) -> CommandResult:
        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.step(trigger, actor.ref, now, reason=reason)

        return self.runner.execute(actor, command, ticket_id, apply, key, request={"reason": reason})

    # -- intake ---------------------------------------------------------------------------------------

    def open_ticket(
        self,
        actor: Actor,
        *,
        customer_id: str,
        description: str,
        category: Category = Category.REPAIR,
        channel: Channel | None = None,
        asset_id: str | None = None,
        expected_by: datetime | None = None,
        urgent: bool = False,
        received_at: datetime | None = None,
        kind: TicketKind = TicketKind.SERVICE,
        idempotency_key: str | None = None,
        tags: Sequence[str] = (),
        custom_fields: Mapping[str, object] | None = None,
        priority: Priority | None = None,
    ) -> CommandResult:
        """Register a request (报修登记): who, what, which unit, by which channel, when.

        ``tags`` and ``custom_fields`` describe it from the start; the fields the desk declares as
        required for ``category`` must be given (``ValidationError`` naming ``fields.<name>``).

        ``channel`` not given is ``phone`` for a call staff take and ``portal`` for a customer's own
        submission (seed 003 二 1: the hotline and the online platform).

        ``received_at`` defaults to now (a call logged later may give the real time; the future is
        refused). A customer filing its own request gives none: the platform receives it when it
        arrives (``ValidationError`` naming ``received_at``, rule ``received_by_staff``). The customer
        (and the asset, if given) must be registered; the ticket copies the asset's product and batch
        and the customer's region and dealer, for the ledger's filters.
        ``priority`` (or ``urgent``, which the pack maps to a priority with a reason) sets the priority at
        intake, so the SLA clocks run on it from the first instant; an urgent call gets the pack's
        first-contact target in minutes (seed 001). Triage may change the priority later.

        Category ``complaint`` is a complaint's (``kind`` complaint, or better
        ``desk.complaints.open_complaint``: its file, links, classification): a service ticket of that
        category — a grievance handled as a repair, outside the complaint flow and its KPIs — is a
        ``ValidationError`` naming ``category``. A complaint opened here is of category ``complaint``
        (another category than the default is refused the same way) and gets its complaint file, with
        the month it is registered in, as the complaint desk gives one (seed 004 第五条 1(6) 每月反馈).
        """
        if priority is not None:
            priority = Priority(priority)
        check_stated_receipt(actor, received_at)
        channel = intake_channel(actor, channel)
        code = getattr(category, "code", category)
        if TicketKind(kind) is TicketKind.COMPLAINT:
            if code not in (Category.REPAIR.code, Category.COMPLAINT.code):
                raise ValidationError("a complaint's category is complaint", field="category")
            category = Category.COMPLAINT
        elif code == Category.COMPLAINT.code:
            raise ValidationError(
                "category complaint is a complaint's: open it with desk.complaints.open_complaint",
                field="category",
            )
        request = _args(Tickets.open_ticket, locals())

        complaint = TicketKind(kind) is TicketKind.COMPLAINT

        def run(uow: UnitOfWork, now: datetime) -> tuple[Ticket, Applied]:
            def filed(ticket: Ticket) -> Applied:
                # Its complaint file, as the complaint desk gives one: the month it counts in (第五条 1(6)).
                file_opened_complaint(uow, ticket, now, self.context.timezone)
                return Applied()

            return open_ticket_in(
                self.context, uow, actor, now, customer_id=customer_id, description=description,
                category=category, channel=channel, asset_id=asset_id, expected_by=expected_by,
                urgent=urgent, received_at=received_time(now, received_at), kind=kind, priority=priority,
                tags=tags, custom_fields=custom_fields, attach=filed if complaint else None,
            )  # fmt: skip

        return self.runner.intake(actor, "open_ticket", idempotency_key, request, run)

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
        priority: Priority | None = None,
        priority_reason: str | None = None,
        complex_problem: bool = False,
        urgent: bool = False,
    ) -> CommandResult:
        """Assess the problem (问题评估); the pack's priority policy decides priority and plan, with reasons.

        ``complex_problem`` marks a complex problem (seed 001: 复杂售后问题), whether or not it involves
        several ``departments``: the manager coordinates it, and it gets the complex resolution target.

        ``urgent`` is the handler marking an urgent problem (seed 001 三(二)2: 对于紧急问题,售后专员应
        立即标记,并优先处理): graded as an urgent call is (``[priority] urgent_floor``), with its urgent
        contact clock (``[sla] urgent_contact_minutes``), as if flagged at intake. The way to flag a
        customer's own request, whose ``urgent`` is recorded as the customer's claim only
        (``urgent_claimed`` on its ``opened`` event). A ticket flagged once stays urgent (``False``
        unmarks nothing).

        ``plan`` given by the handler wins over the policy's suggestion (recorded either way).
        ``priority`` given by the handler wins over the policy's too, with ``priority_reason`` (required).
        Without it, the policy may raise the priority set at intake but never lowers it (reason
        ``priority_kept``): a lower grade is the handler's call, given with its reason. A priority that
        differs from the one set at intake is recorded with the previous one; the SLA clocks follow the
        current priority from the instant it changed.
        """
        if urgent is not True and urgent is not False:
            raise ValidationError(
                f"urgent is True or False, got {urgent!r:.40}", field="urgent", rule="true_or_false"
            )
        if priority is not None:
            priority = Priority(priority)
            if not (isinstance(priority_reason, str) and priority_reason.strip()):
                raise ValidationError(
                    "a priority set at triage needs a priority_reason", field="priority_reason"
                )

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            # One shared (frozen) value per set of arguments: triages repeat a handful of assessments.
            draft = shared_assessment(
                nature, severity, impact_scope, plan or Plan.ON_SITE, units_affected, production_stopped,
                departments, skill, note, complex_problem,
            )  # fmt: skip
            # The facts of the draft, with the handler's plan only (None: the policy suggests one); the
            # TriageFacts object is built only for values the policy has not decided yet.
            values = (
                ticket.category, self.runner.tier(uow, ticket), ticket.urgent or urgent, draft.severity,
                draft.impact_scope, draft.units_affected, draft.production_stopped, plan,
                draft.complex_problem,
            )  # fmt: skip
            decision = self._priorities.decide_by(
                self.context.policies.priority, values, lambda: TriageFacts(*values)
            )
            chosen = plan or decision.outcome.plan
            # The draft is already checked: copy it only when the policy chose another plan.
            assessment = draft if chosen is draft.plan else attrs.evolve(draft, plan=chosen)
            decided, reasons = decision.outcome.priority, tuple(decision.reasons)
            if priority is not None:
                decided = priority
                reasons += (Reason("priority_changed", {"priority": priority.value}),)
            elif ticket.priority is not None and ticket.priority.rank > decided.rank:
                # Seed 003 grades by urgency, complexity and importance: the grade set at intake (given,
                # or the urgent / category floor) is one of those facts. The policy may raise it; only
                # the handler lowers it, with a reason (``priority`` and ``priority_reason``).
                decided = ticket.priority
                reasons += (Reason("priority_kept", {"priority": decided.value}),)
            ticket.triage(actor.ref, now, assessment, decided, reasons, reason=priority_reason, urgent=urgent)
            # Seed 000 4.派工处理: a depot repair is told its region's repair point (when it has one only).
            designate_on_triage(uow, ticket, actor, now)
            return Applied(decisions=(decision,))

        return self.runner.execute(
            actor, "triage", ticket_id, apply, idempotency_key, request=_args(Tickets.triage, locals())
        )

    _complaint_intake: ComplaintDesk | None = None
    """Opens a complaint inside a running command (the desk's complaint desk, set by the composition
    root): a request reclassified as a complaint becomes one."""

    def reclassify(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        category: Category | str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Correct the category a request was logged under (问题分类): a call taken as a repair that was an
        inquiry (咨询, seed 004 第七条 1-2), an installation logged as a repair, or the reverse.

        The office and the dealer whose call it is correct it (``reclassify`` in the permission table),
        with a ``reason``, while the ticket is handled or awaits its callback; a closed or cancelled
        ticket is ``InvalidTransition``. The ``reclassify`` event keeps the category replaced; the SLA
        due times are derived again for the new category (its ``[sla] category_overrides``), and the
        ledger and the reports read the new one. A resolved or accepted ticket's callback follows the new
        category: a pending one is withdrawn where the pack needs none for it (``[callback]
        not_needed_for``; a date a person gave stays), one is planned where it now owes one and has
        none. A breach the sweep already announced is not undone by the new category's longer target:
        the event holds the due it passed (``held_breaches``, as a new calendar's recalculation does;
        seeds 003/004 考核: a month judged does not change by a correction). The priority is graded
        again by the new category's rules (the pack's ``[priority] category_floor``, the priority policy
        on the triage's assessment; never below the new intake grade), from this instant; a grade the
        staff gave themselves stays.
        A custom field the desk requires for the new category must be set first (``ValidationError``
        naming ``fields.<name>``), as at intake.

        A call that was a complaint (投诉, 第七条 3) is a complaint of its own workflow (its file, its
        classification): ``category="complaint"`` registers it as one — same customer, unit, channel,
        description, the call's received time (its clocks run from the call) and the time the customer
        asked for (``expected_by``), linked to the request — and cancels the request, in one command; the
        ``reclassify`` event's ``complaint_id`` names it. The calls back made on the request answered this
        call: each is carried into the complaint as made when it was made (its response, the time the
        customer was told; :mod:`aftersales.domain.handover_contacts`).
        Only a request nobody was sent to yet (new or triaged) is handed over so: one being worked is a
        repair with a complaint about it (``desk.complaints.open_complaint(..., about=[ticket_id])``),
        ``InvalidTransition`` says so. A complaint is not reclassified here (``ValidationError`` naming
        ``ticket_id``: the complaint desk cancels it).
        """
        category = category if isinstance(category, Category) else Category(category)
        if not (isinstance(reason, str) and reason.strip()):
            raise ValidationError("reclassifying a ticket needs a reason", field="reason")
        if category == Category.COMPLAINT:
            return self._hand_over_to_complaint(actor, ticket_id, reason, idempotency_key)

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            # The fields the desk requires for the new category are required of a ticket reclassified
            # into it, as of one opened in it (``fields.<name>``: set them first, desk.set_custom_fields).
            if ticket.can("reclassify"):  # else the step's InvalidTransition says why
                self.context.custom_fields.validate(None, category.code, ticket.custom_fields)
            tier = self.runner.tier(uow, ticket)
            # The grade follows the class's rules (the pack's category floor, the policy on the assessment).
            grade = grade_in(self.context, ticket, tier, category)
            priority, priority_reasons = grade if grade is not None else (None, ())

            def step(moved: Ticket, held: Mapping[str, datetime] | None = None) -> object:
                return moved.reclassify(
                    actor.ref, now, category, reason,
                    held=held, priority=priority, priority_reasons=priority_reasons,
                )  # fmt: skip

            # A breach announced under the old category stays one (seeds 003/004 考核: the month it
            # happened in was judged on it), however much longer the new category's targets are.
            step(ticket, breaches_a_move_undoes(self.context, uow, ticket, tier, now, step))
            # A done job's callback follows the new class: withdrawn where the pack calls back on no job
            # of it ([callback] not_needed_for), planned where it now owes one (service/callback_replan).
            replan_callback(self.context, uow, actor, ticket, now)

        return self.runner.execute(
            actor,
            "reclassify",
            ticket_id,
            apply,
            idempotency_key,
            request=_args(Tickets.reclassify, locals()),
        )

    def _hand_over_to_complaint(
        self, actor: Actor, ticket_id: str, reason: str, idempotency_key: str | None
    ) -> CommandResult:
        intake = self._complaint_intake
        if intake is None:  # a Tickets capability built without the complaint desk
            raise ValidationError(
                "this desk registers no complaints: open it with desk.complaints.open_complaint",
                field="category",
            )

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            if ticket.state not in _UNWORKED:  # checked before the complaint is opened
                why = (
                    "a request being worked is a repair with a complaint about it: "
                    "desk.complaints.open_complaint(..., about=[ticket_id])"
                    if ticket.is_open
                    else None
                )
                raise InvalidTransition(
                    ticket.workflow.name, ticket.state, "reclassify", ticket_id=ticket.id, why=why
                )

            def carry(complaint: Ticket, _file: ComplaintFile) -> Applied:
                # The calls back made on the request answered this call: the complaint's response.
                carry_contacts(ticket, complaint, now)
                return Applied()

            complaint, _ = intake.open_in(
                uow, actor, now, ticket.customer_id, ticket.description, (ticket.id,),
                channel=ticket.channel, asset_id=ticket.asset_id, urgent=ticket.urgent,
                received_at=ticket.received_at, expected_by=ticket.expected_by, then=carry,
                continues=ticket.id,
            )  # fmt: skip
            ticket.hand_over_to_complaint(actor.ref, now, complaint.id, reason)

        request = {"category": Category.COMPLAINT.code, "reason": reason}
        return self.runner.execute(  # the complaint is opened for the customer: held first (row_locks)
            actor, "reclassify", ticket_id, apply, idempotency_key, request=request, customer_first=True
        )

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
                chosen = choice.assignee
                check_dealer_dispatch(uow, actor, chosen)  # seed 002: inside its dealer
                dealer = engineer_dealer(uow, chosen)  # a dealer's own engineer: in that dealer's hands
                ticket.assign(actor.ref, now, chosen, reason=reason, reasons=choice.reasons, dealer=dealer)
            else:  # issue 20: nobody found is history too (why, and who the escalation went to)
                ticket.step("dispatch_failed", actor.ref, now, payload=failed_dispatch(choice))
            return Applied(messages=choice.messages, decisions=choice.decisions)

        # The engineer named is read next to the ticket (PostgreSQL: in its round trip; was one more).
        ahead = (
            None
            if engineer_id is None
            else ReadAhead(entities=(("engineers", engineer_id),), with_ticket=True)
        )
        request = _args(Tickets.dispatch, locals())
        return self.runner.execute(
            actor, "dispatch", ticket_id, apply, idempotency_key, request=request, ahead=ahead
        )

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

        return self.runner.execute(
            actor,
            "await_parts",
            ticket_id,
            apply,
            idempotency_key,
            request=_args(Tickets.await_parts, locals()),
        )

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
            # The pack's fault catalog (codes with zh/en labels), when it lists any.
            check_fault_records(self.context.policies, (record,))
            ticket.record_fault(actor.ref, now, record)

        return self.runner.execute(
            actor,
            "add_fault_record",
            ticket_id,
            apply,
            idempotency_key,
            request=_args(Tickets.add_fault_record, locals()),
        )

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
        """Plan an on-site visit (the customer is told), or record one that took place.

        ``engineer_id`` is a registered engineer (``NotFound`` otherwise); a visit that took place arrived
        (and left) between the request coming in and now, and a plan is not dated before the request
        (``ValidationError`` naming ``planned_at``, ``arrived_at`` or ``left_at``).
        """

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            uow.engineers.get(engineer_id)  # the service record names who went: a registered engineer
            ticket.add_visit(actor.ref, now, Visit(planned_at, engineer_id, kind, arrived_at, left_at, note))

        return self.runner.execute(
            actor, "add_visit", ticket_id, apply, idempotency_key, request=_args(Tickets.add_visit, locals())
        )

    def note_to_customer(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        text: str,
        visible: bool = True,
        for_staff: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """A progress note (及时反馈处理进度); ``visible=False`` keeps it internal.

        ``for_staff`` (``"agent:agent-2"``) also sends the note to that staff member, as the staff
        directory lists them: a message taken for a colleague who is out (seed 002 第五条: 承办人不在时,
        应询问顾客的姓名、留言等信息). One the directory does not list is a ``ValidationError`` naming
        ``for_staff`` (the message would reach nobody).
        """
        person = self._listed_staff(for_staff)

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied | None:
            ticket.note_to_customer(actor.ref, now, CustomerNote(text, visible))
            if person is None:
                return None
            values = {"ticket_id": ticket.id, "from": actor.name or str(actor.ref), "text": text}
            key = f"{ticket.id}:{len(ticket.events)}:message_left"
            notifications = self.context.notifications
            kind = notice_for("message_left", ticket.kind)  # a complaint's message names the complaint
            return Applied(messages=notifications.person_messages(kind, person, values, key, now))

        return self.runner.execute(
            actor,
            "note_to_customer",
            ticket_id,
            apply,
            idempotency_key,
            request=_args(Tickets.note_to_customer, locals()),
        )

    def _listed_staff(self, entry: object) -> ActorRef | None:
        """The staff member ``entry`` (``"role:id"``) names, when the staff directory lists them."""
        if entry is None:
            return None
        if not isinstance(entry, str) or entry not in self.context.notifications.people:
            raise ValidationError(
                "for_staff names a staff member the staff directory lists ('agent:agent-2'), "
                f"got {entry!r:.80}",
                field="for_staff",
            )
        return ActorRef.parse(entry)

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
            resolve_in(self.context, actor, ticket, now, summary=summary, remote=remote, uow=uow)

        return self.runner.execute(
            actor, "resolve", ticket_id, apply, idempotency_key, request=_args(Tickets.resolve, locals())
        )

    def confirm(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        note: str | None = None,
        channel: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """The customer accepts the work (验收确认 / 服务单签字): the resolution is met at this instant.

        The customer confirms themself, or staff record the customer's confirmation with its ``channel``
        (``service_slip``, ``phone``, ``app``…; seed 003); staff giving none, or an unknown one, is a
        ``ValidationError`` naming ``channel``, and nothing changes. The callback (回访) is scheduled in
        the same command, due per the pack's callback policy from now; the ticket then waits for it to
        close.
        """

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            return confirm_in(self.context, uow, actor, ticket, now, note, channel)

        return self.runner.execute(
            actor, "confirm", ticket_id, apply, idempotency_key, request=_args(Tickets.confirm, locals())
        )

    def reject(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer does not accept the work: it is redone (the resolution clock resumes).

        A callback planned at the result's entry (``[callback] service_from = "work_done"``) is withdrawn
        with it: the service is not complete (seed 003 二 5: 服务完成后…回访), so nobody is to call back on
        work being redone; the next result entry plans a fresh one."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.reject(actor.ref, now, reason)
            drop_pending(uow, ticket)

        return self.runner.execute(
            actor, "reject", ticket_id, apply, idempotency_key, request=_args(Tickets.reject, locals())
        )

    def close(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Close an accepted ticket once its callback is done (seeds 000, 002, 003: 回访 → 关闭).

        Refused (``InvalidTransition`` naming the ticket, the command, the state and why) before the
        callback, unless the pack needs no callback for this ticket or the pack's number of failed
        attempts to reach the customer is recorded (:meth:`record_callback_attempt`); closed so, its
        pending callback task is dropped (no longer listed as overdue; the missed callback still counts).
        """

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            if ticket.kind is TicketKind.COMPLAINT:  # seed 003 二 5 由指定人员负责跟进, as complaints.close
                check_follow_up(actor, ticket, CLOSE_COMPLAINT)
            why = close_in(self.context, uow, ticket)
            ticket.close(actor.ref, now, reason)
            if why == "callback_unreachable":  # nobody is to make that callback any more
                give_up_pending(uow, ticket)

        return self.runner.execute(
            actor, "close", ticket_id, apply, idempotency_key, request=_args(Tickets.close, locals())
        )

    def cancel(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Cancel an open ticket, with a reason. A complaint is cancelled as
        ``desk.complaints.cancel`` cancels it: its customer is told (seed 003 二 5 事事有回音)."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied | None:
            if ticket.kind is TicketKind.COMPLAINT and self._complaint_intake is not None:
                return self._complaint_intake.cancelled_in(uow, actor, ticket, now, reason)
            ticket.cancel(actor.ref, now, reason)
            return None

        return self.runner.execute(
            actor, "cancel", ticket_id, apply, idempotency_key, request=_args(Tickets.cancel, locals())
        )

    def reopen(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Reopen a closed ticket whose problem is back (it goes to rework).

        The ticket is no longer resolved nor closed (seed 000: 重新进行处理, 直至客户满意), and a callback
        still pending is dropped: the next acceptance schedules a new one. So is the due time of one given
        up when the ticket closed unreachable (nobody will make it), as of one still pending.
        """

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            unmade = not ticket.callback_done  # this cycle's callback, pending or given up
            ticket.reopen(actor.ref, now, reason)
            drop_pending(uow, ticket)
            if unmade:
                ticket.callback_due_at = None

        return self.runner.execute(
            actor, "reopen", ticket_id, apply, idempotency_key, request={"reason": reason}
        )

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

        if due_at is not None:
            require_aware(due_at, "due_at")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            check_due(due_at, now)
            tier = self.runner.tier(uow, ticket)
            plan = callback_plan(self.context.policies.callback, ticket, tier, major_complaint(uow, ticket))
            desk_zone = zone(self.context.timezone)
            if due_at is None and plan.outcome.required:
                # The pack's date: recorded as the policy's, so a pack swap moves it (as desk.callbacks).
                schedule_in(
                    uow, self.context.policies.callback, actor, ticket, now,
                    zone=desk_zone, sla=self.context.sla,
                )  # fmt: skip
                return Applied(decisions=(plan,))
            # A date given, or a callback the pack owes nobody asked for: the person's.
            due = due_at or working_callback_due(self.context.sla, ticket, tier, now)
            due = due or plan.outcome.due_from(callback_start(plan.outcome, ticket, now), desk_zone)
            schedule_in(uow, self.context.policies.callback, actor, ticket, now, due, zone=desk_zone)
            return Applied(decisions=(plan,))

        return self.runner.execute(
            actor,
            "schedule_callback",
            ticket_id,
            apply,
            idempotency_key,
            request=_args(Tickets.schedule_callback, locals()),
        )

    # -- lifecycle and SLA (issue 18) ------------------------------------------------------------------

    def contact_customer(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        channel: Channel = Channel.PHONE,
        note: str | None = None,
        expected_at: datetime | None = None,
        idempotency_key: str | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record a customer-facing contact (a call, a message): the first one is the SLA response.

        ``at`` is when a contact made earlier was made (a phone call entered after the fact): between the
        request coming in (after a reopen: the reopen, which closed the earlier cycle and kept its
        response as judged then) and now, else a ``ValidationError`` naming ``at`` and nothing changes. The
        response clock, the KPI and the breach report count the contact then, not at its entry (seed 003
        Y个工作小时内响应 is the contact itself; seed 001 沟通记录…包括沟通时间). The same permission as any
        contact; ``expected_at`` is then a time still to come at ``at``. Omitted: now.
        A response breach the SLA sweep already announced, which the contact at ``at`` turns into a
        response in time, is withdrawn in the same command and said so to those told of it
        (:mod:`aftersales.service.breach_withdrawal`).

        Seed 003 defines the response as contacting the customer and telling them the expected visit or
        solution time: give it as ``expected_at``. Triage is internal and does not count. ``note`` is what
        was said, and is required (seed 001 五(三)3: 沟通记录…包括沟通时间、沟通方式、沟通内容): a contact
        without it is a ``ValidationError`` naming ``note``, and nothing changes.
        """
        channel = conversation_channel(channel, "a contact")
        if expected_at is not None:
            require_aware(expected_at, "expected_at")

        if at is not None:
            require_aware(at, "at")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied | None:
            if ticket.kind is TicketKind.COMPLAINT:
                check_outlet_contact(actor, ticket, at)  # an outlet calls only about a complaint passed to it
            ticket.contact_customer(
                actor.ref, now, channel=channel.value, note=note, expected_at=expected_at, contacted_at=at
            )
            if at is None:
                return None
            # Entered after the sweep announced the response breach: the breach is withdrawn, and said so.
            tier = self.runner.tier(uow, ticket)
            return Applied(messages=withdraw_response_breach(self.context, uow, ticket, tier, now))

        return self.runner.execute(
            actor,
            "contact_customer",
            ticket_id,
            apply,
            idempotency_key,
            request=_args(Tickets.contact_customer, locals()),
        )

    def record_callback_attempt(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        note: str | None = None,
        idempotency_key: str | None = None,
        channel: Channel = Channel.PHONE,
    ) -> CommandResult:
        """Record a failed attempt to reach the customer for the callback (after the pack's number of
        them, the ticket may close without a callback). ``channel`` is how it was tried (phone by
        default; seed 001 records every communication with its method, 沟通方式). On an accepted ticket, or
        a resolved one where the pack counts the callback from the result's entry (seed 003 二 5)."""
        tried = conversation_channel(channel, "a callback attempt")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            check_callback_now(self.context.policies.callback, uow, ticket, "callback_attempt")
            ticket.callback_attempt(actor.ref, now, note=note, channel=tried.value)

        return self.runner.execute(
            actor,
            "callback_attempt",
            ticket_id,
            apply,
            idempotency_key,
            request=_args(Tickets.record_callback_attempt, locals()),
        )

    def extend_sla(
        self,
        actor: Actor,
        ticket_id: str,
        target: str,
        new_limit: timedelta,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Record a special case (seed 002: 特殊情况不得超过48小时): ``target`` now allows ``new_limit``.

        Allowed up to the pack's maximum for that target (``extended_to``: 48 h for the dealer contract),
        refused above it with :class:`~aftersales.errors.SlaExtensionRefused`; recorded in the history
        with who, when and why, and used by every clock and report afterwards.
        """

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            if not ticket.can("extend_sla"):  # closed or cancelled: the step is refused, whatever its size
                raise InvalidTransition(
                    ticket.workflow.name,
                    ticket.state,
                    "extend_sla",
                    ticket_id=ticket.id,
                    command="extend_sla",
                )
            tier = self.runner.tier(uow, ticket)
            decision = self.context.sla.targets(ticket, tier)
            if decision is None:
                raise ConfigurationError("the pack configures no SLA policy", key="sla")
            seconds = extension_seconds(ticket, decision.outcome, target, new_limit)
            event = ticket.extend_sla(actor.ref, now, target=target, new_limit_seconds=seconds, reason=reason)
            # Seed 002 分工 6: the holder working to the 24-hour time hears the special case's new due.
            try:
                found = self.context.sla.status(ticket, tier, now).get(target)
            except (CalendarDataMissing, ConfigurationError):
                found = None  # the notice still names the new limit
            due = found.due_at if found is not None else None
            return Applied(messages=special_case_messages(self.context, uow, ticket, event, due, now))

        return self.runner.execute(
            actor,
            "extend_sla",
            ticket_id,
            apply,
            idempotency_key,
            request=_args(Tickets.extend_sla, locals()),
        )

    def health(self) -> CalendarHealth:
        """How long the working calendar's official holiday data lasts (the holiday-data cliff), and whether
        the stored due times are still those of another calendar (``dues_stale``)."""
        calendar = self.context.calendar
        with self.context.reader(snapshot=False) as uow:
            stale = dues_stale(
                uow, calendar, sla_of(self.context.sla.policy), callback_of(self.context.policies.callback)
            )
        return calendar_health(calendar, self.context.now(), stale)

    def recompute_provisional_dues(
        self,
        actor: Actor,
        calendar: BusinessCalendar | None = None,
        *,
        page_size: Annotated[int, PAGE_BOUNDS] = DEFAULT_PAGE,
    ) -> RecomputeReport:
        """Recompute every open ticket's due times after official holiday data was added.

        Pass the new ``calendar`` (e.g. built from next year's TOML or .ics file, or a newer ``holidays``
        package, or one with a holiday announced since); the desk uses it from now on. Each open ticket
        whose due times were provisional, or which the new calendar moves, gets a ``recalculate_sla``
        event with the old and new due times, and the managers are told. The open tickets are recomputed
        ``page_size`` (1 to 1000) per write, as the ``sla_sweep`` job's catch-up does, so the other writers
        wait for one page at a time; should the call fail midway, the next ``sla_sweep`` job finishes it.
        """
        return recompute_dues(self.context, self.runner, actor, calendar, page_size=page_size)

    # -- queries ------------------------------------------------------------------------------------------
    # Each reads in a read-only unit of work (issue 18): no write lock, and one statement each (the
    # ticket with its customer, a ledger page, a count), so no transaction around it either.

    def ticket(self, actor: Actor, ticket_id: str) -> TicketView:
        """The ticket, if ``actor`` may see it (otherwise ``NotFound``, as for an unknown id)."""
        with self.context.reader(snapshot=False) as uow:
            return self.runner.view(actor, self.runner.visible(uow, actor, ticket_id))

    def progress(self, actor: Actor, ticket_id: str) -> Progress:
        """What the customer may see (服务进度): state, next step, due times, engineer, visible notes,
        and the SLA status behind the due times (``None`` when the calendar cannot compute it)."""
        now = self.context.now()
        with self.context.reader(snapshot=False) as uow:
            ticket = self.runner.visible(uow, actor, ticket_id)
            try:
                status: SlaStatus | None = self.context.sla.status(ticket, self.runner.tier(uow, ticket), now)
            except (CalendarDataMissing, ConfigurationError):
                status = None  # no SLA to show: the progress itself is still there
            return Progress.of(ticket, status, continued_as=self._continued_as(uow, actor, ticket))

    def _continued_as(self, uow: UnitOfWork, actor: Actor, ticket: Ticket) -> str | None:
        """The complaint ``ticket`` was handed over as, if ``actor`` may read it (the number only: the
        complaint's own progress is read under its own scope); ``None`` otherwise."""
        complaint_id = handed_over_to(ticket)
        if complaint_id is None:
            return None
        try:
            self.runner.visible(uow, actor, complaint_id)
        except NotFound:  # not theirs to read: the request reads as cancelled, as before
            return None
        return complaint_id

    def sla(self, actor: Actor, ticket_id: str, at: datetime | None = None) -> SlaStatus:
        """The SLA status of the ticket at ``at`` (default now): per target its due instant, warning
        instant, state (running / paused / met / breached), elapsed and paused working time, breach size,
        the clock's start and whether the due is provisional. Scoped like every read."""
        now = self.context.now() if at is None else require_aware(at, "at")
        with self.context.reader(snapshot=False) as uow:
            # The store's kept ticket itself (no copy): the SLA status only reads it.
            ticket = self.runner.visible(uow, actor, ticket_id, shared=True)
            return self.context.sla.status(ticket, self.runner.tier(uow, ticket), now)

    def sla_alerts(
        self,
        actor: Actor,
        *,
        ticket_id: str | None = None,
        target: str | None = None,
        kind: str | None = None,
        withdrawn: bool | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: Annotated[int, PAGE_BOUNDS] = 50,
        cursor: str | None = None,
    ) -> Page[SlaAlert]:
        """The SLA warnings and breaches the sweep announced (and the breaches withdrawn since, with
        ``withdrawn_at``), newest first, one page (``next_cursor`` for the next): what a service manager
        judges the month by. Scoped by the permission table (``sla_alerts``): the office all, an engineer
        his tickets', dealer staff their dealer's; filters and refusals as
        :func:`~aftersales.service.sla_alert_list.list_sla_alerts` says."""
        return list_sla_alerts(
            self.context, actor, ticket_id=ticket_id, target=target, kind=kind, withdrawn=withdrawn,
            since=since, until=until, limit=limit, cursor=cursor,
        )  # fmt: skip

    def _scoped(self, actor: Actor, filters: TicketFilter | None) -> TicketFilter:
        """``filters`` narrowed to ``actor``'s ledger, judging a wait for parts as the pack does."""
        scoped = _scoped_filter(actor, filters or TicketFilter(), self._staff_fields)
        scoped = checked_field_filter(scoped, self.context.custom_fields)
        return with_parts_pause(scoped, self.context.policies.sla)

    def ledger(
        self, actor: Actor, filters: TicketFilter | None = None, page: PageRequest | None = None
    ) -> Page[TicketView]:
        """The searchable ledger (售后问题台账), narrowed to what ``actor`` may see, one keyset page."""
        check_actor(actor)
        query = self._scoped(actor, filters)
        with self.context.reader(snapshot=False) as uow:
            result = uow.tickets.query(query, page or PageRequest())
        return Page(tuple(self.runner.view(actor, t) for t in result.items), result.next_cursor)

    def ticket_rows(
        self, actor: Actor, filters: TicketFilter | None = None, page: PageRequest | None = None
    ) -> Page[TicketRow]:
        """:meth:`ledger`'s page as each ticket's indexed columns (state, priority, customer, dealer,
        assignee, received and due instants, description): the list an engineer or a dealer opens
        all day, served from the ledger's index and rows without building the tickets (issue 21)."""
        check_actor(actor)
        query = self._scoped(actor, filters)
        with self.context.reader(snapshot=False) as uow:
            return uow.tickets.query_rows(query, page or PageRequest())

    def ledger_scope(self, actor: Actor, filters: TicketFilter | None = None) -> TicketFilter:
        """``filters`` narrowed to the ledger ``actor`` may see (for exports that read page by page)."""
        check_actor(actor)
        return self._scoped(actor, filters)

    def count(self, actor: Actor, filters: TicketFilter | None = None) -> int:
        """How many tickets of the ledger match, within ``actor``'s scope."""
        check_actor(actor)
        with self.context.reader(snapshot=False) as uow:
            return uow.tickets.count(self._scoped(actor, filters))


def scoped_filter(actor: Actor, filters: TicketFilter, staff_fields: Container[str]) -> TicketFilter:
    """``filters`` narrowed to what ``actor`` may see in the ledger (and in search); ``staff_fields``
    are the desk's staff-only custom fields (``CustomFieldSet.staff_only``), which a customer filters
    no list by."""
    return _scoped_filter(actor, filters, staff_fields)


def with_parts_pause(filters: TicketFilter, sla: object) -> TicketFilter:
    """``filters`` judging a ticket waiting for parts as the pack's SLA policy (``sla``) does: paused where
    it says ``pause_on_parts`` (seed 003 二 3: the clocks stand while the ticket waits), so the ledger's
    breached filter agrees with ``desk.sla()`` and the reports. A value given that the pack disagrees
    with is refused, not overridden."""
    pauses = getattr(getattr(sla, "params", None), "pause_on_parts", False) is True
    if filters.parts_pause is not None and filters.parts_pause is not pauses:
        raise ValidationError(
            f"parts_pause is the desk's SLA policy's pause_on_parts ({pauses})", field="parts_pause"
        )
    return attrs.evolve(filters, parts_pause=pauses)


_SEE_ALL = frozenset(
    {Role.AGENT, Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER, Role.AUDITOR, Role.SYSTEM}
)
_SCOPED = (Role.CUSTOMER, Role.DEALER_STAFF, Role.ENGINEER)
_NOBODY = "(nobody)" * 9
"""A customer id no customer has (ids are at most 64 characters; a NUL is no text to PostgreSQL): the
filter of an actor without the id its role is scoped by matches no ticket."""


def _scoped_filter(actor: Actor, filters: TicketFilter, staff_fields: Container[str]) -> TicketFilter:
    """The ledger's scope per role, the subset of what :func:`~aftersales.service.permissions.can_read`
    grants that a list shows (the ledger, its rows and count, search, exports through ``ledger_scope``):

    - office roles, auditors and the system: every ticket;
    - a customer: its own tickets, not filtered by tags nor by a staff-only custom field (it reads
      none: ``PermissionDenied``);
    - dealer staff: its dealer's tickets, its own (``dealer_id``) or dispatched to it (seed 002), the
      filter's ``dealer_scope``; tickets of its regions that are neither stay readable by id only;
    - an engineer: the tickets it works on (assigned, or added to the team; issue 20); its team's other
      tickets stay readable by id only;
    - a role that reads no ticket (the privacy officer): none.

    Any of the actor's roles may grant a read, so an office role among several lists everything. Two
    of the narrow roles at once (dealer staff who is also an engineer) would need the union of two
    scopes, which one filter cannot say: refused with ``PermissionDenied`` — list with an actor holding
    one of them (``attrs.evolve(actor, role=role, extra_roles=())``).
    """
    if actor.has_role(*_SEE_ALL):
        return filters  # an office role among several sees the whole ledger, as it reads any ticket
    scoped = [role for role in _SCOPED if role in actor.roles]
    if len(scoped) > 1:
        raise PermissionDenied(
            str(actor),
            f"list the tickets of {' and '.join(scoped)} at once (list with an Actor holding one of them)",
            rule="one_scope_at_a_time",
        )
    role = scoped[0] if scoped else None
    if role is Role.CUSTOMER:
        if filters.tags:
            # A customer reads no tags (reader_view): a list filtered by one would tell which of its
            # tickets the staff labelled so ("难缠"), so the filter is refused, not answered.
            raise PermissionDenied(str(actor), "filter by tags", "tags", rule="staff_only_filter")
        hidden = sorted({name for name, _ in filters.custom_fields if name in staff_fields})
        if hidden:
            # The same for the staff's own fields ("risk_note"): which of its tickets carry one, or
            # which value, is what the customer may not read.
            raise PermissionDenied(
                str(actor),
                f"filter by staff-only field {hidden[0]}",
                f"fields.{hidden[0]}",
                rule="staff_only_filter",
            )
        return attrs.evolve(filters, customer_id=actor.customer_id or _NOBODY)
    if role is Role.DEALER_STAFF:
        if actor.dealer_id is None:
            return attrs.evolve(filters, customer_id=_NOBODY)
        return attrs.evolve(filters, dealer_scope=actor.dealer_id)
    if role is Role.ENGINEER:
        # Assigned, or added to the ticket's team by the coordinator (issue 20): what can_read grants.
        return attrs.evolve(filters, worked_by=actor.engineer_id or actor.id)
    return attrs.evolve(filters, customer_id=_NOBODY)  # no role of the actor reads a ticket
