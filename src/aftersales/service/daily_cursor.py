"""Where a daily job got to: the last local day it ran for, kept in the store.

Daily jobs (maintenance visits to generate, contracts to remind) read what became due by the local
date it became due on, an indexed field, so a run touches only those days' records, however many are
stored. A store that reads index ranges (``query_range``: memory, SQLite, PostgreSQL) hands out every
record dated today or earlier in one range — a job clears the date once it has acted, so nothing is
read twice and a first run walks no empty days. For a store without ranges the cursor says which days
are left since the last run: after a missed day (the host was down) the next run catches up; a second
run on the same day finds nothing left.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from aftersales.errors import NotFound
from aftersales.ports.daily_cursor import DailyCursor
from aftersales.ports.documents import Document
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["DailyCursor", "days_since_last_run", "due_documents", "mark_run"]

D = TypeVar("D", bound=Document)

FIRST_RUN_DAYS = 400
"""How far back a job's first run looks (records made before it ever ran are dated no earlier)."""


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


def due_documents(
    uow: UnitOfWork, cls: type[D], field: str, job: str, today: date, limit: int | None = None, **equals: Any
) -> Sequence[D]:
    """Documents of ``cls`` whose date ``field`` (ISO text) is ``today`` or earlier, oldest first.

    One index range where the store has ``query_range``; otherwise day by day since ``job`` last ran.
    """
    documents = uow.documents
    ranged = getattr(documents, "query_range", None)
    if ranged is not None:
        found: Sequence[D] = ranged(cls, field, today.isoformat(), limit=limit, **equals)
        return found
    out: list[D] = []
    for each in days_since_last_run(uow, job, today):
        out += documents.query(cls, **{field: each.isoformat()}, **equals)
        if limit is not None and len(out) >= limit:
            break
    return out[:limit]
