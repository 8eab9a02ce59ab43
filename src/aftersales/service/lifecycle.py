"""The lifecycle rules the service layer enforces around the workflow table (issue 18, seeds 000–004).

The workflow says which step may follow which; these guards need facts the table does not hold:

* ``resolve`` needs a fault record (symptom → cause → action) where the pack says so (seed 002);
* ``confirm`` is the customer's acceptance: the customer records it, or staff record the customer's
  confirmation with its channel (signed service slip, phone, app: seed 003);
* ``close`` needs a done callback, unless the pack needs none for the ticket, or after the pack's number of
  recorded failed attempts to reach the customer;
* the priority known at intake: the one given, raised by the pack's urgent and category floors (seed 001:
  紧急问题 / complaints at least expedited), with a reason per rule.

Every refusal is an :class:`~aftersales.errors.InvalidTransition` naming the ticket, the command, the current
state and why; nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import ClassVar

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Category, Priority, TicketKind
from aftersales.domain.events import JsonValue, TicketEvent
from aftersales.domain.reasons import Reason
from aftersales.domain.sla_clock import SlaTargets
from aftersales.domain.ticket import Ticket
from aftersales.errors import (
    CalendarDataMissing,
    DuplicateError,
    InvalidTransition,
    NotFound,
    SlaExtensionRefused,
    ValidationError,
)
from aftersales.policies.callback import CallbackPlan
from aftersales.policies.lifecycle import DefaultLifecycle, LifecycleParams
from aftersales.policies.registry import PolicySet
from aftersales.policies.triage import DefaultPriority, PriorityParams
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.callback_plan import callback_plan, customer_tier, schedule_in
from aftersales.service.context import DeskContext
from aftersales.service.permissions import check_role
from aftersales.service.runner import Applied, CommandRunner, TicketHook
from aftersales.service.sla import SlaService

__all__ = [
    "CalendarHealth",
    "CalendarNotice",
    "RecomputeReport",
    "calendar_health",
    "check_acceptance",
    "check_close",
    "check_resolve",
    "close_in",
    "confirm_in",
    "extension_seconds",
    "intake_messages",
    "intake_priority",
    "lifecycle_params",
    "provisional_messages",
    "recompute_dues",
    "warn_on_provisional",
]


def lifecycle_params(policies: PolicySet) -> LifecycleParams:
    """The pack's ``[lifecycle]`` parameters (their defaults when the kind is not active)."""
    found = policies.extra.get("lifecycle")
    return found.params if isinstance(found, DefaultLifecycle) else LifecycleParams()


def _refuse(ticket: Ticket, command: str, why: str) -> InvalidTransition:
    return InvalidTransition(
        ticket.workflow.name, ticket.state, command, ticket_id=ticket.id, command=command, why=why
    )


def check_resolve(ticket: Ticket, params: LifecycleParams) -> None:
    """Refuse ``resolve`` without a complete fault record where the pack requires one (seed 002)."""
    if ticket.category.code not in params.fault_record_for or not ticket.needs_acceptance:
        return
    if not any(r.symptom and r.cause and r.action for r in ticket.fault_records):
        raise _refuse(ticket, "resolve", "the pack requires a fault record (symptom, cause, action) first")


def check_acceptance(ticket: Ticket, role: Role, channel: str | None, params: LifecycleParams) -> str | None:
    """The channel to record with an acceptance; refuses staff acceptance without a known channel."""
    if role is Role.CUSTOMER:
        if channel is not None and channel not in params.acceptance_channels:
            raise ValidationError(f"unknown acceptance channel {channel!r}", field="channel")
        return channel
    if channel is None:
        raise _refuse(
            ticket,
            "confirm",
            "acceptance is the customer's: staff must give the channel of the customer's confirmation "
            f"({', '.join(params.acceptance_channels)})",
        )
    if channel not in params.acceptance_channels:
        raise ValidationError(
            f"channel must be one of {', '.join(params.acceptance_channels)}, got {channel!r}",
            field="channel",
        )
    return channel


def check_close(ticket: Ticket, plan: CallbackPlan) -> str:
    """Why ``ticket`` may close (``callback_done``, ``callback_not_needed``, ``callback_unreachable``)."""
    if ticket.state != "accepted" or not ticket.needs_acceptance:
        return "workflow"  # the workflow table refuses or allows it (complaints follow their own)
    if ticket.callback_done:
        return "callback_done"
    if not plan.required:
        return "callback_not_needed"
    if ticket.callback_attempts >= plan.attempts_before_close:
        return "callback_unreachable"
    raise _refuse(
        ticket,
        "close",
        f"the callback is not done ({ticket.callback_attempts} of {plan.attempts_before_close} failed "
        "attempts recorded)",
    )


def extension_seconds(ticket: Ticket, targets: SlaTargets, target: str, new_limit: timedelta) -> int:
    """The approved new limit in seconds; refuses a target without a maximum or a limit above it."""
    if not isinstance(new_limit, timedelta) or new_limit <= timedelta(0):
        raise ValidationError("new_limit must be a positive timedelta", field="new_limit")
    if new_limit % timedelta(seconds=1):
        raise ValidationError("new_limit must be whole seconds", field="new_limit")
    found = targets.get(target)
    if found is None:
        raise ValidationError(f"ticket {ticket.id} has no {target!r} target", field="target")
    if found.extended_to is None or new_limit > found.extended_to:
        raise SlaExtensionRefused(ticket.id, target, new_limit, found.extended_to)
    if new_limit <= found.duration:
        raise ValidationError(
            f"new_limit must be longer than the target's {found.duration}", field="new_limit"
        )
    return int(new_limit.total_seconds())


def intake_priority(
    policy: object,
    given: Priority | None,
    urgent: bool,
    category: Category,
    kind: TicketKind,
) -> tuple[Priority | None, Sequence[Reason]]:
    """The priority known at intake and why; ``None`` when nothing sets one (triage decides later).

    The urgent and category floors are the default priority policy's parameters (``[priority]``); a
    custom priority policy decides only at triage.
    """
    params = policy.params if isinstance(policy, DefaultPriority) else None
    reasons: list[Reason] = []
    priority: Priority | None = None
    if given is not None:
        priority = Priority(given)
        reasons.append(Reason("priority_given", {"priority": priority.value}))
    if not isinstance(params, PriorityParams):
        return priority, reasons
    floors: list[tuple[Priority, Reason]] = []
    if urgent:
        floors.append((params.urgent_floor, Reason("urgent_request")))
    code = "complaint" if kind is TicketKind.COMPLAINT else category.code
    floor = params.category_floor.get(code) or params.category_floor.get(category.code)
    if floor is not None:
        floors.append((floor, Reason("category", {"category": code})))
    for level, reason in floors:
        if priority is None or priority.rank < level.rank:
            priority = level
            reasons.append(reason)
    return priority, reasons


_RECALCULATORS = frozenset({Role.SYSTEM, Role.MANAGER})
_OPEN_STATES = ("new", "triaged", "assigned", "in_progress", "awaiting_parts", "awaiting_customer", "rework",
                "resolved", "accepted")  # fmt: skip
_COMPLAINT_OPEN = ("received", "investigating", "awaiting_decision", "solution_proposed", "implementing",
                   "feedback_given", "reviewed")  # fmt: skip


def confirm_in(
    context: DeskContext,
    uow: UnitOfWork,
    actor: Actor,
    ticket: Ticket,
    now: datetime,
    note: str | None,
    channel: str | None,
) -> Applied:
    """The acceptance inside a running command: check who and how, record it, schedule the callback."""
    if ticket.can("confirm"):
        channel = check_acceptance(ticket, actor.role, channel, lifecycle_params(context.policies))
    ticket.confirm(actor.ref, now, note=note, channel=channel)
    # Scheduled in the acceptance's own command (and attributed to it): no accepted ticket lacks its callback.
    _, decision = schedule_in(uow, context.policies.callback, actor, ticket, now)
    return Applied(decisions=(decision,))


def close_in(context: DeskContext, uow: UnitOfWork, ticket: Ticket) -> str:
    """Check ``ticket`` may close now (see :func:`check_close`); returns why it may."""
    if not ticket.can("close"):
        return "workflow"  # the step itself raises InvalidTransition with the ticket and state
    plan = callback_plan(context.policies.callback, ticket, customer_tier(uow, ticket)).outcome
    return check_close(ticket, plan)


def intake_messages(
    context: DeskContext, uow: UnitOfWork, ticket: Ticket, now: datetime
) -> list[OutboxMessage]:
    """Messages an intake sends beyond the usual ones: a new complaint is reported to the manager (seed 001:
    及时向售后经理汇报), and the first provisional due time is announced."""
    messages: list[OutboxMessage] = []
    if ticket.kind is TicketKind.COMPLAINT:
        values: dict[str, object] = {"ticket_id": ticket.id, "received_at": ticket.received_at}
        key = f"{ticket.id}:complaint_received"
        messages += context.notifications.staff_messages(
            "complaint_received", (Role.MANAGER,), values, key, now
        )
    messages += provisional_messages(context, uow, ticket, now)
    return messages


@attrs.define
class CalendarNotice:
    """That managers were told due times became provisional past ``official_until`` (once per cliff)."""

    DOCUMENT_KIND: ClassVar[str] = "calendar_notice"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    official_until: date
    at: datetime
    ticket_id: str
    version: int = 0


def _is_provisional(calendar: BusinessCalendar | None, ticket: Ticket) -> bool:
    until = calendar.official_until if calendar is not None else None
    if until is None:
        return False
    zone = calendar.zone if calendar is not None else None
    return any(
        due is not None and due.astimezone(zone).date() > until
        for due in (ticket.response_due_at, ticket.resolution_due_at)
    )


def provisional_messages(
    context: DeskContext, uow: UnitOfWork, ticket: Ticket, now: datetime
) -> list[OutboxMessage]:
    """The managers' warning when the first provisional due time is computed (once per official cliff)."""
    calendar = context.calendar
    if calendar is None or calendar.official_until is None or not _is_provisional(calendar, ticket):
        return []
    until = calendar.official_until
    notice = CalendarNotice(f"provisional:{until.isoformat()}", until, now, ticket.id)
    try:
        uow.documents.get(CalendarNotice, notice.id)
        return []
    except NotFound:
        pass
    try:
        uow.documents.add(notice)
    except DuplicateError:
        return []
    days_left = (until - now.astimezone(calendar.zone).date()).days
    values: dict[str, object] = {"official_until": until, "days_left": max(days_left, 0)}
    key = f"calendar:provisional:{until.isoformat()}"
    return context.notifications.staff_messages("calendar_provisional", (Role.MANAGER,), values, key, now)


_CLIFF_WINDOW = timedelta(days=400)
"""How close to the end of the official data a command's due times can become provisional (a 3-month
complex resolution or a 7-day callback never reaches further than this)."""


def warn_on_provisional(context: DeskContext, runner: CommandRunner) -> TicketHook:
    """The hook: a command whose due times become provisional warns the managers (once per cliff).

    Runs only near the end of the official data, where it derives the due times the runner is about to
    store (deriving twice is cheap and keeps the warning in the command's own transaction).
    """

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        calendar = context.calendar
        until = calendar.official_until if calendar is not None else None
        if until is None or now.date() + _CLIFF_WINDOW < until:
            return None
        context.sla.derive(ticket, runner.tier(uow, ticket), now)
        return provisional_messages(context, uow, ticket, now)

    return hook


@attrs.frozen
class CalendarHealth:
    """The holiday-data cliff at a glance (``desk.health()``).

    ``official_until`` is the last day of official holiday data (``None``: the calendar's data never ends);
    ``days_left`` the days from today to it; ``provisional_until`` how far due times are computed on the
    provisional calendar; ``warning`` is set when 60 days or fewer are left.
    """

    official_until: date | None
    days_left: int | None
    provisional_until: date | None
    source: str | None
    warning: bool


def calendar_health(calendar: BusinessCalendar | None, now: datetime) -> CalendarHealth:
    """The health of ``calendar``'s holiday data at ``now``."""
    if calendar is None:
        return CalendarHealth(None, None, None, None, False)
    official = calendar.official_until or calendar.known_until
    if official is None:
        return CalendarHealth(None, None, None, calendar.source_name, False)
    days_left = (official - now.astimezone(calendar.zone).date()).days
    provisional = calendar.known_until if calendar.official_until is not None else None
    return CalendarHealth(official, days_left, provisional, calendar.source_name, days_left <= 60)


@attrs.frozen
class RecomputeReport:
    """What :meth:`ServiceDesk.recompute_provisional_dues` did: tickets looked at and recomputed."""

    checked: int
    recomputed: tuple[str, ...]
    official_until: date | None


def recompute_dues(
    context: DeskContext, runner: CommandRunner, actor: Actor, calendar: BusinessCalendar | None
) -> RecomputeReport:
    """Switch the desk to ``calendar`` and recompute every open ticket's provisional due times.

    One write through the runner: every ticket changed, its ``recalculate_sla`` event and the managers'
    notice commit together; the desk uses the new calendar only once they have.
    """
    check_role(actor, "recalculate_sla", roles=_RECALCULATORS)
    if calendar is not None and not isinstance(calendar, BusinessCalendar):
        raise ValidationError("calendar must be a BusinessCalendar", field="calendar")
    old = context.calendar
    new = calendar if calendar is not None else old
    service = SlaService(context.sla.policy, new)

    def apply(uow: UnitOfWork, now: datetime) -> RecomputeReport:
        tickets: list[Ticket] = []
        cursor: str | None = None
        query = TicketFilter(states=_OPEN_STATES + _COMPLAINT_OPEN)
        while True:
            page = uow.tickets.query(query, PageRequest(200, cursor))
            tickets += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        recomputed: list[str] = []
        for ticket in tickets:
            if not (_is_provisional(old, ticket) or (ticket.resolution_due_at is None and ticket.is_open)):
                continue
            before = (ticket.response_due_at, ticket.resolution_due_at)
            try:
                service.derive(ticket, runner.tier(uow, ticket), now)
            except CalendarDataMissing:
                continue
            after = (ticket.response_due_at, ticket.resolution_due_at)
            if ticket.can("recalculate_sla"):  # complaints record no such step; their dues still move
                payload: dict[str, JsonValue] = {
                    "old_response_due_at": _iso(before[0]),
                    "new_response_due_at": _iso(after[0]),
                    "old_resolution_due_at": _iso(before[1]),
                    "new_resolution_due_at": _iso(after[1]),
                }
                ticket.step("recalculate_sla", actor.ref, max(now, ticket.last_event_at), payload=payload)
            uow.tickets.save(ticket)
            recomputed.append(ticket.id)
        until = (new.official_until or new.known_until) if new is not None else None
        if recomputed and until is not None:
            values: dict[str, object] = {"tickets": len(recomputed), "official_until": until}
            key = f"calendar:recomputed:{until.isoformat()}:{now.isoformat()}"
            uow.outbox.put(
                context.notifications.staff_messages("sla_recomputed", (Role.MANAGER,), values, key, now)
            )
        return RecomputeReport(len(tickets), tuple(recomputed), until)

    report = runner.write(
        actor, "recalculate_sla", None, {"calendar": new.source_name if new is not None else None}, apply
    )
    context.calendar = new
    context.sla.calendar = new
    return report


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
