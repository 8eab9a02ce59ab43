"""Issue 21, session 33 (b): the memory store makes a ticket's stored text when it is first read, not at
every save; the text it then gives is exactly what the save would have written.

Every read of a ticket copies the store's parsed ticket, so serialising the whole ticket at each save
(a sixth of a command on this store) made text that nothing read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import aftersales.adapters.memory as memory_module
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.memory import MemoryStore
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.serialization import decode_json, dumps
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .factories import AGENT as AGENT_REF
from .factories import at, new_ticket

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture
def desk() -> Iterator[ServiceDesk]:
    with ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(START)) as desk:
        dealer = Dealer(
            DealerId("d1"), "浦东特约", "SH", frozenset({"SH"}), Contact("陈店长", phone="13900000001")
        )
        desk.register_dealer(MANAGER, dealer)
        contact = Contact("王女士", phone="13900000002")
        desk.register_customer(MANAGER, Customer(CustomerId("c1"), "王女士", contact, region="SH"))
        yield desk


@pytest.fixture
def serialised(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the tickets whose whole text the memory store made, in order."""
    made: list[str] = []
    real = memory_module.ticket_text_utf8

    def spy(ticket, version, stored):  # type: ignore[no-untyped-def]
        made.append(ticket.id)
        return real(ticket, version, stored)

    monkeypatch.setattr(memory_module, "ticket_text_utf8", spy)
    return made


def test_commands_on_a_ticket_make_no_stored_text(desk: ServiceDesk, serialised: list[str]) -> None:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(AGENT, tid, dealer_id="d1")
    desk.note_to_customer(AGENT, tid, text="工程师已出发")
    with desk.store() as uow:
        assert uow.tickets.get(tid).version == 3  # read back from the kept ticket: no text needed
    assert serialised == []


def test_the_text_made_on_first_read_is_the_saved_ticket_at_the_record_version(
    desk: ServiceDesk, serialised: list[str]
) -> None:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    result = desk.note_to_customer(AGENT, tid, text="工程师已出发")
    record = desk.store._data[("tickets", tid)]  # type: ignore[attr-defined]
    with desk.store() as uow:
        fresh = uow.tickets.get(tid)
    assert record.text == dumps(fresh) and decode_json(record.text)["version"] == 2 == result.ticket.version
    assert record.text is record.text and serialised == [tid]  # made once, then kept
    assert record.events is not None and record.events.count == len(fresh.events) == 3
    assert decode_json(record.events.array) == decode_json(record.text)["events"]


def test_a_plain_save_keeps_its_copy_and_the_text_names_the_new_version() -> None:
    store = MemoryStore()
    with store() as uow:
        uow.tickets.add(new_ticket("T-1"))
        uow.commit()
    with store() as uow:
        mine = uow.tickets.get("T-1")
        mine.step("triage", AGENT_REF, at(2, 10))
        uow.tickets.save(mine)
        uow.commit()
    saved = dumps(mine)
    mine.state = "closed"  # the caller's ticket: changing it after the save changes nothing stored
    mine.events.append(mine.events[-1])
    record = store._data[("tickets", "T-1")]
    assert record.text == saved and decode_json(record.text)["version"] == 1 == record.version
    with store() as uow:
        assert dumps(uow.tickets.get("T-1")) == saved
