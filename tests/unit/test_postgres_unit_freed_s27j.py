"""Issue 21, session 27: a PostgreSQL unit of work is freed when it ends, not by the garbage collector.

It made its eleven repositories in ``__init__`` and kept them after ``__exit__``; each refers back to
it, so every command left a cycle of some 25 objects (the unit, its transaction, its repositories and
their dicts, lists and sets) that only a collection frees. Branch a did the same for SQLite
(tests/unit/test_sqlite_unit_freed_s27a.py): repositories are made on first use and dropped at the end.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from tests.acceptance.conftest import pg_schema_url

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.postgres import PostgresStore, PostgresUnitOfWork, open_postgres
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.errors import ReadOnlyError
from aftersales.ports.queries import TicketFilter
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .factories import new_ticket

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture
def url() -> Iterator[str]:
    with pg_schema_url() as made:
        yield made


@pytest.fixture
def store(url: str) -> Iterator[PostgresStore]:
    made = open_postgres(url)
    yield made
    made.close()


def _collector_off() -> bool:
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    return was


def test_a_unit_of_work_is_freed_when_it_ends_without_the_garbage_collector(store: PostgresStore) -> None:
    was = _collector_off()
    try:
        with store() as uow:
            uow.tickets.add(new_ticket("T-1"))
            uow.outbox.pending()
            uow.customers.find(["c1"])
            assert uow.documents is uow.documents  # kept while the unit lasts
            uow.commit()
        gone = weakref.ref(uow)
        del uow
        assert gone() is None  # no cycle left through its repositories
    finally:
        if was:
            gc.enable()


def test_desk_commands_on_postgres_leave_no_cyclic_garbage_of_the_adapter(url: str) -> None:
    with ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START)) as desk:
        dealer = Dealer(
            DealerId("d1"), "浦东特约", "SH", frozenset({"SH"}), Contact("陈店长", phone="13900000001")
        )
        desk.register_dealer(MANAGER, dealer)
        contact = Contact("王女士", phone="13900000002")
        desk.register_customer(MANAGER, Customer(CustomerId("c1"), "王女士", contact, region="SH"))
        tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
        was = _collector_off()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
            desk.dispatch(AGENT, tid, dealer_id="d1")
            desk.note_to_customer(AGENT, tid, text="工程师已出发")
            desk.search(AGENT, "漏水")
            gc.collect()
            left = [o for o in gc.garbage if type(o).__module__.startswith("aftersales.adapters.")]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            if was:
                gc.enable()
        assert left == []  # was 25 objects per command, every one of the adapter's unit of work
        with desk.store() as uow:
            assert uow.tickets.get(tid).version == 3


def test_a_repository_used_after_its_unit_of_work_ended_still_works(store: PostgresStore) -> None:
    with store() as uow:
        tickets = uow.tickets
        tickets.add(new_ticket("T-1"))
        uow.commit()
    assert "tickets" not in vars(uow)  # dropped at the end
    assert tickets.get("T-1").id == "T-1"  # the repository kept its unit of work
    assert uow.tickets.get("T-1").id == "T-1"  # made again on first use
    uow.rollback()
    with store() as other:
        assert isinstance(other, PostgresUnitOfWork) and other.tickets.get("T-1").version == 0


def test_a_read_unit_of_work_is_freed_and_used_again_still_refuses_writes(store: PostgresStore) -> None:
    with store() as uow:
        uow.tickets.add(new_ticket("T-1"))
        uow.commit()
    was = _collector_off()
    try:
        with store.reader() as read:
            assert read.tickets.get("T-1").id == "T-1"
            read.dealers.find(["d1"])
        gone = weakref.ref(read)
        del read
        assert gone() is None
    finally:
        if was:
            gc.enable()
    read = store.reader()
    with read:
        first = read.tickets
        assert first.get("T-1").id == "T-1"
    with read:  # the same read unit again: read-only repositories made again
        again = read.tickets
        assert again is not first and again.get("T-1").version == 0
        assert read.customers.find(["c1"]) == {}
        with pytest.raises(ReadOnlyError):
            again.add(new_ticket("T-2"))
        with pytest.raises(ReadOnlyError):
            read.customers.add(Customer(CustomerId("c9"), "李先生", Contact("李先生"), region="SH"))
    with store() as uow:
        assert uow.tickets.count(TicketFilter()) == 1
