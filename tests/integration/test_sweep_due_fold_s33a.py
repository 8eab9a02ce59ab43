"""One B-tree of the open tickets' sweep keys on SQLite (session 33, issue 21): the sweep's tables.

``tickets_due`` (the ledger's index) and ``sla_due`` (the sweep's table) held the same (due_key, id) keys,
so a command moving a ticket's due wrote both (2.2 WAL pages each on a dispatch); ``tickets_resolved_open``
and ``sla_resolved`` likewise for the resolved tickets not yet closed. Step 33 drops the indexes where the
tables are complete and the ledger reads the tables' ranges instead; a file whose sweep tables are still
being filled keeps the indexes until the fill's last batch drops them. The answers stay the ledger's on
every filter, page and count, before, during and after the fill.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.memory import MemoryStore
from aftersales.adapters.sla_sweep_sqlite import SWEEP_FOLD_STEP, sweep_tables_ready
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.ports.queries import CountField, PageRequest, Sort, TicketFilter
from aftersales.testing.storage_contract import AGENT, FILTER_CASES, T0, ledger_tickets


def _ledger() -> list[Ticket]:
    tickets = ledger_tickets(120)
    for n, ticket in enumerate(tickets):
        if n % 5 == 0:  # dispatched to a dealer, another than its own one time in two (a dealer's scope)
            ticket.assignee = Assignee(AssigneeKind.DEALER, "D1" if n % 2 else "D0")
        if ticket.state == "resolved" and n % 12 == 9:  # accepted, awaiting the callback: resolved, open
            ticket.confirm(AGENT, ticket.last_event_at + timedelta(minutes=30), channel="phone")
    return tickets


_TICKETS = _ledger()
_FOLDED = (  # as steps 3 and 7 made them
    "CREATE INDEX tickets_due ON tickets (due_key, id) WHERE unresolved = 1",
    "CREATE INDEX tickets_resolved_open ON tickets (received_us, id) WHERE is_open = 1 AND unresolved = 0",
)
_RESOLVED_OPEN: tuple[str, TicketFilter, Callable[[Ticket], bool]] = (
    "resolved_open",
    TicketFilter(is_open=True, unresolved=False),
    lambda t: t.is_open and t.resolved_at is not None,
)

# The unresolved shapes (the ones the due keys serve), alone and with another filter, in every order.
_CASES: list[tuple[str, TicketFilter, Callable[[Ticket], bool]]] = [
    case
    for name, f, matches in [*FILTER_CASES, _RESOLVED_OPEN]
    if f.unresolved is True or f.breached_at is not None or (f.is_open is True and f.unresolved is False)
    for case in (
        (name, f, matches),
        (
            f"{name}+dealer",
            attrs.evolve(f, dealer_id="D1"),
            lambda t, m=matches: m(t) and t.dealer_id == "D1",
        ),
        (
            f"{name}+scope",
            attrs.evolve(f, dealer_scope="D0"),
            lambda t, m=matches: m(t) and "D0" in _scope(t),
        ),
    )
]


def _scope(ticket: Ticket) -> set[str | None]:
    assignee = ticket.assignee
    dispatched = assignee.id if assignee is not None and assignee.kind is AssigneeKind.DEALER else None
    return {ticket.dealer_id, dispatched}


def _store(path: Path) -> SqliteStore:
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add_many(_TICKETS)
        uow.commit()
    return store


def _indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def _pages(store: SqliteStore | MemoryStore, f: TicketFilter, sort: Sort) -> list[str]:
    ids: list[str] = []
    cursor = None
    with store() as uow:
        while True:
            page = uow.tickets.query(f, PageRequest(7, cursor, sort))
            rows = uow.tickets.query_rows(f, PageRequest(7, cursor, sort))
            assert [r.id for r in rows.items] == [t.id for t in page.items], (f, sort)
            ids += [t.id for t in page.items]
            cursor = page.next_cursor
            if cursor is None:
                return ids


def _reference() -> MemoryStore:
    store = MemoryStore()
    with store() as uow:
        uow.tickets.add_many(_TICKETS)
        uow.commit()
    return store


def _check_answers(store: SqliteStore) -> None:
    """Every unresolved shape's pages (each order) and counts are the memory store's, and hold exactly
    the tickets its predicate selects."""
    reference = _reference()
    selecting = 0
    for name, f, matches in _CASES:
        chosen = {t.id for t in _TICKETS if matches(t)}
        assert chosen or "+" in name, name  # a case that selects nothing proves little
        selecting += bool(chosen)
        for sort in Sort:
            ids = _pages(store, f, sort)
            assert ids == _pages(reference, f, sort), (name, sort)
            assert set(ids) == chosen and len(ids) == len(chosen), (name, sort)
        with store() as uow, reference() as ref:
            assert uow.tickets.count(f) == ref.tickets.count(f) == len(chosen), name
            by_state = uow.tickets.count_by(CountField.STATE, f)
            assert by_state == ref.tickets.count_by(CountField.STATE, f), name
            assert sum(by_state.values()) == len(chosen), name
    assert selecting >= len(_CASES) * 2 // 3


def _plan(store: SqliteStore, f: TicketFilter, sort: Sort = Sort.DUE) -> str:
    with store() as uow:
        return " | ".join(uow.tickets.explain(f, PageRequest(20, None, sort)))


_BREACHED = TicketFilter(breached_at=T0 + timedelta(hours=40))


def test_a_new_file_keeps_the_unresolved_due_keys_in_sla_due_alone(tmp_path: Path) -> None:
    store = _store(tmp_path / "new.db")
    try:
        assert not {"tickets_due", "tickets_resolved_open"} & _indexes(tmp_path / "new.db")
        _check_answers(store)
        plan = _plan(store, _BREACHED)
        assert plan.startswith("SEARCH sla_due USING PRIMARY KEY (due_key<?)"), plan
        assert "TEMP B-TREE" not in plan and "BLOOM" not in plan, plan
        plan = _plan(store, _RESOLVED_OPEN[1], Sort.RECEIVED_DESC)
        assert plan.startswith("SCAN sla_resolved") and "TEMP B-TREE" not in plan, plan
    finally:
        store.close()


def _as_step_32_left_it(path: Path, *, filling: bool) -> None:
    """The file as the release before step 33 left it: the due index beside ``sla_due``; ``filling``:
    its sweep tables not copied yet (a file from before step 15 whose first sweep has not run)."""
    with sqlite3.connect(path) as conn:
        for index in _FOLDED:
            conn.execute(index)
        if filling:
            conn.execute(
                "UPDATE sla_fill SET stage = 0, customer_after = '', key_after = -1, ticket_after = ''"
            )
            conn.execute("DELETE FROM sla_due")
            conn.execute("DELETE FROM sla_resolved")
            conn.execute("DELETE FROM customer_tiers")
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(SWEEP_FOLD_STEP)}")


def test_a_file_with_complete_sweep_tables_loses_the_due_index_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _store(path).close()
    _as_step_32_left_it(path, filling=False)
    assert "tickets_due" in _indexes(path)
    store = SqliteStore(f"sqlite:///{path}")
    try:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert not {"tickets_due", "tickets_resolved_open"} & _indexes(path)
        _check_answers(store)
    finally:
        store.close()


def test_a_file_still_filling_keeps_the_due_index_until_the_fills_last_batch(tmp_path: Path) -> None:
    path = tmp_path / "filling.db"
    _store(path).close()
    _as_step_32_left_it(path, filling=True)
    store = SqliteStore(f"sqlite:///{path}")
    try:
        # the sweep tables are empty: the ledger's indexes stay, and serve it
        assert {"tickets_due", "tickets_resolved_open"} <= _indexes(path)
        plan = _plan(store, _BREACHED)
        assert plan.startswith("SEARCH tickets USING INDEX tickets_due ("), plan
        plan = _plan(store, _RESOLVED_OPEN[1], Sort.RECEIVED_DESC)
        assert plan.startswith("SCAN tickets USING INDEX tickets_resolved_open"), plan
        _check_answers(store)
        batches = 0
        while True:  # one batch a call, each its own transaction: a killed fill resumes from its position
            with sqlite3.connect(path) as conn:
                if sweep_tables_ready(conn):
                    break
            assert {"tickets_due", "tickets_resolved_open"} <= _indexes(path)
            _check_answers(store)  # mid-fill: still the due index's answers
            batches += store.fill_sweep_tables(max_batches=1).batches
        assert batches >= 3  # the customers, the unresolved and the resolved tickets
        assert not {"tickets_due", "tickets_resolved_open"} & _indexes(path)
        plan = _plan(store, _BREACHED)
        assert plan.startswith("SEARCH sla_due USING PRIMARY KEY (due_key<?)"), plan
        _check_answers(store)
    finally:
        store.close()


@pytest.mark.parametrize("filling", [False, True])
def test_commands_after_the_fold_keep_sla_due_and_the_ledger_in_step(tmp_path: Path, filling: bool) -> None:
    path = tmp_path / "written.db"
    _store(path).close()
    _as_step_32_left_it(path, filling=filling)
    store = SqliteStore(f"sqlite:///{path}")
    try:
        store.fill_sweep_tables()
        with store() as uow:  # a due moved, a ticket resolved, one added: the triggers keep sla_due
            moved = uow.tickets.get_for_update(_TICKETS[1].id)
            assert moved.is_open and moved.resolved_at is None
            moved.resolution_due_at = T0 + timedelta(hours=1)
            uow.tickets.save(moved)
            uow.commit()
        with sqlite3.connect(path) as conn:
            kept = conn.execute(
                "SELECT due_key, id, version, customer_id FROM sla_due ORDER BY 1, 2"
            ).fetchall()
            truth = conn.execute(
                "SELECT due_key, id, version, customer_id FROM tickets WHERE unresolved = 1 ORDER BY 1, 2"
            ).fetchall()
        assert kept == truth and len(kept) > 10
        with store() as uow:
            first = uow.tickets.query(TicketFilter(unresolved=True), PageRequest(1, None, Sort.DUE)).items
        assert [t.id for t in first] == [_TICKETS[1].id]
    finally:
        store.close()


def test_the_plans_hold_without_statistics_of_the_sweep_tables(tmp_path: Path) -> None:
    # An empty table gets no statistics (and the upkeep's sampled ANALYZE reads indexes only): guessed
    # at a million rows, SQLite built a Bloom filter by reading every ticket before the join's lookups.
    store = _store(tmp_path / "stats.db")
    try:
        assert store.upkeep().analyzed
        conn = store.acquire()
        try:
            conn.execute("ANALYZE")
            conn.execute("DELETE FROM sqlite_stat1 WHERE tbl IN ('sla_due', 'sla_resolved')")
            conn.execute("ANALYZE sqlite_schema")  # reload the statistics
        finally:
            store.release(conn)
        for f, sort in ((_BREACHED, Sort.DUE), (_RESOLVED_OPEN[1], Sort.RECEIVED_ASC)):
            plan = _plan(store, f, sort)
            assert plan.startswith(("SEARCH sla_", "SCAN sla_")) and "BLOOM" not in plan, plan
    finally:
        store.close()
