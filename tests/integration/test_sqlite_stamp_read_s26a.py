"""The calendar stamp read with the ticket on SQLite (issue 21, session 26).

A command that moves a ticket's due times checks the store's calendar stamp (service/calendar_stamp,
session 25): on SQLite that was a statement of its own after the ticket's read, one of a dispatch's
eight. The ticket's read now joins the stamp in, and the documents repository answers the stamp from it
for the rest of the transaction, until a document is written there. What it answers is what a separate
read would: a missing stamp is NotFound, a stamp written in the same transaction is read as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales.adapters import sqlite as sqlite_adapter
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.errors import NotFound
from aftersales.service import calendar_stamp
from aftersales.service.actors import Actor
from aftersales.service.calendar_stamp import CalendarStamp
from aftersales.service.desk import ServiceDesk

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
STAMP = "calendar"  # the calendar stamp's id (service/calendar_stamp)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, list[str]]]:
    clock = ManualClock(START)
    with ServiceDesk.open(f"sqlite:///{tmp_path / 'desk.db'}", pack="sanitary_ware", clock=clock) as d:
        dealer = Dealer(
            DealerId("dealer-sh"), "浦东特约", "SH", frozenset({"SH"}), Contact("陈", phone="13900000001")
        )
        d.register_dealer(MANAGER, dealer)
        contact = Contact("张伟", email="zw@example.cn", locale="zh_Hans")
        d.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张伟", contact, region="SH", dealer_id=dealer.id)
        )
        ids = [d.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id for _ in range(2)]
        with d.store() as uow:  # unstamped, as a store of a release before stamps (the opening stamped it)
            uow.documents.remove(CalendarStamp, [STAMP])
            uow.commit()
        clock.advance(timedelta(minutes=1))
        yield d, clock, ids  # type: ignore[misc]


def _trace(d: ServiceDesk) -> list[str]:
    store = d.store
    assert isinstance(store, SqliteStore)
    statements: list[str] = []

    def seen(sql: str) -> None:  # a trigger's or RETURNING's program start repeats its statement
        if not statements or statements[-1] != sql:
            statements.append(sql)

    for conn in store._all:
        conn.set_trace_callback(seen)
    return statements


def test_the_stamp_constants_are_the_services() -> None:
    assert sqlite_adapter.STAMP_KIND == CalendarStamp.DOCUMENT_KIND
    assert sqlite_adapter.STAMP_ID == calendar_stamp._ID


def test_a_dispatch_reads_the_stamp_with_its_ticket(desk: tuple[ServiceDesk, ManualClock, list[str]]) -> None:
    d, clock, ids = desk
    d.run_due_jobs()  # the sweep stamps the store's calendar
    with d.store() as uow:
        assert uow.documents.get(CalendarStamp, STAMP).fingerprint
    d.triage(AGENT, ids[0], nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    clock.advance(timedelta(seconds=1))
    statements = _trace(d)
    d.dispatch(AGENT, ids[0], dealer_id="dealer-sh")
    assert not any("FROM documents" in s for s in statements if not s.startswith("SELECT t.")), statements
    assert sum(s.startswith("SELECT") for s in statements) == 1, statements
    assert len(statements) <= 7, statements


def test_the_primed_stamp_answers_as_a_read_would(desk: tuple[ServiceDesk, ManualClock, list[str]]) -> None:
    d, _clock, ids = desk
    with d.store() as uow:
        uow.tickets.get(ids[0])  # no stamp yet: the read primes its absence
        with pytest.raises(NotFound):
            uow.documents.get(CalendarStamp, STAMP)
        uow.documents.add(CalendarStamp(STAMP, "f1", "company", START))
        assert uow.documents.get(CalendarStamp, STAMP).fingerprint == "f1"
        uow.commit()
    with d.store() as uow:
        uow.tickets.get(ids[1])
        stamp = uow.documents.get(CalendarStamp, STAMP)
        assert (stamp.fingerprint, stamp.version) == ("f1", 0)
        saved = uow.documents.save(attrs.evolve(stamp, fingerprint="f2"))
        assert saved.version == 1
        uow.tickets.get(ids[0])  # primes the stamp again, from the row just written
        again = uow.documents.get(CalendarStamp, STAMP)
        assert (again.fingerprint, again.version) == ("f2", 1)
        uow.rollback()
    with d.store() as uow:
        uow.tickets.get(ids[0])
        stamp = uow.documents.get(CalendarStamp, STAMP)
        assert (stamp.fingerprint, stamp.version) == ("f1", 0)


def test_a_stamp_written_after_the_read_is_read_as_written(
    desk: tuple[ServiceDesk, ManualClock, list[str]],
) -> None:
    d, _clock, ids = desk
    with d.store() as uow:
        uow.documents.add(CalendarStamp(STAMP, "f1", "company", START))
        uow.commit()
    with d.store() as uow:
        uow.tickets.get(ids[0])  # primes version 0
        calendar_stamp_doc = uow.documents.get(CalendarStamp, STAMP)
        uow.documents.save(attrs.evolve(calendar_stamp_doc, fingerprint="f3"))
        # No ticket read since the write: the prime is gone, the table answers.
        assert uow.documents.get(CalendarStamp, STAMP).fingerprint == "f3"
        uow.rollback()
