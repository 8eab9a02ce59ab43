"""What a desk command writes into PostgreSQL's indexes, counted by the server: load does not move it.

Issue 21 (PostgreSQL server time per command). Timing on a shared host follows its load; these counts
do not: per command, the index buffers each index touched (``pg_statio_user_indexes``: a lookup or an
insert descends an index and touches a page per level), the ticket updates and the share of them
PostgreSQL made HOT (no new entry in any ticket index: no indexed column changed and the page had
room), and the rows each table gained. A note is HOT; a dispatch moves the state and the assignee, so
its update adds an entry to every ticket index whose condition the row meets — which is why each
ticket index must be one a query reads (``tests/integration/test_postgres_ticket_indexes_s34k.py``).

The store is a fresh schema in ``$AFTERSALES_PG_DSN`` built as ``bench_postgres`` builds it (parties,
tickets, search documents, one settling note on each live ticket). Each command kind runs on live
tickets picked at random through its own desk, which is shut down before the counters are read: a
server process publishes its counters when it ends, so no command is missing or counted twice.

    AFTERSALES_PG_DSN=postgresql://user@127.0.0.1:5432/db python benchmarks/pg_index_writes.py
    … --tickets 4000 --commands 200
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from collections.abc import Callable

from bench_postgres import AGENT, build, open_ids, settle

Counters = tuple[dict[str, int], dict[str, tuple[int, int, int]]]


def counters(dsn: str, schema: str) -> Counters:
    """Index buffers touched per index, and (updates, HOT updates, inserts) per table, in ``schema``."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        indexes = conn.execute(
            "SELECT indexrelname, idx_blks_hit + idx_blks_read FROM pg_statio_user_indexes"
            " WHERE schemaname = %s",
            (schema,),
        ).fetchall()
        tables = conn.execute(
            "SELECT relname, n_tup_upd, n_tup_hot_upd, n_tup_ins FROM pg_stat_user_tables"
            " WHERE schemaname = %s",
            (schema,),
        ).fetchall()
    return dict(indexes), {name: (upd, hot, ins) for name, upd, hot, ins in tables}


def run(
    dsn: str, url: str, schema: str, label: str, count: int, command: Callable[[object, int], object]
) -> None:
    """``count`` commands through a desk of their own; prints what they wrote per command."""
    from aftersales.service.desk import ServiceDesk

    time.sleep(0.5)  # the previous desk's server processes have ended and published
    before = counters(dsn, schema)
    desk = ServiceDesk.open(url, pack="sanitary_ware")
    done = 0
    try:
        for k in range(count):
            command(desk, k)
            done += 1
    finally:
        desk.shutdown()
    time.sleep(0.5)
    after = counters(dsn, schema)
    upd, hot, _ = (a - b for a, b in zip(after[1]["tickets"], before[1]["tickets"], strict=True))
    print(f"{label}: {done} commands; ticket updates {upd / done:.2f}, HOT {hot / done:.2f} a command")
    total = 0
    for name in sorted(after[0]):
        touched = after[0][name] - before[0].get(name, 0)
        total += touched
        if touched:
            print(f"  {name:32} {touched / done:6.2f} index buffers a command")
    print(f"  {'all indexes':32} {total / done:6.2f}")
    gained = {n: a[2] - before[1].get(n, (0, 0, 0))[2] for n, a in after[1].items()}
    print(
        "  rows inserted a command: "
        + ", ".join(f"{n} {v / done:.2f}" for n, v in sorted(gained.items()) if v)
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=4000, help="tickets in the store (default 4,000)")
    parser.add_argument(
        "--commands",
        type=int,
        default=200,
        help="commands of each kind, at most one a live ticket (default 200)",
    )
    args = parser.parse_args()
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        print("PostgreSQL: set AFTERSALES_PG_DSN to count")
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url = f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"
    try:
        build(url, args.tickets)
        ids = open_ids(args.tickets)
        settle(url, ids)
        picked = random.Random(34).sample(ids, min(args.commands, len(ids)))
        run(
            dsn,
            url,
            schema,
            "note",
            len(picked),
            lambda d, k: d.note_to_customer(AGENT, picked[k], text="工程师已出发"),
        )  # type: ignore[attr-defined]
        run(
            dsn,
            url,
            schema,
            "dispatch to a dealer",
            len(picked),
            lambda d, k: d.dispatch(AGENT, picked[k], dealer_id=f"D{k % 300}", reason="改派经销商"),  # type: ignore[attr-defined]
        )
        run(dsn, url, schema, "tag", len(picked), lambda d, k: d.tag(AGENT, picked[k], add=[f"复查{k % 5}"]))  # type: ignore[attr-defined]
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
