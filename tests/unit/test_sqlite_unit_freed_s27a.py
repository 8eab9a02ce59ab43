"""Issue 21, session 27: a SQLite unit of work is freed when it ends, not by the garbage collector.

Its repositories refer back to it; kept in the unit, every command left a cycle of some 17 objects
(the unit, its repositories and their dicts, lists and sets) that only a collection frees, and the
collections set the mean command time. The memory store already drops them at the end.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore, SqliteUnitOfWork
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
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    made = SqliteStore(f"sqlite:///{tmp_path / 'freed.db'}")
    yield made
    made.close()


def _collector_off() -> bool:
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    return was


def test_a_unit_of_work_is_freed_when_it_ends_without_the_garbage_collector(store: SqliteStore) -> None:
    was = _collector_off()
    try:
        with store() as uow:
            uow.tickets.add(new_ticket("T-1"))
            uow.outbox.pending()
            uow.customers.find(["c1"])
            uow.search.forget()
            uow.commit()
        gone = weakref.ref(uow)
        del uow
        assert gone() is None  # no cycle left through its repositories
    finally:
        if was:
            gc.enable()


def test_a_desk_command_on_sqlite_leaves_no_cyclic_garbage_of_the_adapter(tmp_path: Path) -> None:
    with ServiceDesk.open(
        f"sqlite:///{tmp_path / 'desk.db'}", pack="sanitary_ware", clock=ManualClock(START)
    ) as desk:
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
            gc.collect()
            left = [o for o in gc.garbage if type(o).__module__.startswith("aftersales.adapters.sqlite")]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            if was:
                gc.enable()
        assert left == []
        with desk.store() as uow:
            assert uow.tickets.get(tid).version == 3


def test_a_repository_used_after_its_unit_of_work_ended_still_works(store: SqliteStore) -> None:
    with store() as uow:
        tickets = uow.tickets
        tickets.add(new_ticket("T-1"))
        uow.commit()
    assert "tickets" not in vars(uow)  # dropped at the end
    assert tickets.get("T-1").id == "T-1"  # the repository kept its unit of work
    assert uow.tickets.get("T-1").id == "T-1"  # made again on first use
    uow.rollback()
    with store() as other:
        assert isinstance(other, SqliteUnitOfWork) and other.tickets.get("T-1").version == 0


def test_a_read_unit_of_work_is_freed_when_it_ends_without_the_garbage_collector(store: SqliteStore) -> None:
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
        assert gone() is None  # its tickets and customers repositories dropped too
    finally:
        if was:
            gc.enable()


def test_a_read_unit_of_work_used_again_reads_and_still_refuses_writes(store: SqliteStore) -> None:
    with store() as uow:
        uow.tickets.add(new_ticket("T-1"))
        uow.commit()
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
    with store() as uow:
        assert uow.tickets.count(TicketFilter()) == 1
