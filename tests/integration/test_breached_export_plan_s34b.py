"""The SQLite ledger export of breached tickets reads index ranges (issue 21, session 34).

Session 33 dropped the ledger's due index (the sweep tables hold its keys); the export, which pages by
(received_us, id), then walked the received-time index over every ticket stored, closed ones too, and
tested each row (``SCAN tickets USING INDEX tickets_received``). Breached tickets are open, so the export
reads one range of ``tickets_state`` per open state (``adapters/ledger_state_arms``), merged in order.
Checked here on the exact SQL the export runs, on a fresh file, an analysed one and a sampled one;
``tests/reports/test_breached_export_s34b.py`` holds the rows equal to the ticket path on every store.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from aftersales.adapters.ledger_rows_sqlite import SqliteLedgerRows
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.testing.storage_contract import T0, ledger_tickets

NOW = T0 + timedelta(days=30)
FILTERS = {
    "breached": TicketFilter(breached_at=NOW),
    "breached, parts pause": TicketFilter(breached_at=NOW, parts_pause=True),
    "breached, two states": TicketFilter(breached_at=NOW, states=("assigned", "closed")),
    "breached, received in a week": TicketFilter(
        breached_at=NOW, received_from=T0 + timedelta(days=1), received_to=T0 + timedelta(days=8)
    ),
    "breached, a dealer's scope": TicketFilter(breached_at=NOW, dealer_scope="D1"),
}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SqliteStore]]:
    root = tmp_path_factory.mktemp("breached")
    made = {name: SqliteStore(f"sqlite:///{root / name}.db") for name in ("fresh", "analysed", "sampled")}
    for store in made.values():
        tickets = ledger_tickets(3000)
        for n, ticket in enumerate(tickets):
            if n % 7 == 0:
                ticket.assignee = Assignee(AssigneeKind.DEALER, "D1" if n % 2 else "D0")
        with store() as uow:
            uow.tickets.add_many(tickets)
            uow.commit()
    conn = made["analysed"].acquire()
    conn.execute("ANALYZE")
    made["analysed"].release(conn)
    assert made["sampled"].upkeep().analyzed
    yield made
    for store in made.values():
        store.close()


def _export_statements(
    store: SqliteStore, f: TicketFilter, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[tuple[str, tuple[object, ...]]], list[str]]:
    """The statements the export of ``f`` ran (pages of 10 rows), and the ids it wrote in order."""
    seen: list[tuple[str, tuple[object, ...]]] = []
    read = SqliteLedgerRows._read

    def traced(self: SqliteLedgerRows, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        seen.append((sql, params))
        return read(self, sql, params)

    monkeypatch.setattr(SqliteLedgerRows, "_read", traced)
    ids = [str(record[0]) for page in store.ledger_rows().pages(f, 10) for record in page]
    return seen, ids


@pytest.mark.parametrize("which", ["fresh", "analysed", "sampled"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_a_breached_export_reads_ranges_of_the_state_index(
    stores: dict[str, SqliteStore], which: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = stores[which]
    statements, ids = _export_statements(store, FILTERS[name], monkeypatch)
    assert len(ids) > 10, "the export must page to be meaningful"
    assert any("(received_us, tickets.id) > (?, ?)" in sql for sql, _ in statements)  # a later page
    conn = store.acquire()
    try:
        for sql, params in statements:
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            text = " | ".join(plan)
            assert "TEMP B-TREE" not in text and "BLOOM FILTER" not in text, text
            assert not any(line.startswith("SCAN") for line in plan), text  # no walk of an index or table
            if name.endswith("scope"):  # the dealer's two ranges, narrower than any state's
                assert plan[0].startswith("SEARCH tickets USING INDEX tickets_dispatched_dealer") or plan[
                    0
                ].startswith("SEARCH tickets USING INDEX tickets_dealer"), text
            else:
                assert plan[0].startswith("SEARCH tickets USING INDEX tickets_state (state=?"), text
    finally:
        store.release(conn)


@pytest.mark.parametrize("name", list(FILTERS))
def test_the_export_lists_what_the_ledger_lists(
    stores: dict[str, SqliteStore], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same tickets as the ledger query of the filter, in the export's order (received, id)."""
    f = FILTERS[name]
    store = stores["analysed"]
    _, ids = _export_statements(store, f, monkeypatch)
    listed: list[tuple[int, str]] = []
    cursor = None
    with store() as uow:
        while True:
            page = uow.tickets.query(f, PageRequest(100, cursor, Sort.DUE))
            listed += [(int(t.received_at.timestamp() * 1e6), t.id) for t in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert ids == [id_ for _, id_ in sorted(listed)]
