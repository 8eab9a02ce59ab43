"""A bulk import stores exactly what single writes store (issue 21, session 26): every row of every table
the import writes, compared with a file where the same tickets went in one ``add`` and one ``put`` each.

The import derives its rows in bulk (party words instead of records, the customers' tiers from those
words, one ``executemany`` per table); none of that may change a stored byte. The FTS index is
contentless, so its words are compared through ``fts5vocab`` (term, document, column, offset)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
from test_bulk_import_rows import ASSETS, CUSTOMERS, DEALERS, MANAGER, START, TICKETS, _known

from aftersales.adapters.clock import ManualClock
from aftersales.domain.parties import CustomerTier
from aftersales.ports.ticket_search import search_document
from aftersales.service.desk import ServiceDesk

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


def _open(path: Path) -> ServiceDesk:
    desk = ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware", clock=ManualClock(START))
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


def test_an_import_stores_what_single_writes_store(tmp_path: Path) -> None:
    tickets = _known(TICKETS)
    with _open(tmp_path / "bulk.db") as desk:
        desk.import_tickets(MANAGER, tickets, batch_size=17)  # several batches, one of leftovers
    with _open(tmp_path / "single.db") as desk:
        for start in range(0, len(tickets), 17):  # one transaction per batch, as the import's
            with desk.store() as uow:
                for ticket in tickets[start : start + 17]:
                    uow.tickets.add(ticket)
                    customer = PARTIES[ticket.customer_id]
                    asset = ASSETS.get(ticket.asset_id) if ticket.asset_id else None
                    dealer = DEALERS.get(ticket.dealer_id) if ticket.dealer_id else None
                    uow.search.put(search_document(ticket, customer, asset, dealer))
                uow.search.flush()  # a put leaves its FTS words pending; the import writes them at once
                uow.commit()
    bulk, single = _contents(tmp_path / "bulk.db"), _contents(tmp_path / "single.db")
    assert len(bulk["tickets"]) == len(tickets)
    for table, rows in single.items():
        assert bulk[table] == rows, table
