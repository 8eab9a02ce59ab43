"""A handled complaint's pending callback follows the class the complaint has now (general or major).

Why: the callback of a complaint is planned when it is handled (seed 004 第八条 2(6): 投诉处理后的七天内进行
回访), and the pack's plan asks a satisfaction survey of a major complaint (``[callback]
survey_major_complaints``, seed 001 七(一)1). A complaint classified major only after its handling — a
crisis the centre learns of later (第七条 5(1)), a batch quality incident raised on its unit's batch
(第七条 5(2)) — kept the task planned for a general complaint: no survey owed, and the callback could be
recorded without one. Classified general again, it kept a survey its class no longer owes.

The due time is the class's too but does not change with it (seven days from the handling either way), and
a hand-set due stays the person's: only what the plan asks of the call (the survey, its reasons) follows.
It follows the store's callback policy: a desk left on an old ``[callback]`` section after the store moved
to a new one is refused (``ConfigurationError`` naming ``callback``, session 32 g) rather than re-plan a
pending callback by the old section, as every other write the callback policy decides.
"""

from __future__ import annotations

from aftersales.domain.surveys import CallbackTask, CallbackTaskState
from aftersales.domain.ticket import Ticket
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.calendar_stamp import check_callback_current
from aftersales.service.callback_plan import callback_plan, customer_tier
from aftersales.service.context import DeskContext

__all__ = ["follow_class"]


def follow_class(context: DeskContext, uow: UnitOfWork, ticket: Ticket, major: bool) -> None:
    """Give complaint ``ticket``'s pending callback tasks the survey its class (``major``) owes now, and
    the plan's reasons for it (a VIP's survey stays, for its tier); refused (``callback``) when the store
    moved to another callback policy since the desk opened."""
    pending = uow.documents.query(CallbackTask, ticket_id=ticket.id, state=CallbackTaskState.PENDING)
    if not pending:
        return
    check_callback_current(uow, context)  # the plan re-made is the store's policy's
    plan = callback_plan(context.policies.callback, ticket, customer_tier(uow, ticket), major)
    survey, reasons = plan.outcome.survey, tuple(plan.reasons)
    for task in pending:
        if task.survey is not survey or task.reasons != reasons:
            task.survey, task.reasons = survey, reasons
            uow.documents.save(task)
