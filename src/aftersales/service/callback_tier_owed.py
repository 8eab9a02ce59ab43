"""A customer made VIP (or otherwise owed a callback by their new grade) is called back on the jobs done
for them whose callback nobody planned.

Why: seed 001 三(七)1 (对于重大售后问题或重要客户, 售后团队应在问题处理完毕后进行客户满意度调查) and the
desk's VIP rule (:func:`~aftersales.service.callback_plan.callback_plan`: a VIP is always called back and
surveyed, whatever the pack's ``required`` and ``not_needed_for``). The callback is planned when the work
is done or accepted; a customer made VIP after that, on a job the pack calls back on for nobody (``[callback]
not_needed_for``, ``required = false``), had no pending callback for :mod:`~aftersales.service.callback_tier`
to follow, and got none: the job closed without the survey the grade asks.

Now the command that changes the grade plans it, on each of the customer's service jobs done and not closed
(resolved where the pack counts from the work done, or accepted) whose callback is owed now and not planned
(:func:`~aftersales.service.callback_replan.replan_callback`, as a reclassification plans one). A closed job
is history: its callback was judged at the grade the customer had when it was handled, and reopening it for
a grade given later would call about work finished long ago. A grade lowered leaves planned callbacks
planned (their survey follows the grade: :mod:`~aftersales.service.callback_tier`).
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.parties import Customer
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import NotFound
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.calendar_stamp import check_callback_current
from aftersales.service.callback_replan import callback_unplanned, replan_callback
from aftersales.service.context import DeskContext

__all__ = ["plan_owed_callbacks"]

_DONE = (TicketState.RESOLVED.value, TicketState.ACCEPTED.value)
_PAGE = 200


def plan_owed_callbacks(
    context: DeskContext,
    uow: UnitOfWork,
    actor: Actor,
    before: Customer | None,
    after: Customer,
    now: datetime,
) -> list[str]:
    """Plan the callback owed at ``after``'s grade on each of their done, open service jobs that has none,
    when the grade changed from ``before``'s; the ids of the jobs planned (locked in id order).

    Refused (``ConfigurationError`` naming ``callback``) when one is owed and the store moved to another
    callback policy since the desk opened: the plan would be the old policy's."""
    if before is None or before.tier is after.tier:
        return []
    owed: list[str] = []
    wanted = TicketFilter(customer_id=after.id, states=_DONE)
    cursor: str | None = None
    while True:
        page = uow.tickets.query(wanted, PageRequest(limit=_PAGE, cursor=cursor))
        owed += [t.id for t in page.items if callback_unplanned(context, uow, t, now)]
        cursor = page.next_cursor
        if cursor is None:
            break
    if owed:
        check_callback_current(uow, context)
    planned: list[str] = []
    for ticket_id in sorted(owed):
        try:
            ticket = uow.tickets.get_for_update(ticket_id)
        except NotFound:
            continue  # erased since the page was read
        if replan_callback(context, uow, actor, ticket, now):  # as last committed
            uow.tickets.save(ticket)
            planned.append(ticket.id)
    return planned
