"""ServiceDesk commands on PostgreSQL with 1 and 8 concurrent clients, beside raw psycopg in the same run.

Target (issue 21): ≥ 1,500 commands/s on one connection, ≥ 6,000/s with 8 concurrent clients, and no
lost update.

The store is a fresh schema in ``$AFTERSALES_PG_DSN``, written through the adapter: customers,
engineers and dealers, then ``--tickets`` tickets (default 20,000, 3 in 16 still open: 3,750 live)
with their search documents, as the desk keeps them; then one untimed note on every live ticket
through the desk (:func:`settle`: the tickets' dues derived on the pack's calendar, as a desk's own
tickets have them; its rate is printed as a figure of its own). Every client is its own process with its own
``ServiceDesk`` (so its own connection pool), started once and kept for all its runs, picking live
tickets at random: the first run finds them cold, later runs find what a long-running desk keeps.
A run starts all clients together and ends when the last finishes; the figure is commands over that
wall time. The baseline is raw psycopg doing a command's minimum on the same rows — read the ticket
``FOR UPDATE``, write it back with a version check, commit (psycopg sends ``BEGIN`` on its own: four
round trips) — from as many processes. Round trips are counted in each client over 50 untimed
commands (and for ``open_ticket`` in the main process over 10) from libpq's protocol trace of its
connections (each turn from the client's messages to the server's answer is one). Each line also
gives the client's CPU time per command (the median over runs and clients) and, when the server
runs on this host and its /proc is readable, the CPU time of that client's server process per
command (on a 2-core host client and server share the cores: both bound the figure): on a shared
host the wall-clock figures follow its load, CPU time much less. The garbage collector stays on and every
result is kept. No update may be lost: the events the desk's commands appended must equal the commands
committed, and the tickets' versions must have moved by every write committed, the desk's and the raw
baseline's (whose version-checked ``UPDATE`` must change its row). The DSN may name the server's Unix
socket (``?host=/run/postgresql``); the raw baseline connects as the store does. Each desk line gives
the share of its ticket updates that were HOT (no entry added
to any ticket index; :class:`Hot`). It also gives the share of the desk's ticket reads its memo did not
answer: a row another process wrote since this one kept it (the server sends the document, the client
parses what was appended) or a ticket never kept (parsed whole). Whether the server syncs its WAL
(``fsync``) is printed beside the figures: CI and the development server run with ``fsync=off``. The
load average is printed.

    AFTERSALES_PG_DSN=postgresql://user@127.0.0.1:5432/db python benchmarks/bench_postgres.py
    … --runs 3 --per-run 300                                      # a quick look
    … --commit-modes off                                           # only synchronous_commit=off
    … --command dispatch                                           # reassignments instead of notes
    … --trees /path/old/src,src --rounds 3                         # two trees, alternated (below)

``--command`` picks the command every client runs: ``note`` (``note_to_customer``, the default) or
``dispatch`` (a reassignment to a random engineer, with a reason: the ticket's row columns move, so its
update is not HOT and adds to the ticket indexes). A triage needs a new ticket per command and is not
measured here (``open_ticket``'s round trips are). Each desk line also gives the statements per command
(the server's ``CommandComplete`` answers in libpq's trace, ``BEGIN`` and ``COMMIT`` included).

``--trees`` measures the desk figures once per source tree (each a ``src`` directory holding
``aftersales``), the trees alternated ``--rounds`` times under the same load, on the same store (built by
the tree this script runs with): old and new code compared in one run, which on a shared host is the
only comparison that means anything. A line per tree and round, then each tree's medians.

Every figure is printed twice: with the server's ``synchronous_commit`` and with the store option
``?synchronous_commit=off`` (the raw baseline runs with the same setting). Under each figure, what
``--wait-sample`` adds under each figure what the server processes of those clients were doing,
sampled from ``pg_stat_activity`` every 10 ms (running, waiting for a lock or a buffer, or waiting for
their client), and which locks they waited for (``pg_locks``, not granted: a row of which table, an
advisory lock): where 8 clients' time goes. Each line with server CPU also gives the host's ceiling: its
cores over the client's and the server's CPU per command, the most any number of clients could reach
with the cores to themselves. It is off by default because on a small machine the
sampler's queries take CPU from the clients it measures.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from scale_file import KEEP, fmt, make_ticket, percentiles, verdict

from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId, EngineerId
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset
from aftersales.ports.ticket_search import search_document
from aftersales.service.actors import Actor

AGENT = Actor.agent("agent-1")
CUSTOMERS, ENGINEERS, DEALERS = 20_000, 2000, 300
TRACED = 50
"""Untimed commands per client whose round trips are counted."""


_STORE_OPTIONS = ("schema", "synchronous_commit", "pool_min", "pool_max", "prepare_threshold", "ticket_cache")


def libpq_dsn(url: str) -> str:
    """``url`` without the store's own options: what libpq reads (a ``host=/run/postgresql`` too)."""
    conninfo, _, query = url.partition("?")
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0] not in _STORE_OPTIONS]
    return f"{conninfo}?{'&'.join(kept)}" if kept else conninfo


def open_ids(count: int) -> list[str]:
    """Ids of the open tickets among the first ``count`` (see ``make_ticket``)."""
    return [f"T-{n:08d}" for n in range(count) if n % 8 == 7 or n % 16 == 6]


def parties() -> Iterator[Customer | Engineer | Dealer]:
    for n in range(CUSTOMERS):
        yield Customer(
            CustomerId(f"C{n}"), f"客户 {n}", Contact(f"客户 {n}", phone=f"138{n:08d}"), region="r1"
        )
    for n in range(ENGINEERS):
        yield Engineer(EngineerId(f"E{n}"), f"工程师 {n}", team=f"team-{n % 40}")
    for n in range(DEALERS):
        yield Dealer(DealerId(f"D{n}"), f"经销商 {n}", region=f"r{n % 30}")


def build(url: str, count: int) -> float:
    """Write the parties and ``count`` tickets through the adapter; returns tickets per second."""
    from aftersales.adapters.postgres import open_postgres

    store = open_postgres(url)
    try:
        with store() as uow:
            for party in parties():
                repo = {Customer: uow.customers, Engineer: uow.engineers, Dealer: uow.dealers}[type(party)]
                repo.add(party)  # type: ignore[attr-defined]
            uow.commit()
        began = time.perf_counter()
        for start in range(0, count, 5000):
            tickets = [make_ticket(n) for n in range(start, min(count, start + 5000))]
            with store() as uow:
                for t in tickets:  # the unit each ticket is about
                    assert t.asset_id is not None
                    assert t.product_id is not None
                    uow.assets.add(Asset(t.asset_id, t.product_id, f"SN{t.id}", t.customer_id))
                uow.tickets.add_many(tickets)
                customers = uow.customers.find({t.customer_id for t in tickets})
                assets = uow.assets.find({t.asset_id or "" for t in tickets})
                dealers = uow.dealers.find({t.dealer_id for t in tickets if t.dealer_id})
                uow.search.put_many(
                    search_document(
                        t,
                        customers.get(t.customer_id),
                        assets.get(t.asset_id or ""),
                        dealers.get(t.dealer_id or ""),
                    )
                    for t in tickets
                )
                uow.commit()
        return count / (time.perf_counter() - began)
    finally:
        store.close()


class Trips:
    """Round trips of the connections handed to :meth:`trace`, from libpq's protocol trace."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - kept by the client
        self.on = False
        self.pids: set[int] = set()
        """The server processes of the connections seen (their CPU time is read from /proc)."""
        self.misses = {"changed": 0, "cold": 0}
        """Ticket reads the memo did not answer (counted by a desk client: ``_count_misses``)."""

    def trace(self, conn: Any) -> None:
        from psycopg.pq import Trace

        self.pids.add(conn.info.backend_pid)
        if self.on:
            conn.pgconn.trace(self.file.fileno())
            conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)

    def watch_store(self) -> Callable[[], None]:
        """Trace every connection the PostgreSQL store hands out from now on; returns the undo."""
        from aftersales.adapters.postgres import PostgresStore

        acquire, release = PostgresStore.acquire, PostgresStore.release

        def traced(store: PostgresStore) -> Any:
            conn = acquire(store)
            self.trace(conn)
            return conn

        def untraced(store: PostgresStore, conn: Any) -> None:
            conn.pgconn.untrace()
            release(store, conn)

        def undo() -> None:
            PostgresStore.acquire, PostgresStore.release = acquire, release  # type: ignore[method-assign]

        PostgresStore.acquire, PostgresStore.release = traced, untraced  # type: ignore[method-assign]
        return undo

    def count(self) -> tuple[int, int]:
        """Turns from frontend to backend messages since the last count, and statements the server
        answered (its ``CommandComplete`` messages)."""
        self.file.seek(0)
        trips, statements, last = 0, 0, ""
        for line in self.file.read().splitlines():
            side = line[:2]  # "F\t" or "B\t"; a query's text may go on over several lines
            trips += side == "B\t" and last == "F\t"
            statements += side == "B\t" and "\tCommandComplete\t" in line
            last = side if side in ("F\t", "B\t") else last
        self.file.seek(0)
        self.file.truncate()
        return trips, statements


def desk_client(
    url: str, ids: list[str], seed: int, trips: Trips, command: str = "note"
) -> Callable[[int], object]:
    from aftersales.service.desk import ServiceDesk

    trips.watch_store()
    _count_misses(trips)
    desk = ServiceDesk.open(url, pack="sanitary_ware")  # the wall clock, read inside each transaction
    rnd = random.Random(seed)
    if command == "dispatch":  # a reassignment: the assignee's columns and indexes move
        return lambda i: desk.dispatch(
            AGENT, rnd.choice(ids), engineer_id=f"E{rnd.randrange(ENGINEERS)}", reason="换人"
        )
    return lambda i: desk.note_to_customer(AGENT, rnd.choice(ids), text="工程师已出发")


def _count_misses(trips: Trips) -> None:
    """Count in ``trips.misses`` the ticket reads the memo did not answer: the row was written by
    another process since this one kept it (the server sent the document, the client parsed what was
    appended), or ``cold``: never kept (parsed whole)."""
    from aftersales.adapters import postgres_tickets

    load = postgres_tickets._load

    def counted(text: str, earlier: Any, *rest: Any) -> Any:
        trips.misses["cold" if earlier is None else "changed"] += 1
        return load(text, earlier, *rest)

    postgres_tickets._load = counted  # type: ignore[assignment]


def raw_client(
    url: str, ids: list[str], seed: int, trips: Trips, command: str = "note"
) -> Callable[[int], object]:
    import psycopg
    from psycopg.types.json import Jsonb

    conninfo, _, query = url.partition("?")
    options = dict(p.split("=", 1) for p in query.split("&"))
    settings = f"-c search_path={options.pop('schema')}"
    if "synchronous_commit" in options:  # the same durability as the store it is compared with
        settings += f" -c synchronous_commit={options.pop('synchronous_commit')}"
    for name in _STORE_OPTIONS:  # the store's own
        options.pop(name, None)
    # The rest is libpq's, as the store passes it on (host=/run/postgresql: the Unix socket).
    conn = psycopg.connect(conninfo, autocommit=False, options=settings, prepare_threshold=0, **options)
    trips.pids.add(conn.info.backend_pid)
    rnd = random.Random(seed)

    def command(i: int) -> object:
        trips.trace(conn)
        key = rnd.choice(ids)
        found = conn.execute("SELECT version, data FROM tickets WHERE id = %s FOR UPDATE", (key,)).fetchone()
        assert found is not None
        written = conn.execute(
            "UPDATE tickets SET version = %s, data = %s WHERE id = %s AND version = %s",
            (found[0] + 1, Jsonb(found[1]), key, found[0]),
        )
        assert written.rowcount == 1, f"raw: {key} moved under its lock"  # not counted as done
        conn.commit()
        conn.pgconn.untrace()
        return found

    return command


def server_cpu(pids: set[int]) -> float | None:
    """CPU seconds the server processes ``pids`` have used (``None``: the server is not on this host,
    or its /proc is not readable)."""
    ticks = 0
    try:
        for pid in pids:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def _client(
    kind: str,
    url: str,
    ids: list[str],
    seed: int,
    runs: int,
    per_run: int,
    go: Any,
    out: Any,
    name: str = "note",
) -> None:
    assert gc.isenabled()
    trips = Trips()
    make = desk_client if kind == "desk" else raw_client
    command = make(url, ids, seed, trips, name)
    for i in range(TRACED + 1):  # connect and prepare, then count round trips (untimed)
        trips.on = i > 0
        KEEP.append(command(-1 - i))
    counted = trips.count()
    per_command = (counted[0] / TRACED, counted[1] / TRACED)
    trips.on = False
    for r in range(runs):
        go.wait()
        latencies: list[float] = []
        server = server_cpu(trips.pids)
        missed = dict(trips.misses)
        began, cpu = time.perf_counter(), time.process_time()
        for i in range(per_run):
            t0 = time.perf_counter()
            KEEP.append(command(r * per_run + i))
            latencies.append(time.perf_counter() - t0)
        client = (time.process_time() - cpu) / per_run
        after = server_cpu(trips.pids)
        served = None if server is None or after is None else (after - server) / per_run
        misses = tuple((trips.misses[k] - missed[k]) / per_run for k in ("changed", "cold"))
        out.put((time.perf_counter() - began, latencies, per_command, client, served, misses))


class WaitSampler:
    """What the server processes of the measured clients are doing, sampled from
    ``pg_stat_activity`` every few milliseconds while they run (their ``application_name`` marks
    them): running on a CPU, waiting for a lock (``Lock:transactionid`` is a row another transaction
    holds, ``Lock:tuple`` the queue behind it; ``LWLock:*`` a shared-memory page or buffer), for
    I/O, or for their client (``Client:ClientRead``: idle in a transaction or between commands —
    the client's own time)."""

    def __init__(self, dsn: str, application: str, every: float = 0.01) -> None:
        import threading

        self._dsn, self._application, self._every = dsn, application, every
        self.samples: dict[str, int] = {}
        self.locks: dict[str, int] = {}
        """Locks the clients' server processes waited for (``pg_locks``, not granted), by lock type and
        table (or mode), counted per sample."""
        self.rounds = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> WaitSampler:
        """Sample until the block ends (samples add up over several blocks)."""
        import threading

        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        import psycopg

        sql = (
            "SELECT CASE WHEN state = 'active' AND wait_event IS NULL THEN 'CPU (running)'"
            " WHEN state = 'idle' THEN 'idle (between commands)'"
            " ELSE coalesce(wait_event_type || ':' || wait_event, state, 'starting') END"
            " FROM pg_stat_activity WHERE application_name = %s"
        )
        # Which lock a waiting process wants: a row (transactionid, tuple: the table), a relation, an
        # advisory lock (the number counter's gate, the migration's); none when nothing waits.
        locks = (
            "SELECT l.locktype || ':' || coalesce(l.relation::regclass::text, l.mode)"
            " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE NOT l.granted AND a.application_name = %s"
        )
        with psycopg.connect(self._dsn, autocommit=True) as conn:
            while not self._stop.wait(self._every):
                for (what,) in conn.execute(sql, (self._application,)):
                    self.samples[what] = self.samples.get(what, 0) + 1
                for (what,) in conn.execute(locks, (self._application,)):
                    self.locks[what] = self.locks.get(what, 0) + 1
                self.rounds += 1

    def summary(self, top: int = 5) -> str:
        total = sum(self.samples.values()) or 1
        found = sorted(self.samples.items(), key=lambda kv: -kv[1])[:top]
        waits = sorted(self.locks.items(), key=lambda kv: -kv[1])[:top]
        held = ", ".join(f"{what} {n / (self.rounds or 1):.2f}" for what, n in waits) or "none"
        return ", ".join(f"{what} {100 * n / total:.0f}%" for what, n in found) + (
            f"; locks waited for (pg_locks, not granted; processes per sample): {held}"
        )


@contextlib.contextmanager
def tree_path(tree: str | None) -> Iterator[None]:
    """Client processes started inside import ``aftersales`` from ``tree`` (a ``src`` directory):
    a spawned process takes its parent's ``sys.path``, so the entry this script's ``aftersales`` came
    from is swapped for ``tree`` while they start."""
    if tree is None:
        yield
        return
    import aftersales

    ours = os.path.dirname(os.path.dirname(os.path.abspath(aftersales.__file__)))
    saved = list(sys.path)
    sys.path[:] = [os.path.abspath(tree), *(p for p in saved if os.path.abspath(p or ".") != ours)]
    try:
        yield
    finally:
        sys.path[:] = saved


def _ceiling(client: float, server: float) -> str:
    """The commands per second this host's cores could run at most if the measured clients and their
    server processes had them all (client and server CPU per command, in seconds): on a 2-core host 8
    clients beat 1 only by the cores 1 client leaves idle while it waits for the server and back."""
    cores = os.cpu_count() or 1
    return f"{cores} cores' ceiling {cores / (client + server):,.0f} cmd/s"


def measure(
    kind: str,
    url: str,
    ids: list[str],
    clients: int,
    runs: int,
    per_run: int,
    sample: bool = False,
    command: str = "note",
    tree: str | None = None,
) -> str:
    ctx = multiprocessing.get_context("spawn")
    application = f"bench_{kind}_{uuid.uuid4().hex[:8]}"
    url = f"{url}&application_name={application}"
    dsn = libpq_dsn(url)
    go, out = ctx.Barrier(clients + 1), ctx.Queue()
    procs = [
        ctx.Process(
            target=_client, args=(kind, url, ids, 1000 * clients + c, runs, per_run, go, out, command)
        )
        for c in range(clients)
    ]
    with tree_path(tree):
        for p in procs:
            p.start()
    rates: list[float] = []
    latencies: list[float] = []
    trips: list[tuple[float, float]] = []
    cpu: list[float] = []
    server: list[float] = []
    misses: list[tuple[float, float]] = []
    # The sampler's queries take CPU from the measured clients on a small machine: only on request.
    sampler = WaitSampler(dsn, application) if sample else None
    for _ in range(runs):
        go.wait()
        began = time.perf_counter()
        with sampler if sampler is not None else contextlib.nullcontext():
            results = [out.get() for _ in procs]
        wall = time.perf_counter() - began
        rates.append(clients * per_run / wall)
        latencies += [lat for res in results for lat in res[1]]
        trips += [res[2] for res in results]
        cpu += [res[3] for res in results]
        server += [res[4] for res in results if res[4] is not None]
        misses += [res[5] for res in results]
    for p in procs:
        p.join()
    p50, p90, p99 = percentiles(latencies)
    label = f"ServiceDesk {command}" if kind == "desk" else "raw psycopg read+write+commit"
    if tree is not None:
        label += f" [{tree}]"
    round_trips = statistics.mean(t[0] for t in trips)
    statements = f", {statistics.mean(t[1] for t in trips):.1f} statements" if kind == "desk" else ""
    return (
        f"  {label:<30} {clients} client(s)  median {statistics.median(rates):>7,.0f} cmd/s "
        f"(runs {', '.join(f'{r:,.0f}' for r in rates)})  p50 {fmt(p50)}  p90 {fmt(p90)}  p99 {fmt(p99)}  "
        f"round trips {round_trips:.1f}{statements}/cmd, client CPU {fmt(statistics.median(cpu))}/cmd, "
        f"server CPU {fmt(statistics.median(server)) + '/cmd' if server else 'n/a'}"
        + (
            f", memo misses {100 * statistics.mean(m[0] for m in misses):.0f} % (row another process"
            f" wrote) + {100 * statistics.mean(m[1] for m in misses):.0f} % (never kept)"
            if kind == "desk"
            else ""
        )
        + (f", {_ceiling(statistics.median(cpu), statistics.median(server))}" if server else "")
        + (f"\n      server processes: {sampler.summary()}" if sampler is not None else "")
    )


def open_ticket_trips(url: str, count: int = 10) -> float:
    """Round trips of ``open_ticket`` on a registered unit (statements prepared first, untimed)."""
    from aftersales.service.desk import ServiceDesk

    trips = Trips()
    undo = trips.watch_store()
    desk = ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack="sanitary_ware")
    try:
        for n in range(2 * count):
            trips.on = n >= count
            desk.open_ticket(AGENT, customer_id=f"C{n}", description="漏水", asset_id=f"A{n}")
        return trips.count()[0] / count
    finally:
        desk.shutdown()
        undo()


def settle(url: str, ids: list[str]) -> str:
    """One untimed note on every live ticket, through the desk: the state a desk keeps its tickets in.

    ``make_ticket`` sets due times without the pack's calendar, so a ticket's first command derives them
    anew and rewrites its indexed columns (the due, the late gap): a 21-column update that is never HOT,
    a new entry in every ticket index. A desk's own tickets do not change them on a note, and on a run of
    ``--runs × --per-run`` commands over the live tickets most commands of the 1-client figure were such
    first touches (session 34). Measured here once, as a figure of its own."""
    from aftersales.service.desk import ServiceDesk

    desk = ServiceDesk.open(url, pack="sanitary_ware")
    try:
        began = time.perf_counter()
        for key in ids:
            KEEP.append(desk.note_to_customer(AGENT, key, text="已受理"))
        rate = len(ids) / (time.perf_counter() - began)
    finally:
        desk.shutdown()
    return (
        f"first note on each of the {len(ids):,} live tickets (its dues derived anew; one pass, 1 client,"
        f" not in the figures below): {rate:,.0f}/s"
    )


class Hot:
    """The share of the tickets table's updates since it was made that PostgreSQL made HOT (no new
    entry in any ticket index: the page had room and no indexed column changed), from
    ``pg_stat_user_tables`` (its counters lag by up to a second: a few commands of the last run may be
    missing)."""

    def __init__(self, dsn: str, schema: str) -> None:
        self._dsn, self._schema = dsn, schema
        self._start = self._read()

    def _read(self) -> tuple[int, int]:
        import psycopg

        time.sleep(1.1)  # the server publishes a backend's counters at most once a second
        sql = (
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
            " WHERE schemaname = %s AND relname = 'tickets'"
        )
        with psycopg.connect(self._dsn, autocommit=True) as conn:
            found = conn.execute(sql, (self._schema,)).fetchone()
        return (0, 0) if found is None else (int(found[0]), int(found[1]))

    def since(self) -> str:
        updates, hot = (now - then for now, then in zip(self._read(), self._start, strict=True))
        return (
            f"HOT {100 * hot / updates:.0f}% of {updates:,} ticket updates"
            if updates
            else "no ticket update seen"
        )


def events_total(url: str, ids: list[str]) -> int:
    from aftersales.adapters.postgres import open_postgres

    store = open_postgres(url)
    try:
        with store() as uow:
            return sum(len(uow.tickets.get(i).events) for i in ids)
    finally:
        store.close()


def versions_total(dsn: str, schema: str, ids: list[str]) -> int:
    """The sum of the stored versions of the tickets ``ids``: every committed write of either kind
    (the desk's and the raw baseline's) moves it by one, so a write lost to another leaves it short."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        sql = f'SELECT sum(version) FROM "{schema}".tickets WHERE id = ANY(%s)'
        found = conn.execute(sql, (ids,)).fetchone()
    return int(found[0]) if found is not None and found[0] is not None else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=20_000, help="tickets in the store (default 20,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument(
        "--per-run", type=int, default=1000, help="commands per client per run (default 1000)"
    )
    parser.add_argument("--url-options", default="", help="extra store options, e.g. pool_max=4")
    parser.add_argument(
        "--commit-modes",
        default="default,off",
        help="synchronous_commit of the store (and the raw baseline) per pass: 'default' is the server's,"
        " any other value is passed as ?synchronous_commit=… (default: default,off)",
    )
    parser.add_argument(
        "--wait-sample",
        action="store_true",
        help="also sample pg_stat_activity every 10 ms in the runs (costs the clients CPU; off by default)",
    )
    parser.add_argument(
        "--command", choices=("note", "dispatch"), default="note", help="the desk's command (default note)"
    )
    parser.add_argument(
        "--trees", default="", help="source trees (src directories) to compare, comma-separated, alternated"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternations of --trees (default 3)")
    args = parser.parse_args()
    trees: list[str | None] = [t for t in args.trees.split(",") if t] or [None]
    rounds = args.rounds if args.trees else 1
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        print("PostgreSQL: set AFTERSALES_PG_DSN to measure it")
        return
    import psycopg

    admin = libpq_dsn(dsn)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url = f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"
    if args.url_options:
        url += "&" + args.url_options
    try:
        rate = build(url, args.tickets)
        ids = open_ids(args.tickets)
        with psycopg.connect(admin, autocommit=True) as conn:
            names = ["fsync", "synchronous_commit", "server_version"]
            sql = "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)"
            settings = dict(conn.execute(sql, (names,)).fetchall())
        print(f"PostgreSQL {settings['server_version']} (fsync={settings['fsync']}, synchronous_commit="
              f"{settings['synchronous_commit']}; store options: {args.url_options or 'none'}), "
              f"{args.tickets:,} tickets written through the adapter at {rate:,.0f}/s, {len(ids):,} live; "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print(f"  open_ticket on a registered unit: {open_ticket_trips(url):.1f} round trips", flush=True)
        print(f"  {settle(url, ids)}", flush=True)
        before = events_total(url, ids)
        versions = versions_total(admin, schema, ids)
        committed = raw_committed = 0
        for mode in args.commit_modes.split(","):
            moded = url if mode == "default" else f"{url}&synchronous_commit={mode}"
            print(f" synchronous_commit: {mode if mode != 'default' else settings['synchronous_commit']}"
                  f"{' (the server default)' if mode == 'default' else ' (store option)'}")  # fmt: skip
            for clients, target in ((1, 1500), (8, 6000)):
                medians: dict[str | None, list[float]] = {tree: [] for tree in trees}
                for turn in range(rounds):  # the trees alternated, each starting a round in its turn
                    for tree in trees if turn % 2 == 0 else trees[::-1]:
                        hot = Hot(admin, schema)
                        line = measure(
                            "desk", moded, ids, clients, args.runs, args.per_run, args.wait_sample,
                            args.command, tree,
                        )  # fmt: skip
                        committed += clients * (args.runs * args.per_run + TRACED + 1)  # + the untimed
                        median = float(line.split("median")[1].split("cmd/s")[0].replace(",", ""))
                        medians[tree].append(median)
                        print(
                            f"{line}, {hot.since()}  target ≥ {target:,}/s: {verdict(median >= target)}",
                            flush=True,
                        )
                if args.trees:
                    print("  medians by tree, round by round: " + "; ".join(
                        f"{tree}: {', '.join(f'{m:,.0f}' for m in found)}" for tree, found in medians.items()
                    ), flush=True)  # fmt: skip
                raw = measure("raw", moded, ids, clients, args.runs, args.per_run, args.wait_sample)
                raw_committed += clients * (args.runs * args.per_run + TRACED + 1)
                print(raw, flush=True)
        after = events_total(url, ids)
        moved = versions_total(admin, schema, ids) - versions
        lost = (before + committed - after) + (committed + raw_committed - moved)
        print(f"  lost updates: {lost} (desk: events appended {after - before:,} for {committed:,} commands"
              f" committed; desk and raw: versions moved {moved:,} for {committed + raw_committed:,}"
              f" writes committed); load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
