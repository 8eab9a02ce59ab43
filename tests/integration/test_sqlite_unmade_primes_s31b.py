"""A ticket's read on SQLite makes no repository for what it joined in, and joins only the position of
the ticket's search row (issue 21, session 31).

The read joins the ticket's customer, dealer, unit and search row into its one statement and hands each
to the repository that reads it next. It made those repositories to hand them over, though a triage
or a dispatch never uses the search index's (about 2 µs a repository): now a repository not made yet
gets what was joined for it when it is first used, and still issues no statement for it. A transaction's
joined rows never reach a repository of the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import _SELECT_TICKET_FOUND, _SELECT_TICKET_KEPT, SqliteStore
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.ports.text_search import FIELD_SEPARATOR
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[ServiceDesk]:
    opened = ServiceDesk.open(
        f"sqlite:///{tmp_path / 'primes.db'}", pack="sanitary_ware", clock=ManualClock(START)
    )
    dealer = Dealer(
        DealerId("dealer-sh"), "浦东特约", "SH", frozenset({"SH"}), Contact("陈", phone="13900000001")
    )
    opened.register_dealer(MANAGER, dealer)
    contact = Contact("张伟", email="zw@example.cn", locale="zh_Hans")
    opened.register_customer(
        MANAGER, Customer(CustomerId("c1"), "张伟", contact, region="SH", dealer_id=dealer.id)
    )
    try:
        yield opened
    finally:
        opened.shutdown()


def _statements(store: SqliteStore) -> list[str]:
    seen: list[str] = []
    for conn in store._all:
        conn.set_trace_callback(seen.append)
    return seen


def test_a_read_makes_no_repository_and_the_first_use_gets_the_joined_row(desk: ServiceDesk) -> None:
    ticket_id = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    store = desk.store
    assert isinstance(store, SqliteStore)
    with store() as uow:
        ticket = uow.tickets.get(ticket_id)
        made = set(vars(uow))
        assert not made & {"customers", "dealers", "assets", "search"}
        seen = _statements(store)
        customer = uow.customers.get(ticket.customer_id)
        dealer = uow.dealers.get("dealer-sh")
        assert (customer.name, dealer.name) == ("张伟", "浦东特约")
        # The search row reached the index made after the read: a note's words are appended to it.
        assert uow.search.append_text(ticket_id, ["工程师已出发"]) is True
        assert [sql for sql in seen if "entities" in sql or "FROM ticket_search " in sql] == []
        uow.commit()
    with store() as uow:
        # A new transaction: nothing joined before reaches it (its repositories read the table).
        seen = _statements(store)
        assert uow.customers.get("c1").name == "张伟"
        assert uow.search.append_text(ticket_id, ["x"]) is False
        assert any("FROM entities" in sql for sql in seen)
        uow.rollback()


def test_the_read_takes_the_search_position_from_the_index_alone(desk: ServiceDesk) -> None:
    # The search row's text grows with every note: the read reads its position, covered by the unique
    # ticket_id index, and never the row (session 31: ~6 µs a read with the five text columns).
    store = desk.store
    assert isinstance(store, SqliteStore)
    conn = store._all[0]
    for sql, params in ((_SELECT_TICKET_FOUND, ("x",)), (_SELECT_TICKET_KEPT, (1, 1, None, "x"))):
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
        assert (
            "SEARCH s USING COVERING INDEX sqlite_autoindex_ticket_search_1 (ticket_id=?) LEFT-JOIN" in plan
        )


@pytest.mark.parametrize("stored", ["", "马桶漏水"])
def test_a_note_is_appended_at_the_read_position_as_to_a_read_row(desk: ServiceDesk, stored: str) -> None:
    ticket_id = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    store = desk.store
    assert isinstance(store, SqliteStore)
    with store() as uow:
        uow.run("UPDATE ticket_search SET text = ? WHERE ticket_id = ?", (stored, ticket_id))
        uow.commit()
    with store() as uow:
        uow.tickets.get(ticket_id)
        assert uow.search.append_text(ticket_id, ["工程师", "", "已出发"]) is True
        uow.commit()
    with store() as uow:
        (text,) = uow.run("SELECT text FROM ticket_search WHERE ticket_id = ?", (ticket_id,)).fetchone()
        uow.rollback()
    added = f"工程师{FIELD_SEPARATOR}已出发"
    assert text == (f"{stored}{FIELD_SEPARATOR}{added}" if stored else added)
    assert desk.search(AGENT, "已出发").items[0].id == ticket_id
