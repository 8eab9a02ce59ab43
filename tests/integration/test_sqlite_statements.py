"""How many SQL statements a ServiceDesk command issues on SQLite (issue 21): a command pays ~10 µs
per statement, so the count is held here and cannot creep back up unnoticed.

Traced with ``sqlite3``'s ``set_trace_callback`` on every pooled connection of the store: one read of
the ticket (its customer, dealer, unit and search position joined in), one write per table that changed,
one outbox insert, and the transaction's own BEGIN/COMMIT.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.errors import NotFound
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


class _Traced:
    def __init__(self, desk: ServiceDesk) -> None:
        store = desk.store
        assert isinstance(store, SqliteStore)
        self.statements: list[str] = []
        self._store = store
        self._hooked: set[int] = set()

    def _seen(self, sql: str) -> None:
        # SQLite reports the start of a trigger's program and of a RETURNING clause with the text of
        # the statement that runs them: one statement, however many lines the trace shows.
        if not self.statements or self.statements[-1] != sql:
            self.statements.append(sql)

    def __call__(self) -> list[str]:
        # Connections opened since the last call are traced too (the pool grows on demand).
        for conn in self._store._all:
            if id(conn) not in self._hooked:
                conn.set_trace_callback(self._seen)
                self._hooked.add(id(conn))
        self.statements.clear()
        return self.statements


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
        ids = [d.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id for _ in range(3)]
        clock.advance(timedelta(minutes=1))
        yield d, clock, ids  # type: ignore[misc]


def test_a_note_reads_once_and_writes_each_changed_table_once(
    desk: tuple[ServiceDesk, ManualClock, list[str]],
) -> None:
    d, clock, ids = desk
    trace = _Traced(d)
    d.note_to_customer(AGENT, ids[0], text="工程师已出发")  # the first note: search words pending
    clock.advance(timedelta(seconds=1))
    statements = trace()
    d.note_to_customer(AGENT, ids[0], text="已更换密封圈")
    selects = [s for s in statements if s.startswith("SELECT")]
    assert len(selects) == 1, statements  # the ticket, its customer, dealer, unit and search row at once
    assert "entities" in selects[0] and "ticket_search" in selects[0]
    assert statements[0] == "BEGIN IMMEDIATE" and statements[-1] == "COMMIT"
    # ticket_search row (new text), tickets row, the note's event appended to the log, one outbox
    # insert: nothing else
    assert len(statements) <= 7, statements
    assert sum(s.startswith("UPDATE tickets ") for s in statements) == 1
    assert sum(s.startswith("INSERT INTO ticket_events") for s in statements) == 1
    assert sum(s.startswith("INSERT INTO outbox") for s in statements) == 1


def test_a_triage_touches_no_search_row_and_reads_once(
    desk: tuple[ServiceDesk, ManualClock, list[str]],
) -> None:
    d, _clock, ids = desk
    trace = _Traced(d)
    statements = trace()
    d.triage(AGENT, ids[1], nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    assert sum(s.startswith("SELECT") for s in statements) == 1, statements
    assert not any("ticket_search" in s for s in statements[2:]), statements  # the indexed text is unchanged
    assert sum(s.startswith("INSERT INTO ticket_events") for s in statements) == 1  # only its new event
    assert len(statements) <= 7, statements


def test_primed_reads_keep_their_meaning(desk: tuple[ServiceDesk, ManualClock, list[str]]) -> None:
    """What the joined read hands on answers as a separate read would: a missing unit is NotFound, and
    an entity saved later in the same transaction is read as saved."""
    d, _clock, ids = desk
    with d.store() as uow:
        ticket = uow.tickets.get(ids[2])
        with pytest.raises(NotFound):
            uow.assets.get("no-such-unit")
        customer = uow.customers.get(ticket.customer_id)
        assert customer.name == "张伟"
        renamed = Customer(customer.id, "张伟强", customer.contact, region="SH", dealer_id=customer.dealer_id)
        uow.customers.save(renamed)
        uow.tickets.get(ids[2])  # primes the customer again, from the row just written
        assert uow.customers.get(ticket.customer_id).name == "张伟强"
        uow.rollback()
    with d.store() as uow:
        assert uow.customers.get("c1").name == "张伟"


def test_ticket_rows_read_no_document_and_match_the_ledger(
    desk: tuple[ServiceDesk, ManualClock, list[str]],
) -> None:
    d, _clock, ids = desk
    trace = _Traced(d)
    d.ticket_rows(AGENT, TicketFilter(is_open=True), PageRequest(limit=2))  # its reader's connection made
    statements = trace()
    rows = d.ticket_rows(AGENT, TicketFilter(is_open=True), PageRequest(limit=2))
    # A read-only unit of work (issue 18): one autocommit SELECT, no write lock, no transaction.
    assert len(statements) == 1 and statements[0].startswith("SELECT"), statements
    assert "data" not in statements[0].split(" FROM ")[0], statements  # the row's columns, not the JSON
    ledger = d.ledger(AGENT, TicketFilter(is_open=True), PageRequest(limit=2))
    assert [r.id for r in rows.items] == [v.id for v in ledger.items]
    assert rows.next_cursor == ledger.next_cursor
    rest = d.ticket_rows(AGENT, TicketFilter(is_open=True), PageRequest(limit=2, cursor=rows.next_cursor))
    assert sorted([*(r.id for r in rows.items), *(r.id for r in rest.items)]) == sorted(ids)
    other = Actor.customer("c-other")
    assert d.ticket_rows(other).items == []  # scoped like the ledger: another customer sees none
