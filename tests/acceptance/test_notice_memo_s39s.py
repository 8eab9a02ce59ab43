"""A desk remembers the calendar notices its store holds (issue 21, session 39s).

Once a ticket's dues pass the end of the official holiday data (every December), every command on it read
the ``calendar_notice`` document to learn whether managers had been told: one read more per command. A
notice is never removed, so a desk that saw it stored reads it no more; a second desk on the same store,
which has not seen it, reads it and still tells nobody again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Severity
from aftersales.service.desk import ServiceDesk
from aftersales.service.notice_memo import StoredNotices
from aftersales.service.provisional_notice import CalendarNotice
from conftest import STAFF, START, world_desk

PREFIX = "calendar:provisional:2026-12-31:manager:"


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_stored_notice_is_read_once_per_desk_and_told_once(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = MemoryNotifier()
    with world_desk(backend, tmp_path, notifier=sent) as (a, clock, w):
        clock.advance(datetime(2026, 12, 30, 17, tzinfo=START.tzinfo) - START)  # dues run into 2027
        with a.runner.context.store() as uow:
            documents = type(uow.documents)
        reads: list[str] = []
        get = documents.get

        def counted(self: Any, kind: type[Any], key: str) -> Any:
            if kind is CalendarNotice:
                reads.append(key)
            return get(self, kind, key)

        monkeypatch.setattr(documents, "get", counted)
        tid = a.open_ticket(w.agent, customer_id=w.cust_zh.id, description="复印机卡纸").ticket.id
        assert reads == ["provisional:2026-12-31"]  # its first dues: not yet stored, read, then written
        a.triage(w.agent, tid, nature="repair", severity=Severity.MEDIUM)
        a.note_to_customer(w.agent, tid, text="工程师已出发", visible=False)
        other = a.open_ticket(w.agent, customer_id=w.cust_zh.id, description="复印机卡纸").ticket.id
        a.triage(w.agent, other, nature="repair", severity=Severity.MEDIUM)
        assert reads == ["provisional:2026-12-31"]  # committed since: never read again by this desk

        if backend == "memory":  # a memory store lives in its desk: a second desk on the same factory
            context = a.runner.context
            b = ServiceDesk(context.store, policies=context.policies, clock=clock, calendar=context.calendar)
        else:
            b = ServiceDesk.open(
                a.runner.context.store.url, pack="office_equipment", clock=clock, staff=STAFF
            )
        third = b.open_ticket(w.agent, customer_id=w.cust_zh.id, description="复印机卡纸").ticket.id
        b.triage(w.agent, third, nature="repair", severity=Severity.MEDIUM)
        b.note_to_customer(w.agent, third, text="工程师已出发", visible=False)
        assert reads == ["provisional:2026-12-31"] * 2  # desk b read it once, found it, and told nobody
        if backend != "memory":
            b.shutdown()
        clock.advance(timedelta(minutes=1))
        a.deliver(limit=1000)
        assert len([m for m in sent.sent if m.idempotency_key.startswith(PREFIX)]) == 1


def test_only_what_the_store_confirmed_is_remembered() -> None:
    notices, first, second = StoredNotices(), object(), object()
    notices.wrote(first, "provisional:2026-12-31")  # type: ignore[arg-type]
    notices.found(first, "provisional:2026-12-31")  # type: ignore[arg-type]  # its own write: may roll back
    notices.wrote(second, "missing:2027-12-31")  # type: ignore[arg-type]  # another transaction's write
    notices.committed(second)  # type: ignore[arg-type]
    assert notices.known("missing:2027-12-31") and not notices.known("provisional:2026-12-31")
    notices.committed(first)  # type: ignore[arg-type]
    assert notices.known("provisional:2026-12-31")
    third = object()
    notices.wrote(third, "provisional:2027-12-31")  # type: ignore[arg-type]  # rolled back: never committed
    notices.found(second, "provisional:2027-12-31")  # type: ignore[arg-type]  # read by another: committed
    assert notices.known("provisional:2027-12-31")
