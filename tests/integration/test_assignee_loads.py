"""Open loads of named assignees (dispatch's roster): the same answer on memory, SQLite and PostgreSQL,
the same as the generic grouped count, and on SQLite read from the open-assignee index only."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.memory import MemoryStore
from aftersales.adapters.sql_assignee_loads import CHUNK, open_loads_in
from aftersales.adapters.sqlite import open_sqlite
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.ports.assignee_loads import OpenLoads
from aftersales.ports.queries import CountField, TicketFilter
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.service.actors import Actor
from aftersales.service.assignee_loads import open_loads
from aftersales.service.engineer_loads import OPEN_STATES
from aftersales.testing.storage_contract import contract_ticket

DSN = os.environ.get("AFTERSALES_PG_DSN")
AGENT = Actor.agent("a1").ref


def _ledger() -> list[Ticket]:
    """Engineers' tickets in every state (contract tickets go to E0–E2), and dealers' open tickets."""
    tickets = [
        contract_ticket(n, state=("new", "triaged", "assigned", "resolved", "closed")[n % 5])
        for n in range(60)
    ]
    for n in range(60, 100):  # a dealer's maintenance visits: open, assigned to the dealer
        ticket = contract_ticket(n, state="triaged")
        ticket.assign(
            AGENT,
            ticket.last_event_at + timedelta(minutes=5),
            Assignee(AssigneeKind.DEALER, f"D{n % 2}", "网点"),
        )
        tickets.append(ticket)
    cancelled = contract_ticket(100, state="assigned")
    cancelled.cancel(AGENT, cancelled.last_event_at + timedelta(minutes=5), "customer withdrew")
    tickets.append(cancelled)  # E1's, but cancelled: no load
    return tickets


def _filled(store: StoreFactory) -> StoreFactory:
    with store() as uow:
        uow.tickets.add_many(_ledger())
        uow.commit()
    return store


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    if request.param == "memory":
        yield _filled(MemoryStore())
        return
    if request.param == "sqlite":
        sqlite_store = open_sqlite(f"sqlite:///{tmp_path / 'loads.db'}")
        yield _filled(sqlite_store)
        sqlite_store.close()
        return
    if not DSN:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    from aftersales.adapters.postgres import open_postgres

    schema = f"loads_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in DSN else "?"
    pg = open_postgres(f"{DSN}{sep}schema={schema}")
    try:
        yield _filled(pg)
    finally:
        pg.close()
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _generic(store: StoreFactory, ids: Sequence[str]) -> dict[str, int]:
    with store() as uow:
        counted = uow.tickets.count_by(CountField.ASSIGNEE_ID, TicketFilter(states=OPEN_STATES))
    return {k: v for k, v in counted.items() if k in ids}


def test_open_loads_of_named_assignees_match_the_grouped_count(store: StoreFactory) -> None:
    ids = ["E0", "E1", "E2", "E9"]
    with store() as uow:
        assert isinstance(uow.tickets, OpenLoads)
        loads = uow.tickets.open_loads(ids, OPEN_STATES)
    assert loads == _generic(store, ids)
    # 60 contract tickets: a fifth each new, triaged (unassigned), assigned (open), resolved, closed.
    assert sum(loads.values()) == 12 and set(loads) <= {"E0", "E1", "E2"}
    assert "D0" not in loads and "D1" not in loads  # dealers were not asked for


def test_dealers_are_counted_only_when_named_and_many_ids_are_chunked(store: StoreFactory) -> None:
    ids = [f"X{n}" for n in range(CHUNK * 2 + 7)] + ["D0", "D1", "E1"]
    with store() as uow:
        loads = open_loads(uow, ids, OPEN_STATES)
        nothing = open_loads(uow, [], OPEN_STATES)
    assert loads == _generic(store, ids)
    assert loads["D0"] == 20 and loads["D1"] == 20
    assert nothing == {}


def test_a_store_without_open_loads_is_counted_the_generic_way(store: StoreFactory) -> None:
    class Plain:
        """The ticket repository with only the generic port (no ``open_loads``)."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def count_by(self, field: CountField, filter: TicketFilter) -> dict[str, int]:
            return dict(self.inner.count_by(field, filter))

    ids = ["E0", "E1", "E2", "D1"]
    with store() as uow:
        expected = uow.tickets.open_loads(ids, OPEN_STATES)  # type: ignore[attr-defined]

        class Wrapped:
            tickets = Plain(uow.tickets)

        assert not isinstance(Wrapped.tickets, OpenLoads)
        assert open_loads(Wrapped(), ids, OPEN_STATES) == expected  # type: ignore[arg-type]


def test_sqlite_reads_the_open_assignee_index(tmp_path: Path) -> None:
    path = tmp_path / "plan.db"
    sqlite_store = open_sqlite(f"sqlite:///{path}")
    _filled(sqlite_store)
    sqlite_store.close()
    seen: list[tuple[str, Sequence[Any]]] = []

    def run(sql: str, params: Sequence[Any]) -> list[tuple[str, int]]:
        seen.append((sql, params))
        return []

    open_loads_in(run, ["E0", "E1"], OPEN_STATES, "?", "1")
    ((sql, params),) = seen
    conn = sqlite3.connect(path)
    try:
        plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    finally:
        conn.close()
    assert "tickets_assignee_open" in plan and plan.startswith("SEARCH"), plan
