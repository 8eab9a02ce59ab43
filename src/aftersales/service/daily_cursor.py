"""Where a daily job got to: the last local day it ran for, kept in the store.

Daily jobs (maintenance visits to generate, contracts to remind) read what became due by the local
date it became due on, an indexed field, so a run touches only those days' records, however many are
stored. The cursor says which days are left since the last run: after a missed day (the host was
down) the next run catches up; a second run on the same day finds nothing left.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

import attrs

from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["DailyCursor", "days_since_last_run", "mark_run"]

FIRST_RUN_DAYS = 400
"""How far back a job's first run looks (records made before it ever ran are dated no earlier)."""


@attrs.define
class DailyCursor:
    """The last local day a daily job ran for."""

    DOCUMENT_KIND: ClassVar[str] = "daily_cursor"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    last_day: date
    version: int = 0


def days_since_last_run(uow: UnitOfWork, job: str, today: date) -> list[date]:
    """The days ``job`` has not run for yet, and always ``today`` (oldest first).

    Today is always included: a record dated today may have been made after today's first run.
    """
    try:
        last = uow.documents.get(DailyCursor, job).last_day
    except NotFound:
        last = today - timedelta(days=FIRST_RUN_DAYS)
    count = max((today - last).days, 1)
    return [today - timedelta(days=count - i) for i in range(1, count + 1)]


def mark_run(uow: UnitOfWork, job: str, today: date) -> None:
    """Record that ``job`` ran for every day up to ``today`` (in the job's transaction)."""
    try:
        cursor = uow.documents.get(DailyCursor, job)
    except NotFound:
        uow.documents.add(DailyCursor(job, today))
        return
    if cursor.last_day < today:
        cursor.last_day = today
        uow.documents.save(cursor)
