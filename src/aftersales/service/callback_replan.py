"""A done service ticket's callback made to agree with the pack's plan for it as it stands now.

Why: a callback is planned at one instant — the acceptance, or the result's entry where the pack's callback
runs from the work done (seed 003 二 5: 工程师将处理结果录入系统, 客服专员在24小时内对客户进行回访) — and a
later change of what decides it left the plan behind:

* a reclassification into a category the pack calls back on no job of (``[callback] not_needed_for``) kept
  the callback planned at the entry or the acceptance: a task listed, later overdue, a ``callback_due_at``
  the KPI counts as due — for a callback the pack says nobody owes; reclassified the other way, an
  accepted ticket owed a callback it could not close without, and nobody was given it;
* a pack swap (``[callback] service_from`` with ``[sla] callback_from``) left a pending callback dated from
  the old start while ``desk.sla()`` counts from the new one.

:func:`replan_callback` withdraws a callback nobody owes any more (its pending task dropped,
``callback_due_at`` cleared, as a rejection does), plans one owed and not planned, and — asked to
(``redate``: the pack changed) — plans again a pending one whose due is not the one the pack gives now.
A callback already made is left alone: it is history.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.contact import zone
from aftersales.domain.surveys import CallbackTask, CallbackTaskState
from aftersales.domain.ticket import PLANNED_KEY, Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.callback_plan import (
    callback_plan,
    callback_start,
    customer_tier,
    drop_pending,
    schedule_in,
)
from aftersales.service.callback_working import working_callback_due
from aftersales.service.context import DeskContext

__all__ = ["callback_behind", "callback_unplanned", "replan_callback"]

_DONE_STATES = frozenset({TicketState.RESOLVED.value, TicketState.ACCEPTED.value})
"""The states a service ticket's callback is planned in: resolved (a pack counting from the work done)
and accepted."""


def replan_callback(
    context: DeskContext,
    uow: UnitOfWork,
    actor: Actor,
    ticket: Ticket,
    now: datetime,
    *,
    redate: bool = False,
) -> bool:
    """Make ``ticket``'s pending callback what the pack plans for it now; whether anything changed.

    Only a service ticket that is resolved or accepted, its callback not yet made, is touched. ``redate``
    (the pack changed) also withdraws one planned at the entry of a ticket now waiting for its acceptance
    and plans again a pending callback whose due is another than the pack's now (a hand-set due is kept
    otherwise)."""
    step = _step(context, uow, ticket, now, redate)
    if step == "drop":
        drop_pending(uow, ticket)  # the task dropped, callback_due_at cleared
    elif step == "plan":
        schedule_in(
            uow, context.policies.callback, actor, ticket, now, zone=zone(context.timezone), sla=context.sla
        )
    return step is not None


def callback_behind(context: DeskContext, uow: UnitOfWork, ticket: Ticket, now: datetime) -> bool:
    """Whether ``ticket``'s pending callback is not what the pack plans now (:func:`replan_callback` with
    ``redate`` would change it): read only, for a page of tickets before they are locked."""
    return _step(context, uow, ticket, now, True) is not None


def callback_unplanned(context: DeskContext, uow: UnitOfWork, ticket: Ticket, now: datetime) -> bool:
    """Whether ``ticket`` is owed a callback the pack plans now and has none planned (:func:`replan_callback`
    would plan one): read only, for a page of tickets before they are locked."""
    return _step(context, uow, ticket, now, False) == "plan"


def _step(context: DeskContext, uow: UnitOfWork, ticket: Ticket, now: datetime, redate: bool) -> str | None:
    """``"drop"``, ``"plan"`` or ``None`` (nothing to change): see :func:`replan_callback`."""
    if (
        ticket.kind is not TicketKind.SERVICE
        or not ticket.needs_acceptance
        or ticket.state not in _DONE_STATES
        or ticket.callback_done
    ):
        return None
    tier = customer_tier(uow, ticket)
    plan = callback_plan(context.policies.callback, ticket, tier).outcome
    pending = uow.documents.query(CallbackTask, ticket_id=ticket.id, state=CallbackTaskState.PENDING)
    # Resolved, in a pack counting from the acceptance: the acceptance plans it (one planned at the entry
    # under a pack counting from the work done is withdrawn when the pack changed).
    waits = ticket.state == TicketState.RESOLVED.value and not plan.from_work_done
    if pending and not _policy_dated(ticket):
        return None  # a date a person gave (客户约定的回访时间) is theirs to move
    if not plan.required or (waits and redate):
        return "drop" if pending else None
    if waits or (pending and not redate):
        return None
    if pending:
        working = working_callback_due(context.sla, ticket, tier, now)
        due = working or plan.due_from(callback_start(plan, ticket, now), zone(context.timezone))
        if all(task.due_at == due for task in pending) and ticket.callback_due_at == due:
            return None
    return "plan"


def _policy_dated(ticket: Ticket) -> bool:
    """Whether this cycle's latest callback was dated by the pack's policy, not by a person: its event
    says so (``planned``, since session 27); an older one was the policy's when planned in the acceptance's
    or the result's entry's own command (the event before it, at the same instant), as those plan it."""
    events = ticket.events
    for index in range(len(events) - 1, 0, -1):
        event = events[index]
        if event.action in ("reopen", "reject"):
            return False
        if event.action != "schedule_callback":
            continue
        planned = event.payload.get(PLANNED_KEY)
        if isinstance(planned, bool):
            return planned
        before = events[index - 1]
        return before.action in ("confirm", "resolve") and before.at == event.at
    return False
