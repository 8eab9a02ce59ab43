"""Every ledger query shape the library issues is served by an index (SQLite and PostgreSQL plans).

Read from ``EXPLAIN QUERY PLAN`` / ``EXPLAIN`` of the exact SQL the adapters run: no full scan of
``tickets`` and no sort of the rows (a temporary B-tree in SQLite, a Sort node in PostgreSQL), on a
file with statistics (a full ``ANALYZE``, and the ``store_upkeep`` job's sampled one) and on a fresh
one without.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.testing.storage_contract import T0, ledger_tickets

DSN = os.environ.get("AFTERSALES_PG_DSN")
NOW = T0 + timedelta(days=30)

SHAPES: dict[str, tuple[TicketFilter, Sort]] = {
    "sla sweep": (TicketFilter(unresolved=True, due_before=NOW), Sort.DUE),
    # judged at the late-after instant (late_gap past the due), as desk.sla() and the reports judge
    "breached filter": (TicketFilter(breached_at=NOW), Sort.DUE),
    # the pack pauses on parts (a negative late_gap: waiting for parts since before it was late)
    "breached filter, parts pause": (TicketFilter(breached_at=NOW, parts_pause=True), Sort.DUE),
    "sweep, resolved awaiting callback": (TicketFilter(is_open=True, unresolved=False), Sort.RECEIVED_ASC),
    "engineer's open tickets": (TicketFilter(engineer_id="E2", is_open=True), Sort.RECEIVED_DESC),
    "engineer's tickets": (TicketFilter(engineer_id="E1"), Sort.RECEIVED_DESC),
    "dealer list": (TicketFilter(dealer_id="D1"), Sort.RECEIVED_DESC),
    # seed 002: the dealer's own tickets and those dispatched to it (dealer staff's ledger)
    "dealer's scope": (TicketFilter(dealer_scope="D1"), Sort.RECEIVED_DESC),
    "dealer's scope, open, oldest first": (TicketFilter(dealer_scope="D0", is_open=True), Sort.RECEIVED_ASC),
    "customer list": (TicketFilter(customer_id="C1"), Sort.RECEIVED_DESC),
    "ledger by state": (TicketFilter(states=("assigned",)), Sort.RECEIVED_DESC),
    "whole ledger, newest first": (TicketFilter(), Sort.RECEIVED_DESC),
    "whole ledger, most urgent first": (TicketFilter(), Sort.PRIORITY),
}


def _fill(store: StoreFactory, count: int) -> None:
    tickets = ledger_tickets(count)
    for n, ticket in enumerate(tickets):
        if n % 7 == 0:  # dispatched to a dealer, another than its own one time in two
            ticket.assignee = Assignee(AssigneeKind.DEALER, "D1" if n % 2 else "D0")
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()


@pytest.fixture(scope="module")
def sqlite_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SqliteStore]]:
    root = tmp_path_factory.mktemp("plans")
    fresh = SqliteStore(f"sqlite:///{root / 'fresh.db'}")
    analysed = SqliteStore(f"sqlite:///{root / 'analysed.db'}")
    sampled = SqliteStore(f"sqlite:///{root / 'sampled.db'}")
    for store in (fresh, analysed, sampled):
        _fill(store, 3000)
    conn = analysed.acquire()
    conn.execute("ANALYZE")
    analysed.release(conn)
    # the store_upkeep job's statistics: ANALYZE of a bounded sample per index (analysis_limit)
    assert sampled.upkeep().analyzed
    yield {"fresh": fresh, "analysed": analysed, "sampled": sampled}
    for store in (fresh, analysed, sampled):
        store.close()


# Each listed ticket's events are read from the log by their keys (issue 21: append-only events): a
# correlated subquery per row of the page, a primary-key lookup per key of the ticket's short list.
_EVENT_STEPS = (
    "CORRELATED SCALAR SUBQUERY",
    "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)",
    "CORRELATED LIST SUBQUERY",
    "SCAN json_each VIRTUAL TABLE",
)


def _ledger_steps(plan: list[str]) -> list[str]:
    """The plan's steps for the ledger's rows, the events' lookups (checked to be those) left out."""
    steps = [line for line in plan if not line.startswith(_EVENT_STEPS)]
    events = [line for line in plan if line.startswith(_EVENT_STEPS)]
    # four steps per arm of the query (two arms for a dealer's scope)
    assert len(events) in (0, 4, 8) and not any("TEMP B-TREE" in line for line in events), plan
    return steps


@pytest.mark.parametrize("which", ["fresh", "analysed", "sampled"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_sqlite_shape_uses_an_index(sqlite_stores: dict[str, SqliteStore], which: str, shape: str) -> None:
    filter, sort = SHAPES[shape]
    store = sqlite_stores[which]
    with store() as uow:
        first = uow.tickets.explain(filter, PageRequest(50, None, sort))
        page = uow.tickets.query(filter, PageRequest(50, None, sort))
        if shape != "sweep, resolved awaiting callback":  # the contract ledger has none of those
            assert page.next_cursor is not None, "the shape must have a second page to be meaningful"
        later = (
            uow.tickets.explain(filter, PageRequest(50, page.next_cursor, sort))
            if page.next_cursor
            else first
        )
    for full in (first, later):
        plan = _ledger_steps(full)
        text = " | ".join(plan)
        assert "TEMP B-TREE" not in text, text
        assert "USING INDEX" in text or "USING COVERING INDEX" in text, text
        assert not any(line.startswith("SCAN tickets") and "INDEX" not in line for line in plan), text
        assert "BLOOM FILTER" not in text, text  # built by reading every row of its table
        if shape == "sweep, resolved awaiting callback":  # sla_resolved holds exactly these rows (s33)
            assert plan[0].startswith("SCAN sla_resolved") or plan[0].startswith("SEARCH sla_resolved"), text
            # each row's ticket by its key (SQLite may take the customer index, its key ending in the id)
            assert len(plan) == 2 and plan[1].startswith("SEARCH tickets USING INDEX"), text
            assert plan[1].endswith("id=?)"), text
        elif shape.startswith("dealer's scope"):  # two ranges merged in order, not an OR sorted
            assert plan[0] == "MERGE (UNION ALL)" and "tickets_dispatched_dealer" in text, text
        elif shape.startswith("breached filter") or shape == "sla sweep":
            # the range of sla_due (the unresolved tickets' due keys, session 33: the ledger's due index
            # is gone), each row's ticket by id; the late-after test (late_gap) on those rows
            assert len(plan) == 2 and plan[0].startswith("SEARCH sla_due USING PRIMARY KEY ("), text
            assert plan[0].endswith("due_key<?)"), text  # a later page: ((due_key,id)>(?,?) AND …)
            assert plan[1] == "SEARCH tickets USING INDEX sqlite_autoindex_tickets_1 (id=?)", text
        elif shape not in ("whole ledger, newest first", "whole ledger, most urgent first"):
            assert all(line.startswith("SEARCH") for line in plan), text  # a range, not a walk


@pytest.mark.parametrize("which", ["fresh", "analysed", "sampled"])
def test_sqlite_a_dealers_export_reads_two_index_ranges(
    sqlite_stores: dict[str, SqliteStore], which: str
) -> None:
    """The ledger export (store.ledger_rows) of a dealer's scope pages each arm on its own: an OR of
    the two columns sorted every page again (a temporary B-tree over the rest of the dealer's rows)."""
    from aftersales.adapters.ledger_rows_sqlite import _SELECT
    from aftersales.adapters.sql_ledger import where_arms

    store = sqlite_stores[which]
    conn = store.acquire()
    try:
        arms = where_arms(TicketFilter(dealer_scope="D1"), "?", "LIKE")
        assert len(arms) == 2
        for parts, params in arms:
            sql = _SELECT.replace(
                "{where}", " WHERE " + " AND ".join([*parts, "(received_us, tickets.id) > (?, ?)"])
            )
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", (*params, 0, "", 100))]
            text = " | ".join(plan)
            assert plan[0].startswith("SEARCH tickets USING") and "TEMP B-TREE" not in text, text
    finally:
        store.release(conn)


def test_sqlite_engineers_open_tickets_skip_their_closed_ones(sqlite_stores: dict[str, SqliteStore]) -> None:
    filter, sort = SHAPES["engineer's open tickets"]
    with sqlite_stores["analysed"]() as uow:
        plan = " | ".join(uow.tickets.explain(filter, PageRequest(50, None, sort)))
    assert "tickets_assignee_open" in plan, plan  # the partial index holds open tickets only


@pytest.fixture(scope="module")
def pg_store() -> Iterator[StoreFactory]:
    if not DSN:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    from aftersales.adapters.postgres import open_postgres

    schema = f"plans_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in DSN else "?"
    store = open_postgres(f"{DSN}{sep}schema={schema}")
    try:
        _fill(store, 20_000)
        with store() as uow:
            uow.run("ANALYZE tickets")  # type: ignore[attr-defined]
            uow.commit()
        yield store
    finally:
        store.close()
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.postgres
@pytest.mark.parametrize("shape", list(SHAPES))
def test_postgres_shape_uses_an_index(pg_store: StoreFactory, shape: str) -> None:
    filter, sort = SHAPES[shape]
    with pg_store() as uow:
        plan = uow.tickets.explain(filter, PageRequest(50, None, sort))  # type: ignore[attr-defined]
    text = " | ".join(plan)
    assert "Index" in text, text
    # no Sort node ("Sort Key" is also printed by Merge Append, which merges ordered index ranges)
    assert "Seq Scan" not in text and not _SORT_NODE.search(text), text
    if shape.startswith("dealer's scope"):
        assert "Merge Append" in text and "tickets_dispatched_dealer" in text, text
    if shape.startswith("breached filter"):  # one in twelve rows has a late gap: still the due index's range
        assert "Index Scan using tickets_due" in text and "Index Cond: (due_key <" in text, text
        assert "late_gap" in text, text


_SORT_NODE = re.compile(r"(^|\| |-> +)(Incremental )?Sort +\(")


@pytest.mark.parametrize("which", ["fresh", "analysed", "sampled"])
def test_sqlite_search_reads_the_pending_positions_first(
    sqlite_stores: dict[str, SqliteStore], which: str
) -> None:
    """The pending part of a search starts from the few pending rows, never from the tickets the
    filter matches (driving from those scanned the whole ledger for a manager: 0.5 s at 1 M)."""
    from aftersales.ports.ticket_search import SearchRequest, parse_query, search_document

    store = sqlite_stores[which]
    seen: list[str] = []
    with store() as uow:
        tickets = uow.tickets.query(TicketFilter(), PageRequest(50, None, Sort.RECEIVED_DESC)).items
        uow.search.put_many(search_document(t) for t in tickets)  # type: ignore[attr-defined]
        conn = uow.conn()  # type: ignore[attr-defined]
        conn.set_trace_callback(seen.append)
        try:
            uow.search.search(parse_query("SN-1"), TicketFilter(), SearchRequest())  # type: ignore[attr-defined]
        finally:
            conn.set_trace_callback(None)
        pending = [sql for sql in seen if "FROM ticket_search_pending p" in sql]
        assert pending, seen
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {pending[0]}")]
    assert plan[0].startswith("SCAN p"), plan
    assert not any(line.startswith("SCAN tickets") for line in plan), plan
