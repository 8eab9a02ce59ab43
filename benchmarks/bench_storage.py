"""Storage benchmark: SQLite adapter vs plain ``sqlite3`` doing the same raw work, in the same run.

Targets (issue 7): bulk import ≥ 50,000 tickets/s in one transaction; one command (load, transition,
save, outbox) committed ≥ 5,000/s; load by id ≤ 30 µs; a ledger page of 50 with two filters from
1,000,000 tickets ≤ 5 ms. Default N = 100,000 (under a minute); ``--full`` uses 1,000,000.
With ``AFTERSALES_PG_DSN`` set, the same figures are printed for PostgreSQL (N capped at 20,000).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from aftersales.adapters.sql_ledger import ROW_COLUMNS
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.ticket import Ticket
from aftersales.ports import OutboxMessage, PageRequest, TicketFilter
from aftersales.ports.ticket_index import ticket_row
from aftersales.serialization import dumps

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 1, 1, 8, 0, tzinfo=TZ)
AGENT = ActorRef("agent-1", Role.AGENT)


def make_ticket(n: int) -> Ticket:
    return Ticket.open(
        id=TicketId(f"T-{n:07d}"),
        customer_id=CustomerId(f"C{n % 5000}"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description=f"漏水 leak at the valve, unit {n}",
        received_at=T0 + timedelta(seconds=30 * n),
        taken_by=AGENT,
        product_id=ProductId(f"P{n % 40}"),
        batch=f"B{n % 300}",
        region=f"r{n % 30}",
        dealer_id=DealerId(f"D{n % 50}"),
    )


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def report(name: str, ours: float, raw: float, unit: str, target: str) -> None:
    print(
        f"  {name:<34} {ours:>12,.1f} {unit:<4} raw sqlite3 {raw:>10,.1f}"
        f"  ratio {ours / raw:5.2f}  target {target}"
    )


def bench_store(
    label: str, store: Callable[[], Any], tickets: list[Ticket], commands: int
) -> dict[str, float]:
    print(f"{label}: {len(tickets):,} tickets")
    with store() as uow:

        def do_import() -> None:
            uow.tickets.add_many(tickets)
            uow.commit()  # timed too, as the raw baseline's COMMIT is

        elapsed = timed(do_import)
    figures = {"import": len(tickets) / elapsed}
    ids = [t.id for t in random.Random(1).sample(tickets, min(commands, len(tickets)))]

    def one_command(id_: str, n: int) -> None:
        with store() as uow:
            ticket = uow.tickets.get(id_)
            ticket.cancel(AGENT, ticket.last_event_at, "benchmark")
            uow.tickets.save(ticket)
            uow.outbox.put(
                [OutboxMessage(f"M{n}-{uuid.uuid4().hex[:8]}", "ticket.cancelled", {"t": id_}, f"k{n}", T0)]
            )
            uow.commit()

    def commands_run() -> None:
        for n, i in enumerate(ids):
            one_command(i, n)

    figures["command"] = len(ids) / timed(commands_run)
    loads = [t.id for t in random.Random(2).sample(tickets, min(5000, len(tickets)))]
    with store() as uow:
        figures["load_us"] = timed(lambda: [uow.tickets.get(i) for i in loads]) / len(loads) * 1e6
        f = TicketFilter(states=("new",), dealer_id="D7")
        page = PageRequest(limit=50)
        reps = 200
        figures["page_ms"] = timed(lambda: [uow.tickets.query(f, page) for _ in range(reps)]) / reps * 1e3
        assert len(uow.tickets.query(f, page).items) == 50
    return figures


def bench_raw(path: Path, tickets: list[Ticket], commands: int) -> dict[str, float]:
    """The same work with plain sqlite3 and pre-serialised JSON: the floor our adapter is compared to."""
    from aftersales.adapters.sqlite_schema import migrate

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")  # as the adapter sets it: a like-for-like floor
    migrate(conn)
    marks = ", ".join("?" * (len(ROW_COLUMNS) + 1))
    rows = [(*attrs.astuple(ticket_row(t), recurse=False), dumps(t)) for t in tickets]
    insert = f"INSERT INTO tickets ({', '.join(ROW_COLUMNS)}, data) VALUES ({marks})"

    def do_import() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(insert, rows)
        conn.execute("COMMIT")

    figures = {"import": len(rows) / timed(do_import)}
    ids = [t.id for t in random.Random(1).sample(tickets, min(commands, len(tickets)))]

    def one_command(id_: str, n: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        version, data = conn.execute("SELECT version, data FROM tickets WHERE id = ?", (id_,)).fetchone()
        json.loads(data)
        conn.execute(
            "UPDATE tickets SET version = ?, state = ?, data = ? WHERE id = ? AND version = ?",
            (version + 1, "cancelled", data, id_, version),
        )
        conn.execute("INSERT INTO outbox (id, sent, created_us, data) VALUES (?, 0, 0, ?)", (f"M{n}", "{}"))
        conn.execute("COMMIT")

    def commands_run() -> None:
        for n, i in enumerate(ids):
            one_command(i, n)

    figures["command"] = len(ids) / timed(commands_run)
    loads = [t.id for t in random.Random(2).sample(tickets, min(5000, len(tickets)))]
    figures["load_us"] = (
        timed(
            lambda: [
                json.loads(conn.execute("SELECT data FROM tickets WHERE id = ?", (i,)).fetchone()[0])
                for i in loads
            ]
        )
        / len(loads)
        * 1e6
    )
    sql = (
        "SELECT version, data FROM tickets WHERE state IN (?) AND dealer_id = ?"
        " ORDER BY received_us DESC, id DESC LIMIT 51"
    )
    reps = 200
    figures["page_ms"] = (
        timed(lambda: [[json.loads(d) for _, d in conn.execute(sql, ("new", "D7"))] for _ in range(reps)])
        / reps
        * 1e3
    )
    conn.close()
    return figures


def print_figures(ours: dict[str, float], raw: dict[str, float]) -> None:
    report("bulk import (tickets/s)", ours["import"], raw["import"], "/s", "≥ 50,000/s")
    report("command committed (/s)", ours["command"], raw["command"], "/s", "≥ 5,000/s")
    report("load by id", ours["load_us"], raw["load_us"], "µs", "≤ 30 µs")
    report("ledger page of 50, two filters", ours["page_ms"], raw["page_ms"], "ms", "≤ 5 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="1,000,000 tickets (several minutes)")
    parser.add_argument("-n", type=int, default=None, help="number of tickets")
    parser.add_argument("--no-freeze", action="store_true", help="leave the fixture tickets to the GC")
    args = parser.parse_args()
    n = args.n or (1_000_000 if args.full else 100_000)
    print(f"building {n:,} tickets…")
    tickets = [make_ticket(i) for i in range(n)]
    if not args.no_freeze:
        # The fixture tickets are the benchmark's, not the storage's: keep them out of every GC pass so
        # the figures measure storage work, not a sweep of this process's 100,000-ticket heap.
        gc.collect()
        gc.freeze()
    commands = 2000
    from aftersales.adapters.sqlite import open_sqlite

    with tempfile.TemporaryDirectory() as tmp:
        raw = bench_raw(Path(tmp) / "raw.db", tickets, commands)
        store = open_sqlite(f"sqlite:///{tmp}/ours.db")
        try:
            ours = bench_store("SQLite adapter", store, tickets, commands)
        finally:
            store.close()
    print_figures(ours, raw)
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if dsn:
        from aftersales.adapters.postgres import open_postgres

        schema = f"bench_{uuid.uuid4().hex[:12]}"
        sep = "&" if "?" in dsn else "?"
        pg = open_postgres(f"{dsn}{sep}schema={schema}")
        try:
            figures = bench_store("PostgreSQL adapter", pg, tickets[:20_000], 500)
        finally:
            pg.close()
            import psycopg

            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        print("  (ratios against the raw SQLite figures above)")
        print_figures(figures, raw)


if __name__ == "__main__":
    main()
