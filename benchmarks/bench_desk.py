# mypy: disable-error-code="arg-type"
"""Service-desk benchmark: one full command through ``ServiceDesk`` on SQLite, and one rendered notification.

Targets (issue 8): a full command (load, permission, transition, policies, save, outbox, commit) ≤ 300 µs;
rendering one notification ≤ 20 µs. The baseline, measured in the same run on the same disk, is plain
``sqlite3`` reading and writing one JSON row of the same ticket per transaction (WAL, synchronous=NORMAL,
like the adapter). Each command figure is the median of 5 runs of 2,000 commands with p50/p90/p99 of the
single commands, on tickets in random order among thousands of live ones, GC on and results kept; the
same commands are measured again with ``?ticket_cache=0`` (every load parses the stored JSON). The
periodic jobs run once before measuring, as on a desk in service: the store is stamped by its first SLA
sweep, and stamped stores check the stamp on every command that moves due times.

Issue 21: the same commands on the memory store (``memory://``), where no disk and no SQL cost: what is
left is the service layer (arguments, runner, permissions, the step, policies, SLA, hooks, notifications)
plus the memory store's copy of the ticket (since session 33 it makes a ticket's JSON text only when read).
Its same-run baseline is a JSON round trip of the ticket in plain Python (parse one stored ticket text,
bump its version, write it back): what a store keeping text would do beside the desk.

Also printed for SQLite (issue 21, session 6): statements and WAL pages written per command, counted on
1,000 live tickets with automatic checkpoints off while counting (a checkpoint empties the WAL). They
are counts, not times: they compare across runs on a machine too loaded for timings to (each page is
two ``pwrite`` calls at commit). Each row of an ``executemany`` counts (a note's share of the FTS batch).
Also printed for every command row (issue 21, session 7): the process CPU time per command and, of it,
the garbage collector's share (timed by a ``gc.callbacks`` hook over the same runs), the figures to
compare on a machine shared with other work, where wall-clock rates move with the load.
Run: ``python benchmarks/bench_desk.py [--n 2000] [--rounds 5]`` (about 2-4 minutes on a quiet machine).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
from scale_file import Runs, percentiles

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.i18n.notifications import default_renderer
from aftersales.serialization import dumps
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
COMMAND_TARGET_US = 300.0
SECOND = timedelta(seconds=1)
RENDER_TARGET_US = 20.0


def _per_call_us(fn: Callable[[int], object], n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - start) / n * 1e6


def _desk(url: str, clock: ManualClock) -> ServiceDesk:
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=clock)
    dealer = Dealer(
        DealerId("dealer-sh"),
        "浦东特约承销商",
        "SH",
        frozenset({"SH"}),
        Contact("陈店长", phone="13900000001"),
    )
    desk.register_dealer(MANAGER, dealer)
    for i in range(20):
        contact = Contact(f"客户{i}", email=f"c{i}@example.cn", locale="zh_Hans" if i % 2 else "en")
        desk.register_customer(
            MANAGER, Customer(CustomerId(f"c{i}"), f"客户{i}", contact, region="SH", dealer_id=dealer.id)
        )
    return desk


def _open(desk: ServiceDesk, clock: ManualClock, n: int) -> list[str]:
    ids: list[str] = []
    for i in range(n):
        clock.advance(timedelta(seconds=1))
        ids.append(desk.open_ticket(AGENT, customer_id=f"c{i % 20}", description="马桶漏水").ticket.id)
    return ids


def _baseline(path: Path, ticket_json: str, n: int, rounds: int) -> Runs:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL)")
    conn.executemany("INSERT INTO t VALUES (?, 0, ?)", [(f"T{i}", ticket_json) for i in range(500)])

    def one(i: int) -> None:
        key = f"T{i % 500}"
        conn.execute("BEGIN IMMEDIATE")
        version, data = conn.execute("SELECT version, data FROM t WHERE id = ?", (key,)).fetchone()
        doc = json.loads(data)
        doc["version"] = version + 1
        conn.execute(
            "UPDATE t SET version = ?, data = ? WHERE id = ? AND version = ?",
            (version + 1, json.dumps(doc, ensure_ascii=False), key, version),
        )
        conn.execute("COMMIT")

    result = Runs().measure(rounds, n, one)
    conn.close()
    return result


def _memory_baseline(ticket_json: str, n: int, rounds: int) -> Runs:
    """The memory store's bare work per command in plain Python: read one stored JSON ticket text,
    parse it, bump its version and write the text back (what ``memory://`` does beside the desk)."""
    rows = {f"T{i}": (0, ticket_json) for i in range(500)}

    def one(i: int) -> None:
        key = f"T{i % 500}"
        version, data = rows[key]
        doc = orjson.loads(data)  # the store's own codec, so the baseline is not slowed by json
        doc["version"] = version + 1
        rows[key] = (version + 1, orjson.dumps(doc).decode())

    return Runs().measure(rounds, n, one)


class _GcClock:
    """The CPU time the garbage collector spent, summed over its collections while installed (the
    thread's CPU clock, not the wall clock: a collection the scheduler interrupts costs its CPU only)."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._began = 0.0

    def __enter__(self) -> _GcClock:
        gc.callbacks.append(self._tick)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._tick)

    def _tick(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.thread_time()
        else:
            self.spent += time.thread_time() - self._began


COSTS: dict[tuple[str, str], tuple[float, float]] = {}
"""(url kind, command) → (CPU µs per command, GC µs per command), over all the runs of that figure."""


def _commands(url: str, n: int, rounds: int) -> tuple[dict[str, Runs], str]:
    """Per-command figures on a fresh database at ``url``, and one ticket's JSON (for the baseline).

    ``rounds`` runs of ``n`` commands each, on tickets taken in random order from 3,000 live ones (not
    the ticket just written), the garbage collector on and every result kept: the median run and the
    p50/p90/p99 of single commands are printed, not the best round.
    """
    clock = ManualClock(START)
    desk = _desk(url, clock)
    rnd = random.Random(7)
    live = _open(desk, clock, max(3000, n * rounds))
    # A running desk runs its jobs every few minutes, and the first SLA sweep stamps the store: from then
    # on every command that moves due times checks the stamp (session 30: unstamped, that cost was unseen).
    desk.run_due_jobs()
    figures: dict[str, Runs] = {}
    for name, fn in _command_kinds(desk, clock, live, rnd):
        cpu = time.process_time()
        with _GcClock() as collector:
            figures[name] = Runs().measure(rounds, n, fn)
        cpu = time.process_time() - cpu
        COSTS[(url, name)] = (cpu / (rounds * n) * 1e6, collector.spent / (rounds * n) * 1e6)
    with desk.store() as uow:
        ticket_json = dumps(uow.tickets.get(live[0]))
    desk.shutdown()
    return figures, ticket_json


def _command_kinds(
    desk: ServiceDesk, clock: ManualClock, live: list[str], rnd: random.Random
) -> list[tuple[str, Callable[[int], object]]]:
    """The measured commands: the i-th triage and dispatch take the i-th of ``live`` in random order,
    a note goes to any live ticket."""
    fresh = list(live)
    rnd.shuffle(fresh)

    # Each command a second after the last, as commands come in real life (a frozen clock would
    # also pile every outbox row onto one timestamp, an index pattern no desk produces).
    def triage(i: int) -> object:
        clock.advance(SECOND)
        return desk.triage(AGENT, fresh[i], nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)

    def dispatch(i: int) -> object:
        clock.advance(SECOND)
        return desk.dispatch(AGENT, fresh[i], dealer_id="dealer-sh")

    def note(i: int) -> object:
        clock.advance(SECOND)
        return desk.note_to_customer(AGENT, rnd.choice(live), text="工程师已出发")

    return [
        ("triage (priority policy)", triage),
        ("dispatch (to the dealer)", dispatch),
        ("note_to_customer", note),
    ]


def _sqlite_counts(path: Path, n: int) -> dict[str, tuple[float, float]]:
    """Statements and WAL pages per command on a fresh SQLite file of 1,000 live tickets (``n`` of each
    command). Checkpoints are off while counting, so the WAL's growth is every page the commands wrote."""
    clock = ManualClock(START)
    desk = _desk(f"sqlite:///{path}", clock)
    live = _open(desk, clock, max(1000, n))
    store = desk.store
    assert isinstance(store, SqliteStore)
    statements = [0]
    last = [""]

    def count(sql: str) -> None:
        # A trigger's or FTS5's own statements are traced as comments; a RETURNING clause's program
        # start repeats its statement's text.
        if not sql.startswith("--") and sql != last[0]:
            statements[0] += 1
            last[0] = sql

    conns = store._all  # every connection the store made (private: a benchmark may look)
    known = len(conns)
    page = conns[0].execute("PRAGMA page_size").fetchone()[0]
    for conn in conns:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.set_trace_callback(count)
    wal = Path(f"{path}-wal")
    counts: dict[str, tuple[float, float]] = {}
    for name, fn in _command_kinds(desk, clock, live, random.Random(7)):
        conns[0].execute("PRAGMA wal_checkpoint(TRUNCATE)")
        statements[0] = 0
        before = wal.stat().st_size
        for i in range(n):
            fn(i)
        pages = (wal.stat().st_size - before) / (page + 24)  # a WAL frame: a page and its header
        counts[name] = (statements[0] / n, pages / n)
        if len(conns) != known:
            raise RuntimeError("a connection made while counting was not traced")
    desk.shutdown()
    return counts


def _cost(url: str, name: str) -> str:
    cpu, collecting = COSTS[(url, name)]
    return f"  CPU {cpu:4.0f} µs/cmd, GC {collecting:3.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="commands per round (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="runs per figure (median; default 5)")
    args = parser.parse_args()
    n, rounds = args.n, args.rounds
    with tempfile.TemporaryDirectory() as tmp:
        cached_url = f"sqlite:///{tmp}/desk.db"
        figures, ticket_json = _commands(cached_url, n, rounds)
        # The same commands with no parsed tickets kept: every load parses the stored JSON.
        uncached_url = f"sqlite:///{tmp}/uncached.db?ticket_cache=0"
        uncached, _ = _commands(uncached_url, n, rounds)
        baseline_runs = _baseline(Path(tmp) / "baseline.db", ticket_json, n, rounds)
        counts = _sqlite_counts(Path(tmp) / "counted.db", min(n, 1000))
    # Issue 21: no disk, no SQL — the service layer's own cost per command.
    in_memory, _ = _commands("memory://", n, rounds)
    memory_baseline = _memory_baseline(ticket_json, n, rounds)

    print(baseline_runs.line("plain sqlite3 read+write of one JSON ticket row", "op/s") + "  (baseline)")
    baseline = percentiles(baseline_runs.latencies)[0] * 1e6
    for name, runs in figures.items():
        p50 = percentiles(runs.latencies)[0] * 1e6
        verdict = "ok" if p50 <= COMMAND_TARGET_US else "OVER TARGET"
        print(runs.line(f"desk {name}", "cmd/s") + f"  p50 {p50 / baseline:5.1f}× baseline  "
              f"target ≤ {COMMAND_TARGET_US:.0f} µs: {verdict}" + _cost(cached_url, name))  # fmt: skip
    for name, runs in uncached.items():
        print(runs.line(f"  ticket_cache=0: {name}", "cmd/s") + _cost(uncached_url, name))
    for name, (statements, pages) in counts.items():
        print(f"  counted: {name:30s} {statements:5.2f} statements, {pages:5.2f} WAL pages per command")
    print(memory_baseline.line("plain Python JSON read+write of one ticket", "op/s") + "  (memory baseline)")
    memory_p50 = percentiles(memory_baseline.latencies)[0] * 1e6
    for name, runs in in_memory.items():
        p50 = percentiles(runs.latencies)[0] * 1e6
        print(
            runs.line(f"memory:// {name}", "cmd/s")
            + f"  p50 {p50 / memory_p50:5.1f}× memory baseline"
            + _cost("memory://", name)
        )

    renderer = default_renderer()
    values = {
        "ticket_id": "SR-2026-000001",
        "received_at": START,
        "response_due_at": START + timedelta(hours=4),
    }
    for locale, tz in (("zh_Hans", "Asia/Shanghai"), ("en", "Europe/London")):
        renderer.render("ticket_received", locale, tz, values)  # warm the locale's state
        reps = 20_000

        def one(i: int, locale: str = locale, tz: str = tz) -> object:
            return renderer.render("ticket_received", locale, tz, values)

        us = _per_call_us(one, reps)
        fmt_us = _per_call_us(
            lambda i: "{a} {b}".format(a=values["ticket_id"], b=values["received_at"]), reps
        )
        verdict = "ok" if us <= RENDER_TARGET_US else "OVER TARGET"
        print(
            f"render ticket_received [{locale:7s}]           {us:8.1f} µs  {us / fmt_us:5.1f}× str.format  "
            f"target ≤ {RENDER_TARGET_US:.0f} µs  {verdict}"
        )


if __name__ == "__main__":
    main()
