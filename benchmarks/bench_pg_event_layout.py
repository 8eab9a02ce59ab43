"""Where PostgreSQL should keep a ticket's events: in its ``jsonb`` document, or one row per event.

Issue 21 asks for append-only events. SQLite appends them to ``ticket_events``; the PostgreSQL store
keeps them in the ticket's ``jsonb`` document and sends the stored events' text back with the new
ones appended (the client serialises only the new events), so the server rewrites the whole
document on every save. This benchmark measures what a separate events table would save the server,
at the sizes tickets really reach, before the store is changed for it.

Two layouts in one fresh database, the same tickets in both (the benchmark's own generator, the
shape ``bench_postgres`` and the 1 M file use: about 7 events, 2.4 KB of JSON), each ticket's event
list repeated ×1, ×4 and ×10 to stand for a ticket with a long history:

- **document** (today's layout): a command appends one event and writes the whole document back,
  ``UPDATE … SET version, data`` — the baseline;
- **rows**: the document without its events, plus a table keyed by (ticket, seq); a command writes
  the document without events and inserts the one new event row.

Both run a command as one transaction on one connection, on random tickets among 3,000, the garbage
collector on and every document kept. Printed per layout and size: commands per second (median over
runs, and the runs' range), the latency's p50/p90/p99, and the server process's CPU time per
command (from ``/proc``, when the server runs on this host): on a shared machine the wall clock
follows the load, the server's CPU much less.

    AFTERSALES_PG_DSN=postgresql://user@127.0.0.1:5432/db python benchmarks/bench_pg_event_layout.py
    … --runs 5 --per-run 2000
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from scale_file import KEEP, fmt, make_ticket, percentiles

from aftersales.serialization import dumps_utf8

TICKETS = 3000
SIZES = (1, 4, 10)


def _documents(copies: int) -> list[dict[str, Any]]:
    """The benchmark's tickets as stored JSON, each one's events repeated ``copies`` times."""
    documents = []
    for n in range(TICKETS):
        document = orjson.loads(dumps_utf8(make_ticket(n)))
        events = [dict(e) for e in document["events"] * copies]
        for seq, event in enumerate(events, start=1):
            event["seq"] = seq
        document["events"] = events
        documents.append(document)
    return documents


class _Server:
    """CPU time of the server process serving ``conn`` (``None`` when its /proc is not readable)."""

    def __init__(self, conn: Any) -> None:
        self._stat = Path(f"/proc/{conn.execute('SELECT pg_backend_pid()').fetchone()[0]}/stat")
        self._tick = os.sysconf("SC_CLK_TCK")

    def cpu(self) -> float | None:
        try:
            fields = self._stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self._tick  # utime, stime


def _layouts(conn: Any, schema: str, documents: list[dict[str, Any]]) -> dict[str, Callable[[int], object]]:
    """Both layouts filled with ``documents``; each as a command appending one event to a random ticket."""
    from psycopg.types.json import Jsonb

    conn.execute(f"CREATE SCHEMA {schema}")
    conn.execute(f"SET search_path TO {schema}")
    conn.execute("CREATE TABLE whole (id text PRIMARY KEY, version int NOT NULL, data jsonb NOT NULL)")
    conn.execute("CREATE TABLE head (id text PRIMARY KEY, version int NOT NULL, data jsonb NOT NULL)")
    conn.execute(
        "CREATE TABLE events (ticket_id text NOT NULL, seq int NOT NULL, data jsonb NOT NULL,"
        " PRIMARY KEY (ticket_id, seq))"
    )
    heads = [{k: v for k, v in d.items() if k != "events"} for d in documents]
    with conn.transaction(), conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO whole VALUES (%s, 1, %s)", [(f"t{n}", Jsonb(d)) for n, d in enumerate(documents)]
        )
        cursor.executemany(
            "INSERT INTO head VALUES (%s, 1, %s)", [(f"t{n}", Jsonb(h)) for n, h in enumerate(heads)]
        )
        cursor.executemany(
            "INSERT INTO events VALUES (%s, %s, %s)",
            [(f"t{n}", e["seq"], Jsonb(e)) for n, d in enumerate(documents) for e in d["events"]],
        )
    conn.execute("ANALYZE")
    pick = random.Random(7)
    note = documents[0]["events"][-1]

    def appended(document: dict[str, Any]) -> dict[str, Any]:
        event = dict(note, seq=document["events"][-1]["seq"] + 1)
        document["events"].append(event)
        return event

    def whole(_: int) -> object:
        n = pick.randrange(TICKETS)
        appended(documents[n])
        with conn.transaction():
            conn.execute(
                "UPDATE whole SET version = version + 1, data = %s WHERE id = %s",
                (Jsonb(documents[n]), f"t{n}"),
            )
        return documents[n]

    def rows(_: int) -> object:
        n = pick.randrange(TICKETS)
        event = appended(documents[n])
        with conn.transaction():
            conn.execute(
                "UPDATE head SET version = version + 1, data = %s WHERE id = %s", (Jsonb(heads[n]), f"t{n}")
            )
            conn.execute("INSERT INTO events VALUES (%s, %s, %s)", (f"t{n}", event["seq"], Jsonb(event)))
        return event

    return {"document (today)": whole, "rows (events table)": rows}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--per-run", type=int, default=2000)
    args = parser.parse_args()
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        print("PostgreSQL event layout: set AFTERSALES_PG_DSN to measure it")
        return
    import psycopg

    assert gc.isenabled()
    print(f"PostgreSQL: a ticket's events in its document or one row each; {TICKETS:,} tickets, "
          f"{args.runs} runs of {args.per_run:,} commands, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    schema = f"bench_events_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        server = _Server(conn)
        try:
            for copies in SIZES:
                documents = _documents(copies)
                KEEP.append(documents)
                size = statistics.mean(len(orjson.dumps(d)) for d in documents)
                count = len(documents[0]["events"])
                print(f"  events ×{copies}: {count} per ticket, {size / 1024:.1f} KB of JSON")
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                layouts = _layouts(conn, schema, documents)
                rates: dict[str, list[float]] = {name: [] for name in layouts}
                latencies: dict[str, list[float]] = {name: [] for name in layouts}
                server_cpu: dict[str, list[float]] = {name: [] for name in layouts}
                for r in range(args.runs):
                    for name, command in layouts.items():  # interleaved: both see the same spells of load
                        cpu_began = server.cpu()
                        began = time.perf_counter()
                        for i in range(args.per_run):
                            t0 = time.perf_counter()
                            KEEP.append(command(r * args.per_run + i))
                            latencies[name].append(time.perf_counter() - t0)
                        rates[name].append(args.per_run / (time.perf_counter() - began))
                        cpu_ended = server.cpu()
                        if cpu_began is not None and cpu_ended is not None:
                            server_cpu[name].append((cpu_ended - cpu_began) / args.per_run)
                for name in layouts:
                    p50, p90, p99 = percentiles(latencies[name])
                    spent = server_cpu[name]
                    cpu = f", server CPU {fmt(statistics.median(spent))}/cmd" if spent else ""
                    print(f"    {name:<20} median {statistics.median(rates[name]):>7,.0f} cmd/s "
                          f"(runs {min(rates[name]):,.0f}–{max(rates[name]):,.0f})  p50 {fmt(p50)}  "
                          f"p90 {fmt(p90)}  p99 {fmt(p99)}{cpu}")  # fmt: skip
        finally:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


if __name__ == "__main__":
    main()
