"""A pending callback follows the customer's grade at the time of the call (important, VIP, regular).

Why: seed 001 三(七)1 — 对于重大售后问题或重要客户, 售后团队应在问题处理完毕后进行客户满意度调查. The
survey is made at the callback, after the handling; the plan that says whether to ask it is made when the
callback is scheduled (the acceptance). A customer made important or VIP in between (a key account signed,
a complaint's customer taken up by the manager) kept a callback planned for a regular customer: no survey
owed, and the callback could be recorded without one. Made regular again, the customer kept a survey
their grade no longer asks. As a reclassified complaint's callback follows its class
(:mod:`aftersales.service.complaint_callback_class`), the customer's pending callbacks follow the new
grade in the command that changes it: the survey and the plan's reasons. The due time stays (the plan's
deadline counts from the handling either way, and a hand-set due is the person's).

The plan is the desk's callback policy's, so it must be the store's: a desk left on an old ``[callback]``
section after another desk moved the store to a new one (a pack swap in a rolling restart) re-planned the
pending callbacks by the old section, and no later sweep looked at them again (session 32 g). A grade
change that would re-plan a pending callback is refused there (``ConfigurationError`` naming ``callback``,
rule ``stamp_callback``, nothing written), as every other write the callback policy decides
(:func:`~aftersales.service.calendar_stamp.check_callback_current`).
"""

from __future__ import annotations

from aftersales.domain.parties import Customer
from aftersales.domain.surveys import CallbackTask, CallbackTaskState
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.calendar_stamp import check_callback_current
from aftersales.service.callback_plan import callback_plan, major_complaint
from aftersales.service.context import DeskContext

__all__ = ["follow_tier"]


def follow_tier(context: DeskContext, uow: UnitOfWork, before: Customer | None, after: Customer) -> int:
    """Give ``after``'s pending callback tasks the survey (and reasons) the plan asks at their grade now,
    when the grade changed from ``before``'s; how many tasks changed. Refused (``callback``) when the
    customer has a pending callback and the store moved to another callback policy since the desk opened."""
    if before is None or before.tier is after.tier:
        return 0
    policy = context.policies.callback
    # Read as the pending list reads them (a grade changes rarely; the pending callbacks are few).
    pending = [
        task
        for task in uow.documents.query(CallbackTask, state=CallbackTaskState.PENDING)
        if task.customer_id == after.id
    ]
    if pending:
        check_callback_current(uow, context)  # the plan re-made is the store's policy's
    changed = 0
    for task in pending:
        try:
            ticket = uow.tickets.get(task.ticket_id)
        except NotFound:  # its ticket purged: nothing to call about
            continue
        plan = callback_plan(policy, ticket, after.tier, major_complaint(uow, ticket))
        survey, reasons = plan.outcome.survey, tuple(plan.reasons)
        if task.survey is not survey or task.reasons != reasons:
            task.survey, task.reasons = survey, reasons
            uow.documents.save(task)
            changed += 1
    return changed
