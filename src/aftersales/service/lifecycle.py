"""The lifecycle rules the service layer enforces around the workflow table (issue 18, seeds 000–004).

The workflow says which step may follow which; these guards need facts the table does not hold:

* ``resolve`` needs a fault record (symptom → cause → action) where the pack says so (seed 002), whichever
  path resolves the ticket: every one goes through :func:`resolve_in`;
* ``confirm`` is the customer's acceptance: the customer records it, or staff record the customer's
  confirmation with its channel (signed service slip, phone, app: seed 003); staff without a channel is
  a :class:`~aftersales.errors.ValidationError` naming ``channel``;
* ``close`` needs a done callback, unless the pack needs none for the ticket, or after the pack's number of
  recorded failed attempts to reach the customer;
* the priority known at intake: the one given, raised by the pack's urgent and category floors (seed 001:
  紧急问题 / complaints at least expedited), with a reason per rule.

Every refusal is an :class:`~aftersales.errors.InvalidTransition` naming the ticket, the command, the current
state and why (the missing fault record: :class:`~aftersales.errors.FaultRecordRequired`, naming the field
``fault_records``); nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, Priority, TicketKind
from aftersales.domain.contact import zone
from aftersales.domain.events import TicketEvent
from aftersales.domain.reasons import Reason
from aftersales.domain.sla_clock import SlaTargets
from aftersales.domain.ticket import Ticket
from aftersales.errors import (
    ConfigurationError,
    FaultRecordRequired,
    InvalidTransition,
    SlaExtensionRefused,
    ValidationError,
)
from aftersales.policies.callback import CallbackPlan
from aftersales.policies.lifecycle import DefaultLifecycle, LifecycleParams
from aftersales.policies.registry import PolicySet
from aftersales.policies.triage import DefaultPriority, PriorityParams
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.acceptance_recorder import check_recorder
from aftersales.service.actors import Actor
from aftersales.service.callback_plan import callback_plan, customer_tier, schedule_in
from aftersales.service.context import DeskContext
from aftersales.service.data_missing_notice import data_missing_messages
from aftersales.service.free_work_cost import count_free_work
from aftersales.service.graded_handling import check_graded_handling
from aftersales.service.graded_involvement import check_graded_involvement
from aftersales.service.master_data import accept_installation
from aftersales.service.provisional_notice import provisional_messages
from aftersales.service.runner import Applied

__all__ = [
    "check_acceptance",
    "check_close",
    "check_resolve",
    "close_in",
    "confirm_in",
    "extension_seconds",
    "intake_messages",
    "intake_priority",
    "lifecycle_params",
    "resolve_in",
]


def lifecycle_params(policies: PolicySet) -> LifecycleParams:
    """The pack's ``[lifecycle]`` parameters (their defaults when the kind is not active).

    An override that is no ``DefaultLifecycle`` (``LifecycleParams(...)`` itself, a table, another
    object) is a ``ConfigurationError`` naming ``lifecycle``: it used to be replaced by the defaults
    without a word, so the fault record and the confirmation channels it set were not required. The
    desk asks at construction, so such a desk is refused before it opens."""
    found = policies.extra.get("lifecycle")
    if found is None:
        return LifecycleParams()
    if isinstance(found, DefaultLifecycle):
        return found.params
    raise ConfigurationError(
        f"the lifecycle policy is a DefaultLifecycle (DefaultLifecycle(LifecycleParams(...)) or the "
        f"pack's [lifecycle] section), got {type(found).__name__}",
        key="lifecycle",
    )


def _refuse(ticket: Ticket, command: str, why: str) -> InvalidTransition:
    return InvalidTransition(
        ticket.workflow.name, ticket.state, command, ticket_id=ticket.id, command=command, why=why
    )


def check_resolve(ticket: Ticket, params: LifecycleParams, command: str = "resolve") -> None:
    """Refuse ``resolve`` without a complete fault record where the pack requires one (seed 002).

    Seed 002: 出厂后的产品无论处于哪一个阶段,对于产品质量问题的记录均需按照
    故障描述→故障原因→处理措施的流程来进行. A repair solved by phone guidance
    (叫修处理流程: 电话指导 → 结案) is no exception: its record is made at assessment
    (``add_fault_record`` on the triaged ticket, action e.g. 指导用户使用). ``command`` is the
    command the caller ran, named in the error.
    """
    if ticket.category.code not in params.fault_record_for or not ticket.needs_acceptance:
        return
    if not any(r.symptom and r.cause and r.action for r in ticket.fault_records):
        raise FaultRecordRequired(
            workflow=ticket.workflow.name,
            state=ticket.state,
            ticket_id=ticket.id,
            command=command,
            category=ticket.category.code,
        )


def resolve_in(
    context: DeskContext,
    actor: Actor,
    ticket: Ticket,
    now: datetime,
    *,
    summary: str | None = None,
    remote: bool = False,
    command: str = "resolve",
    uow: UnitOfWork | None = None,
) -> TicketEvent:
    """Resolve ``ticket`` inside a running command: the one path every resolving command takes.

    The workflow decides first whether ``resolve`` may happen now (``InvalidTransition`` naming the state);
    then :func:`check_resolve` applies the pack's lifecycle rules, the same for ``desk.resolve``,
    ``desk.knowledge.resolve_with_article`` and a complaint's feedback (which needs no fault record).
    ``command`` is the runner's command name, so the runner passes the typed refusal on unchanged.

    With ``uow`` (a service ticket's resolving commands), a pack whose callback runs from the work done
    (``[callback] service_from = "work_done"``) plans the callback here, in the result's entry: seed 003
    二 5 服务完成后,工程师将处理结果录入系统,客服专员在24小时内对客户进行回访 — the agent's list, the sweep,
    the ledger and the KPI see it due from now, not from a slip recorded later.
    """
    if ticket.can("resolve"):
        check_graded_handling(context.policies, actor, ticket, command)  # seed 003 二 3 分级处理
        if uow is not None:  # dispatched below the grade: someone of the grade steps in first
            check_graded_involvement(context.policies, uow, actor, ticket, command, now)
        check_resolve(ticket, lifecycle_params(context.policies), command)
    event = ticket.resolve(actor.ref, now, summary=summary, remote=remote)
    if uow is not None and ticket.needs_acceptance:
        plan = callback_plan(context.policies.callback, ticket, customer_tier(uow, ticket)).outcome
        if plan.from_work_done:
            schedule_in(
                uow,
                context.policies.callback,
                actor,
                ticket,
                now,
                zone=zone(context.timezone),
                sla=context.sla,
            )
    return event


def _planned_at_work_done(uow: UnitOfWork, ticket: Ticket, plan: CallbackPlan) -> bool:
    """Whether this cycle's callback was planned at the result's entry and still stands (pending, or
    made): the acceptance then keeps it rather than plan it again (its due is the same instant)."""
    done = ticket.work_done_at
    if not plan.from_work_done or done is None or ticket.callback_due_at is None:
        return False
    planned = [e for e in ticket.events if e.action == "schedule_callback" and e.at >= done]
    return bool(planned)


def check_acceptance(ticket: Ticket, role: Role, channel: str | None, params: LifecycleParams) -> str | None:
    """The channel to record with an acceptance; refuses staff acceptance without a known channel
    (``ValidationError`` naming ``channel``: missing, or not one of the pack's acceptance channels)."""
    if role is Role.CUSTOMER:
        if channel is not None and channel not in params.acceptance_channels:
            raise ValidationError(f"unknown acceptance channel {channel!r}", field="channel")
        return channel
    if channel is None:  # a missing argument is bad input, not a step the workflow refuses
        raise ValidationError(
            "acceptance is the customer's: staff recording it must give the channel of the customer's "
            f"confirmation (one of {', '.join(params.acceptance_channels)})",
            field="channel",
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


def confirm_in(
    context: DeskContext,
    uow: UnitOfWork,
    actor: Actor,
    ticket: Ticket,
    now: datetime,
    note: str | None,
    channel: str | None,
) -> Applied:
    """The acceptance inside a running command: check who and how, record it, schedule the callback.

    "Who" is the role the command runs under (``actor.ref``: for a person holding several roles, the one
    whose scope covers the ticket), the role the event records: a customer who is also an agent accepting
    another customer's ticket does so as staff, with the channel, never as that ticket's customer."""
    if ticket.can("confirm"):
        role = actor.ref.role
        rules = lifecycle_params(context.policies)
        check_recorder(actor, ticket, rules)
        channel = check_acceptance(ticket, role, channel, rules)
    ticket.confirm(actor.ref, now, note=note, channel=channel)
    # Seed 000 费用核算: the free labour, travel and fee of the accepted repair are this month's cost.
    count_free_work(uow, ticket, actor.ref, now, now.astimezone(zone(context.timezone)).strftime("%Y-%m"))
    if ticket.category.code == Category.INSTALLATION.code and ticket.asset_id is not None:
        params = context.policies.complaint.params
        accept_installation(uow, actor, ticket.asset_id, ticket.id, now, params)  # the out-of-box phase ends
    # Scheduled in the acceptance's own command (and attributed to it): no accepted ticket lacks its callback.
    # One planned at the result's entry (a pack whose callback runs from the work done) stands as it is.
    decision = callback_plan(context.policies.callback, ticket, customer_tier(uow, ticket), False)
    if _planned_at_work_done(uow, ticket, decision.outcome):
        return Applied(decisions=(decision,))
    _, decision = schedule_in(
        uow, context.policies.callback, actor, ticket, now, zone=zone(context.timezone), sla=context.sla
    )
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
    及时向售后经理汇报), and the first provisional due time, or the first ticket left without one because the
    holiday data ran out, is announced."""
    messages: list[OutboxMessage] = []
    if ticket.kind is TicketKind.COMPLAINT:
        values: dict[str, object] = {"ticket_id": ticket.id, "received_at": ticket.received_at}
        key = f"{ticket.id}:complaint_received"
        messages += context.notifications.staff_messages(
            "complaint_received", (Role.MANAGER,), values, key, now
        )
    messages += provisional_messages(context, uow, ticket, now)
    messages += data_missing_messages(context, uow, ticket, customer_tier(uow, ticket), now)
    return messages
