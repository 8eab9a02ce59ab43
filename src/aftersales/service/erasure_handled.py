"""Which of an erased person's tickets are still being worked, and what a handled complaint still owes.

A service ticket's work is done once it is resolved: the erasure neither waits for nor cancels it. A
complaint's handling is done once its outcome is given (结果反馈, the workflow's ``resolve``) or reviewed
(总结改进): seed 004 第八条 2(6) 用户投诉处理完毕后, 应将处理结果登记好…七天内进行回访. Its workflow still
lets staff cancel it there, but an erasure cancelling it rewrote the month's complaint figures (seed 001
六(二)4 投诉处理成功率: a complaint handled turned cancelled, out of the rate's numerator and denominator
both). It is left handled; only its callback, which nobody may make now, is owed no more.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.ticket import Ticket

__all__ = ["handled_complaint", "release_uncallable_callback", "still_worked"]

_HANDLED = frozenset({ComplaintState.FEEDBACK_GIVEN.value, ComplaintState.REVIEWED.value})


def handled_complaint(ticket: Ticket) -> bool:
    """Whether ``ticket`` is a complaint whose outcome was given (or reviewed), not yet closed."""
    return ticket.kind is TicketKind.COMPLAINT and str(ticket.state) in _HANDLED


def still_worked(ticket: Ticket) -> bool:
    """Whether ``ticket`` is still being worked: open, cancellable from its state, and not a complaint
    already handled (a resolved or accepted ticket's work is done; a closed or cancelled one is over)."""
    return ticket.is_open and ticket.can("cancel") and not handled_complaint(ticket)


def release_uncallable_callback(ticket: Ticket, at: datetime) -> bool:
    """Clear a handled complaint's callback not yet due at ``at`` (nobody may call an erased person, so
    it is not owed and never turns late); one already overdue stays late. Whether anything changed."""
    if not handled_complaint(ticket) or ticket.callback_due_at is None or ticket.callback_due_at <= at:
        return False
    ticket.callback_due_at = None
    return True
