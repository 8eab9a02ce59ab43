"""The ServiceDesk over one SQLite file shared by two desks (two processes' worth of connections).

A stale copy of a ticket (loaded before another desk committed a change) is refused with exactly one
``ConcurrencyConflict`` and nothing is lost; commands from two threads serialise and both land.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.domain.work import CustomerNote
from aftersales.errors import ConcurrencyConflict
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor.agent("agent-1")
OTHER_AGENT = Actor.agent("agent-2")


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[ServiceDesk, ServiceDesk, str]]:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    clock = ManualClock(START)
    with ServiceDesk.open(url, pack="sanitary_ware", clock=clock) as first:
        first.register_customer(
            Actor.manager("m"), Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13912345678"))
        )
        tid = first.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
        clock.advance(timedelta(minutes=5))
        with ServiceDesk.open(url, pack="sanitary_ware", clock=clock) as second:
            yield first, second, tid


def test_a_stale_copy_is_refused_once_and_nothing_is_lost(
    desks: tuple[ServiceDesk, ServiceDesk, str],
) -> None:
    first, second, tid = desks
    with first.store() as uow:
        stale = uow.tickets.get(tid)
    second.note_to_customer(OTHER_AGENT, tid, text="工程师已出发")
    stale.note_to_customer(AGENT.ref, first.clock.now(), CustomerNote("stale note"))
    conflicts = 0
    with first.store() as uow:
        try:
            uow.tickets.save(stale)
            uow.commit()
        except ConcurrencyConflict as conflict:
            conflicts += 1
            assert conflict.expected_version == 0 and conflict.actual_version == 1
    assert conflicts == 1
    view = first.ticket(Actor.auditor("a"), tid)
    assert view.version == 1
    assert [n.text for n in view.notes] == ["工程师已出发"]
    assert [(str(e.actor), e.action) for e in view.events] == [
        ("agent:agent-1", "opened"),
        ("agent:agent-2", "note_to_customer"),
    ]
    # Retrying on a fresh copy succeeds, after the other desk's change.
    retried = first.note_to_customer(AGENT, tid, text="stale note")
    assert [n.text for n in retried.ticket.notes] == ["工程师已出发", "stale note"]
    assert retried.ticket.version == 2


def test_two_desks_in_two_threads_both_land(desks: tuple[ServiceDesk, ServiceDesk, str]) -> None:
    first, second, tid = desks
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(desk: ServiceDesk, actor: Actor, text: str) -> None:
        barrier.wait()
        try:
            for i in range(5):
                desk.note_to_customer(actor, tid, text=f"{text} {i}")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(first, AGENT, "a")),
        threading.Thread(target=work, args=(second, OTHER_AGENT, "b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    view = second.ticket(Actor.auditor("a"), tid)
    assert view.version == 10
    assert sorted(n.text for n in view.notes) == sorted(
        [f"a {i}" for i in range(5)] + [f"b {i}" for i in range(5)]
    )
    assert [e.seq for e in view.events] == list(range(11))


def test_a_command_that_fails_in_one_desk_leaves_the_other_desks_view_unchanged(
    desks: tuple[ServiceDesk, ServiceDesk, str],
) -> None:
    first, second, tid = desks
    with pytest.raises(Exception, match="needs a reason"):
        first.cancel(AGENT, tid, reason=" ")
    view = second.ticket(AGENT, tid)
    assert view.state == "new" and view.version == 0
