"""The calendar stamp joined into a ticket's read is parsed once per stored text (issue 21, session 32).

Every triage or dispatch on SQLite reads the store's calendar stamp with its ticket; its text changes
only when the desk is stamped again, yet each read parsed it (about 9 µs of a command, a copy is about
3). The store keeps the parsed stamp by its text and hands each read a copy of its own: a read changing
its stamp changes no later read, and a new stamp (another text) is parsed anew.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales.adapters import sqlite as sqlite_adapter
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.parsed_documents import ParsedDocuments
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.service.actors import Actor
from aftersales.service.calendar_stamp import CalendarStamp
from aftersales.service.desk import ServiceDesk

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
STAMP = "calendar"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[ServiceDesk, list[str]]]:
    clock = ManualClock(START)
    with ServiceDesk.open(f"sqlite:///{tmp_path / 'desk.db'}", pack="sanitary_ware", clock=clock) as d:
        contact = Contact("张伟", email="zw@example.cn", locale="zh_Hans")
        d.register_customer(MANAGER, Customer(CustomerId("c1"), "张伟", contact, region="SH"))
        ids = [d.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id for _ in range(2)]
        d.run_due_jobs()  # the sweep stamps the store's calendar
        clock.advance(timedelta(minutes=1))
        yield d, ids


def _stamp_with_ticket(store: SqliteStore, ticket_id: str) -> CalendarStamp:
    """The stamp as a command reads it: joined into its ticket's read."""
    with store() as uow:
        uow.tickets.get_for_update(ticket_id)
        stamp = uow.documents.get(CalendarStamp, STAMP)
        uow.rollback()
    return stamp


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    decode = sqlite_adapter._Documents._decode

    def counted(self: Any, data: Any, cls: type[Any]) -> Any:
        parsed.append(cls.__name__)
        return decode(self, data, cls)

    monkeypatch.setattr(sqlite_adapter._Documents, "_decode", counted)
    return parsed


def test_the_joined_stamp_is_parsed_once_per_text(
    desk: tuple[ServiceDesk, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    d, ids = desk
    store = d.store
    assert isinstance(store, SqliteStore)
    parsed = _count_parses(monkeypatch)
    first = _stamp_with_ticket(store, ids[0])
    second = _stamp_with_ticket(store, ids[1])
    third = _stamp_with_ticket(store, ids[0])
    assert parsed.count("CalendarStamp") <= 1  # the earlier code parsed it on each of the three reads
    assert first == second == third
    assert first is not second and second is not third  # each read its own document


def test_a_read_stamp_changed_by_its_reader_changes_no_later_read(
    desk: tuple[ServiceDesk, list[str]],
) -> None:
    d, ids = desk
    store = d.store
    assert isinstance(store, SqliteStore)
    first = _stamp_with_ticket(store, ids[0])
    stored = attrs.evolve(first)
    first.fingerprint = "changed by its reader"
    first.complete = False
    again = _stamp_with_ticket(store, ids[1])
    assert again == stored and again.fingerprint != "changed by its reader" and again.complete


def test_a_new_stamp_is_read_as_stored(desk: tuple[ServiceDesk, list[str]]) -> None:
    d, ids = desk
    store = d.store
    assert isinstance(store, SqliteStore)
    before = _stamp_with_ticket(store, ids[0])
    with store() as uow:
        saved = uow.documents.save(attrs.evolve(before, fingerprint="another calendar"))
        uow.commit()
    after = _stamp_with_ticket(store, ids[0])
    assert after.fingerprint == "another calendar" and after.version == saved.version == before.version + 1
    assert _stamp_with_ticket(store, ids[1]) == after


@attrs.define
class _Listed:
    DOCUMENT_KIND = "listed"
    DOCUMENT_INDEX = ()
    id: str
    names: list[str]
    version: int = 0


@attrs.define
class _Flat:
    DOCUMENT_KIND = "flat"
    DOCUMENT_INDEX = ()
    id: str
    name: str
    version: int = 0


def test_only_documents_of_immutable_values_are_kept() -> None:
    memo = ParsedDocuments()
    calls: list[str] = []

    def parse(text: Any, cls: type[Any]) -> Any:
        calls.append(text)
        return cls("d1", ["a"]) if cls is _Listed else cls("d1", "a")

    one = memo.read(_Listed, "listed text", 3, parse)
    two = memo.read(_Listed, "listed text", 3, parse)
    one.names.append("b")  # a list a copy would share: such a document is parsed on every read
    assert calls == ["listed text", "listed text"] and two.names == ["a"] and len(memo) == 0
    flat = [memo.read(_Flat, "flat text", 4, parse) for _ in range(3)]
    assert calls.count("flat text") == 1 and len(memo) == 1
    assert flat[0] == flat[2] and flat[0] is not flat[1] and flat[2].version == 4


def test_a_full_memo_starts_again() -> None:
    memo = ParsedDocuments(limit=2)
    for n in range(5):
        memo.read(_Flat, f"text {n}", 0, lambda text, cls: cls("d1", text))
        assert len(memo) <= 2
    assert memo.read(_Flat, "text 4", 7, lambda text, cls: cls("d1", "parsed again")).name == "text 4"
