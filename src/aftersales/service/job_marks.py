"""The jobs' once-only marks (:class:`JobMark`), and which of them a job still needs.

A mark says a once-only step was done: an agent told that a callback is due, a month's feedback sent.
One was written per callback and per month, and none was ever dropped, so over years of operation they
grew with every callback. A mark is needed only while its step could be taken again: a callback mark
while the callback is pending (the job announces pending callbacks only), a month's mark only as the
latest month sent (a run judged at an earlier instant finds that month older than the latest sent and
sends nothing; a run after jobs stood still for months sends each month after the latest sent,
:func:`months_unsent`). The ``purge_job_marks`` job drops the others
(:mod:`aftersales.service.mark_retention`).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import utc_day

__all__ = ["MONTHLY", "JobMark", "month_sent", "months_unsent"]

MONTHLY = "monthly_feedback"
"""The job whose marks are one per month (``monthly_feedback:<YYYY-MM>``)."""


@attrs.define
class JobMark:
    """That a once-only job step was done (e.g. an agent was told a callback is due).

    The id is ``<job>:<key>`` (``callback_due:<task>``, ``monthly_feedback:<YYYY-MM>``); a mark is needed
    only while its step could be taken again (the callback still pending, the latest month sent), then
    the ``purge_job_marks`` job drops it (:mod:`aftersales.service.mark_retention`)."""

    DOCUMENT_KIND: ClassVar[str] = "job_mark"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("job", "day")

    id: str
    at: datetime
    version: int = 0
    job: str = attrs.field(default=attrs.Factory(lambda self: self.id.partition(":")[0], takes_self=True))
    """The job the mark is of (the id's prefix), indexed. Derived, never given."""
    day: str = attrs.field(default=attrs.Factory(lambda self: utc_day(self.at), takes_self=True))
    """The UTC date of ``at`` (ISO), indexed: the purge walks the marks oldest first. Derived."""


def month_sent(uow: UnitOfWork, month: str) -> bool:
    """Whether the feedback of ``month`` (``YYYY-MM``) went out, or a later month's did: only the latest
    month's mark is kept, and a month before it is never sent any more."""
    try:
        uow.documents.get(JobMark, f"{MONTHLY}:{month}")
        return True
    except NotFound:
        pass
    return any(mark.id.partition(":")[2] >= month for mark in uow.documents.query(JobMark, job=MONTHLY))


def months_unsent(uow: UnitOfWork, last: str) -> list[str]:
    """The months whose feedback is still to send up to ``last`` (``YYYY-MM``, the month before today),
    oldest first: each month after the latest one sent (seed 004 第五条 1(6): 每月反馈 — a month the
    jobs did not run in is still fed back, once). With no month sent yet only ``last``: the desk's
    feedback begins with the first month its job sees end."""
    sent = [mark.id.partition(":")[2] for mark in uow.documents.query(JobMark, job=MONTHLY)]
    latest = max(sent, default=None)
    if latest is None:
        return [last]
    months: list[str] = []
    year, number = int(latest[:4]), int(latest[5:])
    while True:
        year, number = year + number // 12, number % 12 + 1
        month = f"{year:04d}-{number:02d}"
        if month > last:
            return months
        months.append(month)
