"""Reminders of escalations not taken up by their due (seed 004 第八条 2(5) 立即通知 … 向总经理报告).

An escalation has its own due time (``[complaints] escalation_ack_hours``); one not taken up by then was
only listed (``overdue_escalations``) for someone who thought to look, and nobody was reminded. The SLA
sweep job now tells, once, whom the escalation was addressed to and their superior (the next level of
:data:`~aftersales.policies.escalation.LADDER` above them, when there is one) that it is overdue: a
:class:`~aftersales.service.job_marks.JobMark` per escalation keeps a second sweep from repeating it.
A closed or cancelled complaint has nothing left to take up and reminds nobody.

Session 38 (issue 21): the sweep read every major and general complaint file (and its ticket) at every
run, seconds at tens of thousands. A file now carries the due of its earliest escalation neither taken up
nor reminded as an index field (:attr:`~aftersales.domain.complaints.ComplaintFile.escalation_due`, kept
where escalations are raised and taken up), and the sweep reads one range of it up to now, a page per
transaction. Reminding records ``reminded_at`` on the escalation, which moves the key to the next one;
a file found closed loses its key (lazily, as remedy visits do: the ticket workflow closes a complaint
without its file). So a run reads only what became overdue since the last one, and each is reminded
once. Files stored before session 38 have no index row for the key: the store writes them again in
pages of the primary key (``reindex_page``, a position kept in :class:`EscalationKeyFill`) before the
first range is read.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.complaints import ComplaintFile, ComplaintSeverity, overdue_key
from aftersales.errors import DuplicateError, NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.customer_name import customer_name
from aftersales.service.escalation_reach import above
from aftersales.service.job_marks import JobMark
from aftersales.service.notify import Notifications

__all__ = [
    "CATCH_UP_BATCH",
    "OVERDUE_JOB",
    "EscalationKeyFill",
    "announce_overdue_escalations",
    "catch_up",
    "reminded_roles",
]

OVERDUE_JOB = "escalation_overdue"
"""The prefix of the job marks of the escalations reminded (``escalation_overdue:<complaint>:<index>``)."""

_OVER = frozenset({ComplaintState.CLOSED.value, ComplaintState.CANCELLED.value})


def reminded_roles(to: tuple[Role, ...]) -> tuple[Role, ...]:
    """Those addressed, then their superior: the first level above the highest of them, if any."""
    return (*to, *above(to)[:1])


CATCH_UP_BATCH = 100
"""Complaint files a transaction of the job reads at most, to index their key (the catch-up) or to remind
their escalations: each is parsed and written under the write lock (issue 21: a writer waits 100 ms at
most; 300 reminders in one transaction held it about 100 ms)."""


@attrs.define
class EscalationKeyFill:
    """How far the catch-up of the escalation key has gone in a store written before session 38: the
    last complaint file (by id) whose index rows were written again, and whether every one was."""

    DOCUMENT_KIND: ClassVar[str] = "escalation_key_fill"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    ID: ClassVar[str] = "escalation_due"

    id: str
    after: str = ""
    done: bool = False
    version: int = 0


def catch_up(uow: UnitOfWork, limit: int) -> int:
    """Write the index rows of up to ``limit`` complaint files following the last ones done (a store
    written before the key existed has none of it); how many were written, 0 once all are (at once on a
    store without ``reindex_page``: memory indexes every field as it writes). Resumable: the position is
    committed with the page."""
    page = getattr(uow.documents, "reindex_page", None)
    try:
        fill = uow.documents.get(EscalationKeyFill, EscalationKeyFill.ID)
    except NotFound:
        fill = EscalationKeyFill(EscalationKeyFill.ID, done=page is None)
        uow.documents.add(fill)
    if fill.done or page is None:
        return 0
    last = page(ComplaintFile, fill.after, limit)
    if last is None:
        fill.done = True
    else:
        fill.after = last
    uow.documents.save(fill)
    return 0 if last is None else 1


def announce_overdue_escalations(
    uow: UnitOfWork,
    notifications: Notifications,
    now: datetime,
    *,
    limit: int | None = None,
    after: tuple[str, str] | None = None,
) -> tuple[int, tuple[str, str] | None]:
    """Write an ``escalation_overdue`` notice for each escalation of an open complaint overdue at ``now``
    and not reminded yet, reading up to ``limit`` files keyed overdue past ``after`` (a key and an id);
    the number of escalations reminded and the cursor of the next page (``None``: none follows). Its
    index in the file is an escalation's identity (escalations are only appended)."""
    ranged = getattr(uow.documents, "query_range", None)
    if ranged is None:  # a store without index ranges: every file, filtered (one page)
        every = [*uow.documents.query(ComplaintFile, severity=ComplaintSeverity.MAJOR.value)]
        every += uow.documents.query(ComplaintFile, severity=ComplaintSeverity.GENERAL.value)
        upto = overdue_key(now)
        files = sorted(
            (f for f in every if f.escalation_due is not None and f.escalation_due <= upto),
            key=lambda f: (f.escalation_due, f.id),
        )
        limit = None
    else:
        files = [*ranged(ComplaintFile, "escalation_due", overdue_key(now), limit=limit, after=after)]
    # The cursor is the last key as read: reminding moves a file's key past now (or clears it).
    last = (str(files[-1].escalation_due), files[-1].id) if files else None
    reminded = 0
    for file in files:
        reminded += _remind(uow, notifications, file, now)
    return reminded, (last if limit is not None and len(files) == limit else None)


def _remind(uow: UnitOfWork, notifications: Notifications, file: ComplaintFile, now: datetime) -> int:
    """Remind the escalations of ``file`` overdue at ``now`` (none when its complaint is closed) and
    save it with its key moved on; how many were reminded."""
    try:
        state: str | None = uow.tickets.get(file.id).state
    except NotFound:
        state = None  # erased with its customer
    if state is None or state in _OVER:
        file.escalation_due = None  # nothing left to take up: out of the range for good
        uow.documents.save(file)
        return 0
    reminded = 0
    for index, escalation in enumerate(file.escalations):
        if not escalation.overdue(now) or escalation.reminded_at is not None:
            continue
        file.escalations[index] = attrs.evolve(escalation, reminded_at=now)
        mark = JobMark(f"{OVERDUE_JOB}:{file.id}:{index}", now)
        try:
            uow.documents.add(mark)
        except DuplicateError:
            continue  # reminded once already (by a release that kept no reminded_at)
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
    file.rekey()
    uow.documents.save(file)
    return reminded
