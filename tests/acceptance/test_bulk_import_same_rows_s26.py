"""A bulk import stores exactly what single writes store (issue 21, session 26): every row of every table
the import writes, compared with a file where the same tickets went in one ``add`` and one ``put`` each.

The import derives its rows in bulk (party words instead of records, the customers' tiers from those
words, one ``executemany`` per table); none of that may change a stored byte. The FTS index is
contentless, so its words are compared through ``fts5vocab`` (term, document, column, offset)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import attrs
from test_bulk_import_rows import ASSETS, CUSTOMERS, DEALERS, MANAGER, START, TICKETS, _known

from aftersales.adapters.clock import ManualClock
from aftersales.domain.parties import CustomerTier
from aftersales.ports.ticket_search import search_document
from aftersales.service.desk import ServiceDesk
from conftest import pg_schema_url

TABLES = (
    "tickets",
    "ticket_events",
    "report_tickets",
    "report_faults",
    "report_completions",
    "ticket_search",
    "ticket_search_keys",
    "ticket_labels",
    "sla_due",
    "sla_resolved",
    "customer_tiers",
    "entities",
)
# A VIP and an important customer: the close check reads their tier from the import's party words.
PARTIES = {
    **CUSTOMERS,
    "c1": attrs.evolve(CUSTOMERS["c1"], tier=CustomerTier.VIP),
    "c2": attrs.evolve(CUSTOMERS["c2"], tier=CustomerTier.IMPORTANT),
}


def _open(url: str | Path) -> ServiceDesk:
    url = f"sqlite:///{url}" if isinstance(url, Path) else url
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START))
    with desk.store() as uow:
        for customer in PARTIES.values():
            uow.customers.add(customer)
        uow.dealers.add(DEALERS["d1"])
        uow.assets.add(ASSETS["a1"])
        uow.commit()
    return desk


def _contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        found = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
        conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, ticket_search_fts, 'instance')")
        found["fts words"] = conn.execute("SELECT * FROM temp.words ORDER BY 1, 2, 3, 4").fetchall()
        return found
    finally:
        conn.close()


def _import_and_write_singly(bulk: str | Path, single: str | Path) -> None:
    """The same tickets imported into ``bulk`` and written one ``add`` and ``put`` each into ``single``."""
    tickets = _known(TICKETS)
    with _open(bulk) as desk:
        desk.import_tickets(MANAGER, tickets, batch_size=17)  # several batches, one of leftovers
    with _open(single) as desk:
        for start in range(0, len(tickets), 17):  # one transaction per batch, as the import's
            with desk.store() as uow:
                for ticket in tickets[start : start + 17]:
                    uow.tickets.add(ticket)
                    customer = PARTIES[ticket.customer_id]
                    asset = ASSETS.get(ticket.asset_id) if ticket.asset_id else None
                    dealer = DEALERS.get(ticket.dealer_id) if ticket.dealer_id else None
                    uow.search.put(search_document(ticket, customer, asset, dealer))
                flush = getattr(uow.search, "flush", None)  # SQLite: a put leaves its FTS words pending
                if flush is not None:
                    flush()
                uow.commit()


def test_an_import_stores_what_single_writes_store(tmp_path: Path) -> None:
    _import_and_write_singly(tmp_path / "bulk.db", tmp_path / "single.db")
    bulk, single = _contents(tmp_path / "bulk.db"), _contents(tmp_path / "single.db")
    assert len(bulk["tickets"]) == len(_known(TICKETS))
    for table, rows in single.items():
        assert bulk[table] == rows, table


PG_TABLES = ("tickets", "ticket_search", "ticket_search_keys", "ticket_labels")


@contextlib.contextmanager
def _pg_contents(url: str) -> Iterator[dict[str, list[tuple[object, ...]]]]:
    import psycopg

    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(os.environ["AFTERSALES_PG_DSN"]) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        yield {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in PG_TABLES}


def test_a_postgresql_import_stores_what_single_writes_store() -> None:
    # The search rows of a batch go in as three statements of arrays, positions assigned in Python
    # as each put assigns them (three tickets share each minute; the batches share milliseconds).
    with pg_schema_url() as bulk_url, pg_schema_url() as single_url:
        _import_and_write_singly(bulk_url, single_url)
        with _pg_contents(bulk_url) as bulk, _pg_contents(single_url) as single:
            assert len(bulk["ticket_search"]) == len(_known(TICKETS))
            for table, rows in single.items():
                assert bulk[table] == rows, table


def test_a_postgresql_batch_naming_an_indexed_ticket_is_put_one_by_one() -> None:
    # put_many's array path is for tickets none indexed yet; one already indexed (or named twice) makes
    # the batch go through put each, which rewrites the indexed row in place: the same rows as put each.
    tickets = _known(TICKETS)[:6]
    docs = [search_document(t, PARTIES[t.customer_id]) for t in tickets]
    changed = [attrs.evolve(d, text=d.text + " 复检") for d in docs[:2]]
    with pg_schema_url() as many_url, pg_schema_url() as single_url:
        for url, many in ((many_url, True), (single_url, False)):
            with _open(url) as desk, desk.store() as uow:
                for doc in docs[:2]:
                    uow.search.put(doc)
                later = [*changed, *docs[2:]]
                if many:
                    uow.search.put_many(later)  # type: ignore[attr-defined]
                else:
                    for doc in later:
                        uow.search.put(doc)
                uow.commit()
        with _pg_contents(many_url) as many_rows, _pg_contents(single_url) as single_rows:
            assert len(many_rows["ticket_search"]) == 6
            assert many_rows["ticket_search"] == single_rows["ticket_search"]
            assert many_rows["ticket_search_keys"] == single_rows["ticket_search_keys"]
