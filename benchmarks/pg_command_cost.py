"""Where a PostgreSQL command's time goes: CPU per command of the client and of its server process,
per round trip, for source trees compared in one run (issue 21).

On a shared host the wall-clock figures of ``bench_postgres.py`` follow the load (at a load average of
10-20 on the 2-core development host they moved by half between two runs of the same code); CPU time
moves much less. Here one desk (one connection, ``pool_max=1``) runs ``--per-run`` commands of one kind
on live tickets of a store built once through the adapter (``bench_postgres.build``, as that benchmark
writes it), and each command is measured: the client's thread CPU, its server process's CPU (read
from ``/proc/<pid>/schedstat``, in nanoseconds: the server must run on this host), the wall time and
the round trips (libpq's trace, counted on the first commands). Each source tree (``--trees``, ``src``
directories) runs in a process of its own; trees alternate, run after run, the order reversed every
other run, so the documents' growth (each note adds to its ticket) and the host's load fall on all
alike. Printed per tree: the median over runs of the per-run medians, and p50/p90/p99 of every
command, beside raw psycopg's read (``FOR UPDATE``), version-checked write and commit of the same
tickets' rows measured in the same runs: the baseline.

    AFTERSALES_PG_DSN=postgresql://user@127.0.0.1:5432/db \\
        python benchmarks/pg_command_cost.py --trees /old/src,src --command note
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

COMMANDS = ("note", "dispatch", "note-hit", "note-miss", "raw")
"""``note-hit`` / ``note-miss``: before each note, untimed, the same ticket gets a note from this desk
(its memo then holds the row: the measured note's read is a hit) or from a desk of its own store and
connection (another process's write: the row's key moved, the read sends the document and the client
parses what was appended, a miss); the measured note is the same in both."""


def _schedstat(pid: int) -> int:
    with open(f"/proc/{pid}/schedstat", encoding="ascii") as stat:
        return int(stat.read().split()[0])


def child(url: str, command: str, per_run: int, seed: int) -> None:
    """Run ``per_run`` commands (after as many untimed ones) and print their costs as JSON."""
    import gc

    from bench_postgres import AGENT, ENGINEERS, Trips, open_ids

    assert gc.isenabled()
    ids = open_ids(int(os.environ["PG_COST_TICKETS"]))
    rnd = random.Random(seed)
    trips = Trips()
    pids: list[int] = []
    prior: Any = None  # the untimed write before each measured command (note-hit, note-miss)
    if command == "raw":
        import psycopg
        from bench_postgres import libpq_dsn
        from psycopg.types.json import Jsonb

        schema = url.rsplit("schema=", 1)[1].split("&")[0]
        conn = psycopg.connect(libpq_dsn(url), options=f"-c search_path={schema}", prepare_threshold=0)
        pids.append(conn.info.backend_pid)

        def run() -> object:
            trips.trace(conn)
            key = rnd.choice(ids)
            sql = "SELECT version, data FROM tickets WHERE id = %s FOR UPDATE"
            found = conn.execute(sql, (key,)).fetchone()
            assert found is not None
            update = "UPDATE tickets SET version = %s, data = %s WHERE id = %s AND version = %s"
            done = conn.execute(update, (found[0] + 1, Jsonb(found[1]), key, found[0]))
            assert done.rowcount == 1
            conn.commit()
            conn.pgconn.untrace()
            return found

    else:
        from aftersales.adapters.postgres import PostgresStore
        from aftersales.service.desk import ServiceDesk

        acquire = PostgresStore.acquire

        quiet: list[bool] = []  # the other desk's write: neither traced nor measured

        def traced(store: PostgresStore) -> Any:
            conn = acquire(store)
            if not quiet:
                pids.append(conn.info.backend_pid)
                trips.trace(conn)
            return conn

        other = None
        if command == "note-miss":
            other = ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack="sanitary_ware")
        release = PostgresStore.release

        def untraced(store: PostgresStore, conn: Any) -> None:
            conn.pgconn.untrace()  # the next unit of work is traced only if counted
            release(store, conn)

        PostgresStore.acquire, PostgresStore.release = traced, untraced  # type: ignore[method-assign]
        desk = ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack="sanitary_ware")
        chosen: list[str] = []
        if command in ("note-hit", "note-miss"):
            writer = other if other is not None else desk

            def prior() -> object:
                chosen.append(rnd.choice(ids))
                quiet.append(other is not None)
                try:
                    return writer.note_to_customer(AGENT, chosen[-1], text="另一进程")
                finally:
                    quiet.clear()

        def run() -> object:
            key = chosen.pop() if chosen else rnd.choice(ids)
            if command == "dispatch":
                engineer = f"E{rnd.randrange(ENGINEERS)}"
                return desk.dispatch(AGENT, key, engineer_id=engineer, reason="换人")
            return desk.note_to_customer(AGENT, key, text="工程师已出发")

    kept: list[object] = []
    for n in range(per_run):  # connect, prepare and fill the memo as a running desk has (untimed)
        trips.on = False
        if prior is not None:
            kept.append(prior())
        trips.on = n >= per_run - 20
        kept.append(run())
    counted = trips.count()
    trips.on = False
    client: list[int] = []
    server: list[int] = []
    wall: list[int] = []
    for _ in range(per_run):
        if prior is not None:
            kept.append(prior())
        pid = pids[-1]
        s0, c0, w0 = _schedstat(pid), time.thread_time_ns(), time.perf_counter_ns()
        kept.append(run())
        w1, c1 = time.perf_counter_ns(), time.thread_time_ns()
        server.append(_schedstat(pids[-1]) - s0 if pids[-1] == pid else -1)
        client.append(c1 - c0)
        wall.append(w1 - w0)
    print(json.dumps({"client": client, "server": [s for s in server if s >= 0], "wall": wall,
                      "trips": counted[0] / 20, "statements": counted[1] / 20}))  # fmt: skip


def _pcts(values: list[float]) -> str:
    ordered = sorted(values)
    at = [ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.5, 0.9, 0.99)]
    return "p50 {:.0f} p90 {:.0f} p99 {:.0f} µs".format(*(v / 1000 for v in at))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trees", default="src", help="src directories, comma-separated (default src)")
    parser.add_argument(
        "--command", default="note", help=f"one or more of {', '.join(COMMANDS[:4])}, comma-separated"
    )
    parser.add_argument("--tickets", type=int, default=16_000, help="tickets in the store (default 16,000)")
    parser.add_argument("--runs", type=int, default=6, help="runs per tree (default 6)")
    parser.add_argument("--per-run", type=int, default=300, help="measured commands per run (default 300)")
    args = parser.parse_args()
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        print("PostgreSQL: set AFTERSALES_PG_DSN to measure it")
        return
    import psycopg
    from bench_postgres import build, libpq_dsn, open_ids, settle

    schema = f"cost_{uuid.uuid4().hex[:10]}"
    url = f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"
    here = os.path.dirname(os.path.abspath(__file__))
    trees = [t for t in args.trees.split(",") if t]
    commands = [c for c in args.command.split(",") if c]
    if not set(commands) <= set(COMMANDS[:4]):
        parser.error(f"--command: one or more of {', '.join(COMMANDS[:4])}")
    kinds = [*((tree, c) for tree in trees for c in commands), (trees[-1], "raw")]
    found: dict[tuple[str, str], dict[str, list[Any]]] = {}
    try:
        rate = build(url, args.tickets)
        settle(url, open_ids(args.tickets))  # each live ticket as a desk keeps it (its dues derived)
        print(f"{args.tickets:,} tickets written at {rate:,.0f}/s, {len(open_ids(args.tickets)):,} live;"
              f" {args.runs} runs of {args.per_run} {args.command} commands per tree, one connection;"
              f" load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        for run in range(args.runs):
            for tree, command in kinds if run % 2 == 0 else kinds[::-1]:
                env = dict(os.environ, PYTHONPATH=f"{os.path.abspath(tree)}:{here}")
                env["PG_COST_TICKETS"] = str(args.tickets)
                code = (
                    "import sys, pg_command_cost as m;"
                    " m.child(*sys.argv[1:3], int(sys.argv[3]), int(sys.argv[4]))"
                )
                out = subprocess.run(
                    [sys.executable, "-c", code, url, command, str(args.per_run), str(run)],
                    env=env, check=True, capture_output=True, text=True,
                ).stdout  # fmt: skip
                result = json.loads(out.strip().splitlines()[-1])
                into = found.setdefault((tree, command), {"runs": []})
                into["runs"].append(result)
        for (tree, command), into in found.items():
            runs = into["runs"]
            line = f"  {command:<8} {tree:<28}"
            for part in ("client", "server", "wall"):
                medians = [statistics.median(r[part]) for r in runs if r[part]]
                every = [v for r in runs for v in r[part]]
                line += f"  {part} median {statistics.median(medians) / 1000:,.0f} µs ({_pcts(every)})"
            line += f"  round trips {runs[0]['trips']:.1f}, statements {runs[0]['statements']:.1f}"
            print(line, flush=True)
        print(f"  load average {os.getloadavg()[0]:.1f}")
    finally:
        with psycopg.connect(libpq_dsn(dsn), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
