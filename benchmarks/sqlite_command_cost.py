# mypy: disable-error-code="arg-type,method-assign"
"""Where a ServiceDesk command's SQLite time goes: each statement, the adapter's Python parts, the commit.

Issue 21 (session 30): a command on SQLite cost 300-520 µs more than the same command on the memory
store, and ``bench_desk`` gives one figure per command. This splits it: every statement the unit of
work runs (by shape, literals folded: ``?``), ``BEGIN IMMEDIATE`` with taking a pooled connection,
``COMMIT`` (the WAL write of every dirtied page, then the kept-ticket confirmation) and the adapter's own
Python work (reading the ticket, serialising the state row and the new events, the reporting row, the
outbox insert, the search upkeep). Each part's time is exclusive (a part called inside another counts
for itself only) and is the median over the commands of a kind, on wall-clock and on the thread's CPU
clock (the figure to compare on a machine shared with other work), over the commands that ran it
("per cmd": how many of them did, and how often). Pages per command: ``wal_pages.py``.

Run: ``python benchmarks/sqlite_command_cost.py [--live 3000] [--n 1500]``. Wrapping costs about a
microsecond per wrapped call, so the parts add up to a little more than the command alone.

Measured (session 30, 3,000 live tickets, 2 cores shared with seven other developers, load 4-19, so
read the shares more than the µs): what SQLite adds to a command, triage / dispatch / note, is about
330 / 440 / 380 µs of wall time, in three near-equal thirds:

- statements, 5-6 per command besides ``BEGIN``/``COMMIT`` (each shape once: the ticket's joined read,
  the event-log append, the ticket row's update of the changed columns, the reporting row's update of
  the changed facts, one multi-row outbox insert, a note's search text): 107 / 157 / 127 µs. The read
  is the largest (50-90 µs with the parties, search row and calendar stamp joined; 20 µs CPU alone on a
  quiet connection, 5 µs of it the events' subquery on a memo miss), then the ticket update (40-65 µs:
  its changed indexes and the four sweep-table triggers, which cost ~3 µs CPU of it), the outbox insert
  (25-45 µs), the reporting update (10-28 µs) and the event-log append (10-16 µs);
- ``BEGIN IMMEDIATE`` (12 µs: locks) and ``COMMIT`` (73-110 µs): the commit's cost follows the WAL pages
  it writes, 13.6 / 20.5 / 11.9 per command (``wal_pages.py``), about 5 µs a page here (two ``pwrite``
  calls each). The pages are at this schema's floor: the ticket leaf, two leaves per index whose key
  changed (state and urgency on a triage; due, state, assignee twice, dispatched dealer on a dispatch),
  the reporting row, the sweep table's row (its ``version`` changes on every save: the sweep's quiet
  memo needs it), the event-log leaf, three outbox B-trees (the rows, the id key, the due index) and
  page 1 whenever a table grows by a page (0.4-0.7);
- the adapter's Python: 130-150 µs, of which the state row and new events serialised 32-40, reading the
  ticket (memo, derived columns, parties primed) ~30, the save's own work ~22, the reporting row
  computed 16-26 (10 µs CPU alone) and compared ~10, the outbox rows encoded 13-22, the unit of work's
  repositories made (~6 µs CPU per command).

No single part dominates: a 200 µs command needs the service layer's CPU cut (the memory store's
commands cost 146-214 µs) as much as the adapter's. What is written twice and left for a later step:
``tickets_due`` holds the same (due_key, id) keys as ``sla_due`` and ``tickets_resolved_open`` the same
(received_us, id) keys as ``sla_resolved`` (a dispatch writes ~2.5 pages for ``tickets_due``); the ledger's
due pages and breached filter read ``tickets_due`` (plan-tested on both SQL stores), so dropping it means
reading them through ``sla_due`` joined to ``tickets`` once the sweep tables are filled. Done in session
33 (schema step 33, ``adapters/sla_sweep_ledger.py``; ``wal_pages.py`` has the pages).

Session 31 (load 7-15, parts compared old/new alternately): the read joins the search row's position
only (covered by its ``ticket_id`` index; the SELECT 28-35 -> 27-31 µs, 35-54 -> 28-30 µs in isolation)
and makes no repository for what it joins in (6/6/5 -> 4/5/4 made per command; the read's Python
29-34 -> 25-28 µs). Tried and left, for the next session: the outbox as a ``WITHOUT ROWID`` table keyed
by id (no id index to write) wrote more pages, not fewer (13.0 / 20.9 / 12.0 -> 13.0 / 22.4 / 12.8:
an index B-tree's leaves of ~560-byte rows split far more often, outbox leaves 1.9 -> 4.3 a dispatch);
changed columns found with ``itertools.compress(map(operator.ne, …))`` are no faster than the generator
on CPython 3.11; reusing one cursor saves ~0.4 µs a statement. The garbage collector costs more than any
of these (bench_desk: 20-25 / 65-85 / 75-100 µs of CPU a command on average, mostly collections over
the kept tickets whose objects each save replaces), which no p50 shows.

Session 34, ``--phases`` (load 13-19 on 2 cores: read the shares, and the CPU column): per command,
triage / dispatch / note, CPU µs (medians): statements 151 / 216 / 186, ``BEGIN`` 16 / 18 / 17, ``COMMIT``
92 / 122 / 89, the adapter's own Python 246 / 325 / 281, the service layer 340 / 633 / 452. The adapter's
Python is SQLite's largest part, spread over ten functions, none above a fifth of it: serialising the
state row and new events, the ticket's read (its own lines include fetching the joined row, which steps
the statement to its end), the reporting row computed and compared, the save's bookkeeping, the outbox
rows, the memo. Timed alone on a warm 8-event ticket with the thread's CPU clock (``timeit``) they are
small: the reporting row 7-8 µs, the state row and the new event 8-9 µs (its datetime texts are memo
hits but for the command's new instants, 1-3 a command: not the 17 µs a session-30 profile gave them),
the ledger columns 0.9, the joined read 10 (``LIMIT 1``, to skip the step after the row: no gain), a
ticket's copy 3.7; in a command they cost 3-5 times that (cold caches after the service layer's work).
What would cut it is fewer objects and fewer statements per command (report columns in ``tickets``; left).

Session 35 (load 11-23): the reporting row's ``UPDATE`` is 10.5 / 11.8 / 10.1 µs of CPU (a note runs it
on its first answer to the customer, 62-86 % of the notes), and skipping it altogether saves a
command's SQLite part 15 / 24 / 12 µs (medians of six runs, triage / dispatch / note) and 1.07 / 1.21 /
0.62 WAL pages (``sqlite_ab.py --variant report``, old and new alternating in one process): ≈17 µs a
command on average, under the 25 µs that would pay for moving ≈45 report columns into ``tickets`` on
this benchmark (a dispatch at the line); 27-45 µs on notes over a 100k-ticket file. Checked and left as they
are: the statement cache (``cached_statements=512``) missed 11 times in 32,708 statements of 4,500
commands (234 distinct texts over two connections; even the default 128 would hold them), and
``BEGIN IMMEDIATE`` costs nothing over a deferred ``BEGIN``: plain ``sqlite3``, a read-then-write
transaction, ``BEGIN`` 4.7 vs 1.4 µs of CPU but the whole transaction 19.0 vs 19.0 µs (the deferred one
takes the same locks at its first read and write, and could fail on upgrade where IMMEDIATE waits).

Session 38 (``--live 1000 --n 600``, load 2 at the start; CPU µs medians, triage / dispatch / note):
``--phases`` statements 63 / 91 / 85, ``BEGIN`` 8 / 10 / 11, ``COMMIT`` 53 / 69 / 52, the adapter's
Python 116 / 148 / 138, the service layer 133 / 263 / 190. By part: ``COMMIT`` 59 / 81 / 60, the state
row and new event serialised 28 / 36 / 31, the save's bookkeeping 26 / 32 / 26, the read 21 / 26 / 23
(its ``SELECT`` 18 / 23 / 19), the reporting row computed 18 / 26 / 23 and compared 13 / 16 / 13 (its
``UPDATE`` 10 / 14 / 11), the outbox rows encoded 13 / 24 / 18 and inserted 11 / 27 / 20, the ticket's
``UPDATE`` 25 / 37 / 18. Made: a dispatch to the ticket's own dealer no longer writes a
``tickets_dispatched_dealer`` entry (``row_values``: 17.30 -> 16.08 WAL pages a dispatch). Why a
note runs 9.45 statements to a triage's 7 (1,000 notes on 1,000 live tickets, shapes counted as
``bench_desk`` counts them): the same seven less the reporting update (0.62: only a ticket's first answer
sets ``first_response_us``; a triage always moves state and priority), plus its text appended to the
ticket's search row (1.00) and that row's FTS words replaced when the pending rows are flushed (an
``executemany`` every so many notes, each row counted: the old words' ``delete`` 0.80, the new 1.03).
That flush is the note's largest cost a p50 never shows (``FLUSH_AT`` = 256 pending rows, in the
command that reaches it): over 3,000 notes on 3,000 live tickets, 12 flushes of 11.3 ms of thread CPU
each, 45 µs a note of its 610 on average (the flush timed around ``SqliteTicketSearch.flush``); about
44 µs a row, FTS5 tokenising the row's old text to delete its words and the new text to insert them,
so it grows with a ticket's notes. Left to the search index's owner: moving it out of the command (to
``upkeep``) or indexing an appended note as words of its own would change what a search reads. Timed alone
(``timeit``, a warm three-event ticket), ``fact_values_after`` with the previous read is 24 µs: the
later facts 4.3 (the serving dealer), ``timing_stops`` 2.7, the ``EventsRead`` made 1.8, ``judged_dues``
1.7, each under a tenth of a command. The garbage collector: ``command_gc.py``.
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from bench_desk import START, _command_kinds, _desk, _open

import aftersales.adapters.sql_repositories as sql_repositories
import aftersales.adapters.sqlite as sqlite_adapter
import aftersales.adapters.ticket_search_sqlite as search
from aftersales.adapters.clock import ManualClock

_SPENT: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
"""Part → [wall s, CPU s] of the command being measured (exclusive)."""
_STACK: list[list[float]] = []
"""The time spent in wrapped parts called by each open wrapped part, [wall, CPU]."""


@functools.cache
def _shape(sql: str) -> str:
    """A statement's shape: literals and numbers as ``?``, cut to a line."""
    sql = re.sub(r"x'[0-9a-fA-F]*'|'[^']*'|\b\d+\b", "?", sql)
    return sql[:100]


def _timed(label: Callable[..., str], fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        _STACK.append([0.0, 0.0])
        try:
            return fn(*args, **kwargs)
        finally:
            took = (time.perf_counter() - wall, time.thread_time() - cpu)
            inner = _STACK.pop()
            spent = _SPENT[label(*args)]
            spent[0] += took[0] - inner[0]
            spent[1] += took[1] - inner[1]
            if _STACK:
                _STACK[-1][0] += took[0]
                _STACK[-1][1] += took[1]

    return wrapper


def _wrap(owner: Any, name: str, label: str) -> None:
    setattr(owner, name, _timed(lambda *_: label, getattr(owner, name)))


def _instrument() -> None:
    uow = sqlite_adapter.SqliteUnitOfWork
    uow.run = _timed(lambda _self, sql, *_: "sql  " + _shape(sql), uow.run)
    original_conn = uow.conn

    def conn(self: Any) -> Any:  # only the call that begins the transaction is timed
        return original_conn(self) if self._conn is not None else began(self)

    began = _timed(lambda *_: "sql  BEGIN IMMEDIATE (a pooled connection taken)", original_conn)
    uow.conn = conn
    _wrap(uow, "commit", "sql  COMMIT (the WAL write) and the kept tickets confirmed")
    tickets = sqlite_adapter._Tickets
    _wrap(tickets, "get", "py   ticket read: kept ticket or parse, columns derived, parties primed")
    _wrap(tickets, "_save", "py   ticket save: changed columns, statement parameters, ticket kept")
    _wrap(tickets, "_report", "py   reporting row compared with the stored one")
    _wrap(sqlite_adapter, "save_texts", "py   state row and new events serialised")
    _wrap(sqlite_adapter, "fact_values_after", "py   reporting row computed")
    _wrap(sqlite_adapter, "row_values", "py   ledger columns computed")
    _wrap(sql_repositories.SqlOutbox, "put", "py   outbox rows encoded")
    _wrap(search.SqliteTicketSearch, "append_text", "py   search text appended")
    _wrap(search.SqliteTicketSearch, "put", "py   search row compared")


_PHASES: dict[str, list[int]] = {
    key: [0, 0] for key in ("sql", "begin", "commit", "adapter", "sql_in_adapter")
}
"""``--phases``: [wall ns, CPU ns] of the command being measured in each phase (see
:func:`_instrument_phases`)."""
_DEPTH = [0]
_PHASE_NAMES = {
    "sql": "SQLite statements (conn.execute; a row's fetch counts as the adapter's)",
    "begin": "BEGIN IMMEDIATE, a pooled connection taken",
    "commit": "COMMIT (WAL write), kept tickets confirmed",
    "adapter": "the adapter's Python (its own work, statements out)",
    "service": "the rest: service layer (runner, step, SLA, notifications)",
}


def _now() -> tuple[int, int]:
    return time.perf_counter_ns(), time.thread_time_ns()


def _add(key: str, start: tuple[int, int], less: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """Add the time since ``start`` (less ``less``) to phase ``key``; returns what was added."""
    wall, cpu = _now()
    took = (wall - start[0] - less[0], cpu - start[1] - less[1])
    spent = _PHASES[key]
    spent[0] += took[0]
    spent[1] += took[1]
    return took


def _instrument_phases() -> None:
    """Time phases only, on the wall clock and the thread's CPU clock (the one to compare on a loaded
    machine: the wall clock counts the time other processes held the core): every statement ``run``
    executes, the transaction's begin, the commit, and the adapter's entry points a command calls (the
    ticket's read and save, the outbox insert, the search text, a primed party's or document's read),
    inclusive; the adapter's Python is their time less the statements run inside them, the service
    layer the command's time less all of that. About 12 clock pairs a command (~0.5 µs each, against
    the 2-4 µs of each wrapped part above)."""
    uow = sqlite_adapter.SqliteUnitOfWork
    run, original_conn, commit = uow.run, uow.conn, uow.commit

    def timed_run(self: Any, sql: str, params: Any = ()) -> Any:
        start, began = _now(), tuple(_PHASES["begin"])
        try:
            return run(self, sql, params)
        finally:
            after = _PHASES["begin"]
            took = _add("sql", start, (after[0] - began[0], after[1] - began[1]))
            if _DEPTH[0]:
                inside = _PHASES["sql_in_adapter"]
                inside[0] += took[0]
                inside[1] += took[1]

    def conn(self: Any) -> Any:
        if self._conn is not None:
            return original_conn(self)
        start = _now()
        try:
            return original_conn(self)
        finally:
            _add("begin", start)

    def timed_commit(self: Any) -> None:
        start = _now()
        try:
            commit(self)
        finally:
            _add("commit", start)

    uow.run, uow.conn, uow.commit = timed_run, conn, timed_commit

    def entry(owner: Any, name: str) -> None:
        fn = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            _DEPTH[0] += 1
            start = _now()
            try:
                return fn(*args, **kwargs)
            finally:
                _DEPTH[0] -= 1
                if not _DEPTH[0]:
                    _add("adapter", start)

        setattr(owner, name, wrapper)

    tickets = sqlite_adapter._Tickets
    for owner, name in (
        (tickets, "get"),
        (tickets, "_save"),
        (sql_repositories.SqlOutbox, "put"),
        (search.SqliteTicketSearch, "append_text"),
        (search.SqliteTicketSearch, "put"),
        (sqlite_adapter._Entities, "get"),
        (sqlite_adapter._Documents, "get"),
    ):
        entry(owner, name)


def _phases(desk: Any, clock: ManualClock, live: list[str], n: int) -> None:
    """Print, per kind, the median of each phase over ``n`` commands (µs of wall and of CPU time)
    and the command's median wall and CPU time."""
    for name, fn in _command_kinds(desk, clock, live, random.Random(7)):
        spent: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for i in range(n):
            for pair in _PHASES.values():
                pair[0] = pair[1] = 0
            start = _now()
            fn(i)
            end = _now()
            whole = (end[0] - start[0], end[1] - start[1])
            inside = _PHASES["sql_in_adapter"]
            rest = list(whole)
            for c in (0, 1):
                adapter = _PHASES["adapter"][c] - inside[c]
                rest[c] -= adapter + _PHASES["sql"][c] + _PHASES["begin"][c] + _PHASES["commit"][c]
            spent["whole"].append((whole[0] / 1e3, whole[1] / 1e3))
            for key in ("sql", "begin", "commit"):
                spent[key].append((_PHASES[key][0] / 1e3, _PHASES[key][1] / 1e3))
            own = [(_PHASES["adapter"][c] - inside[c]) / 1e3 for c in (0, 1)]
            spent["adapter"].append((own[0], own[1]))
            spent["service"].append((rest[0] / 1e3, rest[1] / 1e3))
        med = {key: (_median_of(v, 0), _median_of(v, 1)) for key, v in spent.items()}
        print(f"{name}: p50 {med['whole'][0]:.0f} µs wall, {med['whole'][1]:.0f} µs CPU per command")
        print(f"  {'wall µs':>8} {'CPU µs':>7}  phase (medians)")
        for key, label in _PHASE_NAMES.items():
            print(f"  {med[key][0]:8.1f} {med[key][1]:7.1f}  {label}")


def _median_of(values: list[tuple[float, float]], which: int) -> float:
    return statistics.median(v[which] for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--live", type=int, default=3000, help="live tickets (default 3000)")
    parser.add_argument("--n", type=int, default=1500, help="commands of each kind (default 1500)")
    parser.add_argument("--phases", action="store_true", help="phases only, with perf_counter_ns (see above)")
    args = parser.parse_args()
    if args.phases:
        _instrument_phases()
        with tempfile.TemporaryDirectory() as tmp:
            clock = ManualClock(START)
            desk = _desk(f"sqlite:///{tmp}/cost.db", clock)
            _phases(desk, clock, _open(desk, clock, max(args.live, args.n)), args.n)
            desk.shutdown()
        return
    _instrument()
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(START)
        desk = _desk(f"sqlite:///{tmp}/cost.db", clock)
        live = _open(desk, clock, max(args.live, args.n))
        for name, fn in _command_kinds(desk, clock, live, random.Random(7)):
            parts: dict[str, list[tuple[float, float]]] = defaultdict(list)
            whole: list[tuple[float, float]] = []
            for i in range(args.n):
                _SPENT.clear()
                wall, cpu = time.perf_counter(), time.thread_time()
                fn(i)
                whole.append((time.perf_counter() - wall, time.thread_time() - cpu))
                for part, (w, c) in _SPENT.items():
                    parts[part].append((w, c))
            print(f"{name}: p50 {_median(whole, 0):.0f} µs wall, {_median(whole, 1):.0f} µs CPU per command")
            print(f"  {'wall µs':>8} {'CPU µs':>7} {'per cmd':>7}  part")
            ranked = sorted(parts.items(), key=lambda item: -_median(item[1], 1) * len(item[1]))
            for part, spent in ranked:
                wall_us, cpu_us = _median(spent, 0), _median(spent, 1)
                print(f"  {wall_us:8.1f} {cpu_us:7.1f} {len(spent) / args.n:7.2f}  {part}")
        desk.shutdown()


def _median(values: list[tuple[float, float]], which: int) -> float:
    """The median in µs of one clock's values (over the commands that ran the part: "per cmd" says
    how many did)."""
    return statistics.median(v[which] for v in values) * 1e6


if __name__ == "__main__":
    main()
