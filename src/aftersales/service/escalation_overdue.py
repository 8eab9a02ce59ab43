"""Reminders of escalations not taken up by their due (seed 004 第八条 2(5) 立即通知 … 向总经理报告).

An escalation has its own due time (``[complaints] escalation_ack_hours``); one not taken up by then was
only listed (``overdue_escalations``) for someone who thought to look, and nobody was reminded. The SLA
sweep job now tells, once, whom the escalation was addressed to and their superior (the next level of
:data:`~aftersales.policies.escalation.LADDER` above them, when there is one) that it is overdue: a
:class:`~aftersales.service.job_marks.JobMark` per escalation keeps a second sweep from repeating it.
A closed or cancelled complaint has nothing left to take up and reminds nobody.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.complaints import ComplaintFile, ComplaintSeverity
from aftersales.errors import DuplicateError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.customer_name import customer_name
from aftersales.service.escalation_reach import above
from aftersales.service.job_marks import JobMark
from aftersales.service.notify import Notifications

__all__ = ["OVERDUE_JOB", "announce_overdue_escalations", "reminded_roles"]

OVERDUE_JOB = "escalation_overdue"
"""The prefix of the job marks of the escalations reminded (``escalation_overdue:<complaint>:<index>``)."""

_OVER = frozenset({ComplaintState.CLOSED.value, ComplaintState.CANCELLED.value})


def reminded_roles(to: tuple[Role, ...]) -> tuple[Role, ...]:
    """Those addressed, then their superior: the first level above the highest of them, if any."""
    return (*to, *above(to)[:1])


def announce_overdue_escalations(uow: UnitOfWork, notifications: Notifications, now: datetime) -> int:
    """Write an ``escalation_overdue`` notice for each escalation of an open complaint overdue at ``now``
    and not reminded yet; the number of escalations reminded. Its index in the file is its identity
    (escalations are only appended)."""
    files = [*uow.documents.query(ComplaintFile, severity=ComplaintSeverity.MAJOR.value)]
    files += uow.documents.query(ComplaintFile, severity=ComplaintSeverity.GENERAL.value)
    reminded = 0
    for file in sorted(files, key=lambda f: f.id):
        late = [(i, e) for i, e in enumerate(file.escalations) if e.overdue(now)]
        if not late or uow.tickets.get(file.id).state in _OVER:
            continue
        for index, escalation in late:
            mark = JobMark(f"{OVERDUE_JOB}:{file.id}:{index}", now)
            try:
                uow.documents.add(mark)
            except DuplicateError:
                continue  # reminded once already
            values = {
                "complaint_id": file.id,
                "customer_name": customer_name(uow, file.customer_id),
                "reason": escalation.reason,
                "escalated_at": escalation.at,
                "due_at": escalation.due_at,
            }
            roles = reminded_roles(escalation.to)
            uow.outbox.put(notifications.staff_messages(OVERDUE_JOB, roles, values, mark.id, now, uow))
            reminded += 1
    return reminded
