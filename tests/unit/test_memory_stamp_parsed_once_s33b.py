"""Issue 21, session 33 (b): the memory store parses a document of immutable values once per stored
text, as SQLite does since session 32 (``adapters.parsed_documents``).

Most commands read the calendar stamp (the due times' guard, the callback policy's); on ``memory://``
each read parsed its JSON through the converter again. Each read still gets a document of its own, a
new stamp is read as stored, and an erasure drops the parsed copies.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import aftersales.adapters.memory as memory_module
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.memory import MemoryStore
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.ports.erasure import forget_erased_everywhere
from aftersales.service.actors import Actor
from aftersales.service.calendar_stamp import CalendarStamp
from aftersales.service.desk import ServiceDesk

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
STAMP = "calendar"


@pytest.fixture
def desk() -> Iterator[tuple[ServiceDesk, list[str]]]:
    clock = ManualClock(START)
    with ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock) as d:
        contact = Contact("张伟", email="zw@example.cn", locale="zh_Hans")
        d.register_customer(MANAGER, Customer(CustomerId("c1"), "张伟", contact, region="SH"))
        ids = [d.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id for _ in range(3)]
        d.run_due_jobs()  # the sweep stamps the store's calendar
        clock.advance(timedelta(minutes=1))
        yield d, ids


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The classes the memory store parsed from stored text, in order."""
    parsed: list[str] = []
    real = memory_module.loads

    def counted(text: Any, cls: type[Any]) -> Any:
        parsed.append(cls.__name__)
        return real(text, cls)

    monkeypatch.setattr(memory_module, "loads", counted)
    return parsed


def _stamp(store: MemoryStore) -> CalendarStamp:
    with store() as uow:
        return uow.documents.get(CalendarStamp, STAMP)


def test_commands_parse_the_stamp_once(desk: tuple[ServiceDesk, list[str]], parses: list[str]) -> None:
    d, ids = desk
    for tid in ids:
        d.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    assert parses.count("CalendarStamp") <= 1  # the earlier code parsed it on every triage (three)


def test_each_read_is_its_own_document_and_changing_it_changes_no_later_read(
    desk: tuple[ServiceDesk, list[str]],
) -> None:
    d, _ = desk
    store = d.store
    assert isinstance(store, MemoryStore)
    first = _stamp(store)
    stored = attrs.evolve(first)
    first.fingerprint = "changed by its reader"
    first.complete = False
    again = _stamp(store)
    assert again is not first and again == stored and again.complete


def test_a_new_stamp_is_read_as_stored(desk: tuple[ServiceDesk, list[str]]) -> None:
    d, _ = desk
    store = d.store
    assert isinstance(store, MemoryStore)
    before = _stamp(store)
    with store() as uow:
        saved = uow.documents.save(attrs.evolve(before, fingerprint="another calendar"))
        uow.commit()
    after = _stamp(store)
    assert after.fingerprint == "another calendar" and after.version == saved.version == before.version + 1
    assert _stamp(store) == after


def test_an_erasure_drops_the_parsed_documents(
    desk: tuple[ServiceDesk, list[str]], parses: list[str]
) -> None:
    d, _ = desk
    store = d.store
    assert isinstance(store, MemoryStore)
    _stamp(store)
    _stamp(store)
    assert parses.count("CalendarStamp") == 1
    assert forget_erased_everywhere("c1", [], ["张伟"]) >= 1
    assert _stamp(store) == _stamp(store) and parses.count("CalendarStamp") == 2  # parsed again
