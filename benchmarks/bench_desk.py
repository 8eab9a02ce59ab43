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

Issue 21, session 35: ``--scale N`` (N ≤ 100,000) runs the same commands on a file of N live tickets
written the way users write them instead: tickets opened through the desk (``open_ticket`` on a memory
desk: due times derived by the pack at intake, as on any desk), then moved into SQLite in batches of
10,000 by ``desk.import_tickets`` (search rows, report rows, sweep tables as an import writes them), the
periodic jobs run once. N opens at 4 ms each is too long for a benchmark, so 1,000 are opened and
each is copied under its own id (a copy keeps its template's received instant and due times). The file
is built once in ``$AFTERSALES_BENCH_DIR`` and copied for each run (commands change it). No ticket is
freshly cached: a first note goes to a ticket no command touched since the import, each triage to
another such ticket, each dispatch to the ticket triaged ``n × rounds`` commands before, and a second
note to each first-noted ticket again, ``2 × n × rounds`` commands after its first (out of the 2,048
kept tickets and the SLA memos): an imported ticket's first command against a settled one's.
The baseline is plain ``sqlite3`` over a table of N JSON rows (one random row read and written per
transaction). Prints median and p50/p90/p99 per figure, CPU and GC per command.
Run: ``python benchmarks/bench_desk.py --scale 100000 [--n 1000] [--rounds 3]`` (the first run builds the
file, 1-2 minutes; later runs about a minute).

Measured (session 35, 100k, n 1,000 × 3 rounds, load ~20 on 2 cores; four runs): plain ``sqlite3`` p50
35 µs; CPU per command, first note 978-1126 µs (p50 638-846 µs), triage 800-952, dispatch 817-1074,
second note on the same tickets 1017-1160 (p50 644-798): an imported ticket's first command costs what
a settled one's does. On ``scale_file``'s 100k file (the ``sqlite_ab.py --scale`` figures) a first note
cost 2,038 µs of CPU against 1,048 for a second one: that file is written by ``add_many`` with hand-set
due times, not the pack's, and no search rows, so every first command re-derives the dues (three ledger
indexes, the sweep table, the reporting row, the calendar stamp read) and inserts the ticket's search
row and FTS words. Phases (``sqlite_command_cost``'s, first vs second note, CPU µs medians): that file
statements 279 / 184, commit 140 / 73, adapter 586 / 331, service ≈1,020 / ≈440; this one 166 / 157,
75 / 67, 251 / 290, ≈400 / ≈310.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
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
from aftersales.domain.ticket import Ticket
from aftersales.i18n.notifications import default_renderer
from aftersales.serialization import dumps, structure, unstructure
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


def _baseline(path: Path, ticket_json: str, n: int, rounds: int, rows: int = 500) -> Runs:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL)")
    conn.executemany("INSERT INTO t VALUES (?, 0, ?)", [(f"T{i}", ticket_json) for i in range(rows)])
    keys = [f"T{i}" for i in range(rows)]
    random.Random(3).shuffle(keys)

    def one(i: int) -> None:
        key = keys[i % rows]
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


def _sqlite_counts(path: Path, n: int, start: datetime = START) -> dict[str, tuple[float, float]]:
    """Statements and WAL pages per command on a fresh SQLite file of 1,000 live tickets (``n`` of each
    command), the clock from ``start``. Checkpoints are off while counting, so the WAL's growth is every
    page the commands wrote."""
    clock = ManualClock(start)
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


SCALE_GENERATOR = 1
"""The version of :func:`_imported_file`'s files: one written by another is built again."""
TEMPLATES = 1000
"""Tickets opened through the desk for a scale file; the rest are copies of them under their own ids."""


def _imported_file(count: int) -> tuple[Path, datetime]:
    """The file of ``count`` live tickets written as users write them (see the module's docstring),
    built once; and the instant after its last write."""
    from scale_file import data_dir

    from aftersales.domain.ids import TicketId

    path = data_dir() / f"desk-imported-{count}.db"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        if info.get("generator") == SCALE_GENERATOR:
            return path, datetime.fromisoformat(info["after"])
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    print(f"  building {path}: {count:,} tickets opened through the desk, imported — once", flush=True)
    clock = ManualClock(START)
    source = _desk("memory://", clock)
    opened = _open(source, clock, min(count, TEMPLATES))
    with source.store() as uow:
        templates = [unstructure(uow.tickets.get(id)) for id in opened]
    source.shutdown()

    def tickets() -> Iterator[Ticket]:
        for n in range(count):
            ticket = structure(templates[n % len(templates)], Ticket)
            ticket.id = TicketId(f"SR-2026-{n + 1:06d}")
            yield ticket

    clock.advance(timedelta(minutes=1))
    desk = _desk(f"sqlite:///{path}", clock)
    desk.import_tickets(MANAGER, tickets(), batch_size=10_000)
    desk.run_due_jobs()  # the first sweep stamps the store; the late-after back-fill reads the import
    desk.shutdown()
    after = clock.now() + timedelta(minutes=1)
    meta.write_text(json.dumps({"tickets": count, "generator": SCALE_GENERATOR, "after": after.isoformat()}))
    return path, after


def _scale_commands(count: int, n: int, rounds: int) -> None:
    """``rounds`` runs of ``n`` of each command on a copy of the ``count``-ticket imported file (see the
    module's docstring), and the plain ``sqlite3`` baseline over ``count`` rows, printed side by side."""
    built, after = _imported_file(count)
    figures: dict[str, Runs] = {}
    with tempfile.TemporaryDirectory(dir=built.parent) as tmp:
        path = Path(tmp) / "scale.db"
        shutil.copy(built, path)
        clock = ManualClock(after)
        desk = _desk_on(f"sqlite:///{path}", clock)
        with sqlite3.connect(path) as conn:
            live = [row[0] for row in conn.execute("SELECT id FROM tickets WHERE is_open = 1")]
        rnd = random.Random(11)
        fresh = rnd.sample(live, min(len(live), n * rounds * 2))
        untouched, touched = fresh[: n * rounds], fresh[n * rounds :]
        again = rnd.sample(touched, len(touched))  # each noted ticket once more, in another order

        def first_note(i: int) -> object:
            clock.advance(SECOND)
            return desk.note_to_customer(AGENT, touched[i], text="工程师已出发")

        def triage(i: int) -> object:
            clock.advance(SECOND)
            ticket = untouched[i]
            return desk.triage(AGENT, ticket, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)

        def dispatch(i: int) -> object:
            clock.advance(SECOND)
            return desk.dispatch(AGENT, untouched[i], dealer_id="dealer-sh")

        def later_note(i: int) -> object:
            clock.advance(SECOND)
            return desk.note_to_customer(AGENT, again[i], text="工程师已出发")

        # The later note comes 2 × n × rounds commands after the first one on the same ticket: out of
        # the kept tickets (2,048) and the SLA memos, as a settled ticket of a large desk is.
        kinds = (
            ("note, first command", first_note),
            ("triage (first command)", triage),
            ("dispatch (second command)", dispatch),
            ("note, second (settled)", later_note),
        )
        url = f"scale{count}"
        for name, fn in kinds:
            cpu = time.process_time()
            with _GcClock() as collector:
                figures[name] = Runs().measure(rounds, n, fn)
            cpu = time.process_time() - cpu
            COSTS[(url, name)] = (cpu / (rounds * n) * 1e6, collector.spent / (rounds * n) * 1e6)
        with desk.store() as uow:
            ticket_json = dumps(uow.tickets.get(live[0]))
        desk.shutdown()
        baseline_runs = _baseline(Path(tmp) / "baseline.db", ticket_json, n, rounds, rows=count)
    print(
        baseline_runs.line(f"plain sqlite3, one of {count:,} JSON rows", "op/s") + "  (baseline)", flush=True
    )
    baseline = percentiles(baseline_runs.latencies)[0] * 1e6
    for name, runs in figures.items():
        p50 = percentiles(runs.latencies)[0] * 1e6
        label = f"@{count // 1000}k {name}"
        print(runs.line(label, "cmd/s") + f"  p50 {p50 / baseline:5.1f}× baseline" + _cost(url, name))


def _desk_on(url: str, clock: ManualClock) -> ServiceDesk:
    """A desk on an existing scale file (its parties are registered already)."""
    return ServiceDesk.open(url, pack="sanitary_ware", clock=clock)


def _cost(url: str, name: str) -> str:
    cpu, collecting = COSTS[(url, name)]
    return f"  CPU {cpu:4.0f} µs/cmd, GC {collecting:3.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="commands per round (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="runs per figure (median; default 5)")
    parser.add_argument("--scale", type=int, default=0, help="commands on N imported live tickets instead")
    args = parser.parse_args()
    n, rounds = args.n, args.rounds
    if args.scale:
        if not 0 < args.scale <= 100_000:
            parser.error("--scale is 1 to 100,000 (a larger file takes too long on a shared machine)")
        if args.scale < 2 * n * rounds:
            parser.error("--scale needs at least 2 × n × rounds live tickets (each is touched once a kind)")
        _scale_commands(args.scale, n, rounds)
        return
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
