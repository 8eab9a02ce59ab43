"""Scheduling a callback inside a running command: the policy's plan, the ticket's due time, the task.

Shared by the callback desk (schedule on demand) and the complaint desk (a complaint handled schedules
its 7-day callback in the same command). The pack's callback policy decides the deadline (seed 003:
24 h after resolution; seed 004: 7 days after a complaint is handled) and whether a survey is asked;
VIP customers are always called back and surveyed, whatever the pack says (seed 004 第五章).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

import attrs

from aftersales.domain.classification import Priority, TicketKind
from aftersales.domain.complaints import ComplaintFile, ComplaintSeverity
from aftersales.domain.parties import CustomerTier
from aftersales.domain.reasons import Reason
from aftersales.domain.surveys import CallbackTask, CallbackTaskState
from aftersales.domain.ticket import Ticket
from aftersales.errors import InvalidTransition, NotFound, ValidationError
from aftersales.policies.callback import CallbackFacts, CallbackPlan
from aftersales.policies.decision import Decision
from aftersales.policies.protocols import CallbackPolicy
from aftersales.ports.read_ahead import known_absent
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.callback_working import working_callback_due
from aftersales.service.sla import SlaService

__all__ = [
    "callback_plan",
    "callback_start",
    "check_callback_now",
    "check_due",
    "complete_tasks",
    "customer_tier",
    "drop_pending",
    "give_up_pending",
    "major_complaint",
    "schedule_in",
]


def customer_tier(uow: UnitOfWork, ticket: Ticket) -> CustomerTier:
    """The ticket's customer's tier (regular when the customer is not registered)."""
    try:
        return uow.customers.get(ticket.customer_id).tier
    except NotFound:
        return CustomerTier.REGULAR


def major_complaint(uow: UnitOfWork, ticket: Ticket) -> bool:
    """Whether ``ticket`` is a complaint its file classifies as major (crisis event, batch incident)."""
    if ticket.kind is not TicketKind.COMPLAINT:
        return False
    try:
        return uow.documents.get(ComplaintFile, ticket.id).severity is ComplaintSeverity.MAJOR
    except NotFound:
        return False


def callback_plan(
    policy: CallbackPolicy, ticket: Ticket, tier: CustomerTier, major: bool = False
) -> Decision[CallbackPlan]:
    """The pack's callback plan for ``ticket``, with VIP customers always called back and surveyed;
    ``major``: the ticket is a major complaint (:func:`major_complaint`)."""
    decision = policy.decide(
        CallbackFacts(ticket.kind, ticket.priority or Priority.NORMAL, tier, ticket.category.code, major)
    )
    plan = decision.outcome
    if tier is CustomerTier.VIP and not (plan.required and plan.survey):
        plan = attrs.evolve(plan, required=True, survey=True)
        reasons = (*decision.reasons, Reason("callback_vip"))
        return Decision(plan, reasons, decision.policy)
    return decision


def check_callback_now(policy: CallbackPolicy, uow: UnitOfWork, ticket: Ticket, command: str) -> None:
    """Refuse the callback (or a failed attempt at it) on a resolved service ticket unless the pack counts
    the callback from the result's entry.

    Seed 003 二 5 (服务完成后,工程师将处理结果录入系统,客服专员在24小时内对客户进行回访): the agent calls
    within 24 hours of the entry; the customer signed the slip on site (二 4), but its record may come later.
    Where the callback runs from the entry, the call is made and recorded then; where it runs from the
    acceptance, it follows the acceptance, as before (``InvalidTransition`` naming the state; nothing
    changes)."""
    if ticket.kind is not TicketKind.SERVICE or ticket.state != "resolved":
        return
    if not callback_plan(policy, ticket, customer_tier(uow, ticket)).outcome.from_work_done:
        raise InvalidTransition(
            ticket.workflow.name, ticket.state, command, ticket_id=ticket.id, command=command
        )


def callback_start(plan: CallbackPlan, ticket: Ticket, now: datetime) -> datetime:
    """The instant the callback deadline of ``ticket`` runs from: the work marked done in this cycle when
    the plan says so (seed 003: 工程师将处理结果录入系统, 客服专员在24小时内…回访), else the resolution
    (a service ticket's acceptance, a complaint's handling), else ``now``."""
    if plan.from_work_done and ticket.work_done_at is not None:
        return ticket.work_done_at
    return ticket.resolved_at or now


def schedule_in(
    uow: UnitOfWork,
    policy: CallbackPolicy,
    actor: Actor,
    ticket: Ticket,
    now: datetime,
    due_at: datetime | None = None,
    *,
    zone: tzinfo,
    sla: SlaService | None = None,
) -> tuple[CallbackTask | None, Decision[CallbackPlan]]:
    """Plan the callback of ``ticket`` now: set its due time (a ticket event) and write the task.

    ``zone`` is the desk's: a deadline in days counts its local days. ``sla`` is the desk's: a service
    callback its SLA counts in working hours falls due with that target (:mod:`.callback_working`).

    ``due_at`` overrides the policy's deadline for the task (when the agent calls). The ticket's
    ``callback_due_at`` — what the KPI and the ledger judge the callback by — never goes past the due
    the pack's rule owes once the work is handled (seed 003 二 5 客服专员在24小时内对客户进行回访; seed
    000 7.服务回访 服务结束后一定时间内; seed 004 七天内): a callback made on a later day the customer
    asked for, or caught up after the rule's due was missed, is late, not on time against the hand date.
    A pending task of the same ticket is dropped (the new one replaces it). When the policy requires no
    callback, nothing is written and the task is ``None``.
    """
    tier = customer_tier(uow, ticket)
    decision = callback_plan(policy, ticket, tier, major_complaint(uow, ticket))
    plan = decision.outcome
    if not plan.required and due_at is None:
        return None, decision
    window: datetime | None = None
    if due_at is None:
        due = _rule_due(plan, ticket, tier, now, zone, sla)
    else:
        window = _owed_by(plan, ticket, tier, now, zone, sla)
        _check_window(ticket, plan, window, now, due_at)
        due = due_at
    ticket.schedule_callback(actor.ref, now, due, planned=due_at is None)
    if due_at is not None and window is not None and window < due:
        # The task keeps the hand date (the customer's day, a missed call caught up); the ticket's due,
        # which the KPI and the ledger judge the callback by, stays the rule's.
        ticket.callback_due_at = window
    existing = uow.documents.query(CallbackTask, ticket_id=ticket.id)
    for old in existing:
        if old.state is CallbackTaskState.PENDING:
            old.state = CallbackTaskState.DROPPED
            uow.documents.save(old)
    task = CallbackTask(
        id=f"{ticket.id}:callback:{len(existing) + 1}",
        ticket_id=ticket.id,
        customer_id=ticket.customer_id,
        due_at=due,
        scheduled_at=now,
        scheduled_by=actor.ref,
        reasons=decision.reasons,
        survey=plan.survey,
        ticket_kind=ticket.kind,
    )
    known_absent(uow, CallbackTask, task.id)  # numbered from the tasks of the ticket this command holds
    uow.documents.add(task)
    return task, decision


def _owed_by(
    plan: CallbackPlan,
    ticket: Ticket,
    tier: CustomerTier,
    now: datetime,
    zone: tzinfo,
    sla: SlaService | None,
) -> datetime | None:
    """When the pack's callback rule owes the callback of ``ticket`` (the due it would plan), ``None``
    when it owes none or its clock has not started (the work not handled yet)."""
    if not plan.required:
        return None
    if (plan.from_work_done and ticket.work_done_at is not None) or ticket.resolved_at is not None:
        return _rule_due(plan, ticket, tier, now, zone, sla)
    return None


def _rule_due(
    plan: CallbackPlan,
    ticket: Ticket,
    tier: CustomerTier,
    now: datetime,
    zone: tzinfo,
    sla: SlaService | None,
) -> datetime:
    """The due the pack's rule plans for ``ticket``'s callback: its SLA's working-hours target for a
    service callback (:mod:`.callback_working`), else the plan's deadline from its start."""
    working = working_callback_due(sla, ticket, tier, now)
    return working if working is not None else plan.due_from(callback_start(plan, ticket, now), zone)


def _check_window(
    ticket: Ticket, plan: CallbackPlan, window: datetime | None, now: datetime, due_at: datetime
) -> None:
    """A complaint's callback the pack owes by ``window`` (seed 004 第八条 2(6): 要求在投诉处理后的七天内进行
    回访) is not put off past it by hand (``ValidationError`` on ``due_at``, rule
    ``complaint_callback_window``). Once those days are over, any date is late and a hand date may still
    catch the callback up. A service ticket's hand date is taken (the customer's own day, 客户约定的回访
    时间), and judged as every hand date is by :func:`schedule_in`: against the rule's due."""
    if ticket.kind is not TicketKind.COMPLAINT or window is None or not now <= window < due_at:
        return
    raise ValidationError(
        f"complaint {ticket.id} is called back by {window.isoformat()} (the pack's callback rule:"
        f" within {plan.within.days} days of its handling), not at {due_at.isoformat()}",
        field="due_at",
        rule="complaint_callback_window",
    )


MAX_CALLBACK_AHEAD = timedelta(days=366)
"""How far ahead a callback asked for by hand may fall due: it follows up this job (seed 004 回访), so a
date years away (2199 for 2026) is a typo that would never fall due nor show as overdue."""


def check_due(due_at: datetime | None, now: datetime) -> None:
    """A callback asked for by hand is due from now on, and within :data:`MAX_CALLBACK_AHEAD`: one due
    before it is scheduled would be overdue the moment it exists, one years away never falls due
    (``ValidationError`` on ``due_at`` either way)."""
    if due_at is not None and due_at < now:
        raise ValidationError(
            f"a callback cannot be due ({due_at.isoformat()}) before it is scheduled ({now.isoformat()})",
            field="due_at",
        )
    if due_at is not None and due_at - now > MAX_CALLBACK_AHEAD:
        raise ValidationError(
            f"a callback falls due within {MAX_CALLBACK_AHEAD.days} days, not at {due_at.isoformat()}",
            field="due_at",
        )


def complete_tasks(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
    """Mark the ticket's pending callback tasks done: the callback was made."""
    for task in uow.documents.query(CallbackTask, ticket_id=ticket.id, state=CallbackTaskState.PENDING):
        task.state = CallbackTaskState.DONE
        task.done_at = now
        uow.documents.save(task)


def drop_pending(uow: UnitOfWork, ticket: Ticket) -> None:
    """Drop the ticket's pending callback tasks: the work it was to follow up is no longer done.

    Called when a handled ticket goes back to work (a complaint's outcome rejected, a closed ticket or
    complaint reopened) or a handled complaint is withdrawn or cancelled. The ticket can no longer
    record that callback, so the task would stay pending and turn overdue with nobody able to make it;
    handling the work again schedules a fresh one (seed 000: 服务结束后一定时间内回访). The ticket's
    ``callback_due_at`` goes with it, so the ledger and the KPI's callbacks due do not count a callback
    nobody can make.
    """
    for task in uow.documents.query(CallbackTask, ticket_id=ticket.id, state=CallbackTaskState.PENDING):
        task.state = CallbackTaskState.DROPPED
        uow.documents.save(task)
        ticket.callback_due_at = None


def give_up_pending(uow: UnitOfWork, ticket: Ticket) -> None:
    """Drop the ticket's pending callback tasks when it closes because the customer could not be reached
    (the pack's number of failed attempts, recorded).

    The pack lets the ticket close without the callback, so nobody is to make it any more: left pending,
    the task would be listed as overdue for ever. Unlike :func:`drop_pending` the ticket keeps its
    ``callback_due_at``: the callback was due and was not made, and the KPI counts it so.
    """
    for task in uow.documents.query(CallbackTask, ticket_id=ticket.id, state=CallbackTaskState.PENDING):
        task.state = CallbackTaskState.DROPPED
        uow.documents.save(task)
