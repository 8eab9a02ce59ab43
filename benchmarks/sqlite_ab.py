# mypy: disable-error-code="arg-type,method-assign"
"""What one change to the SQLite adapter would save a command, measured on a loaded machine: old and new
in one process, alternating.

Issue 21 (session 35): on 2 cores shared with seven other developers (load 11-23), two runs of
``bench_desk`` for the same tree differ by 30-60 % at p50 and by 20-30 % in CPU per command, more than
any one change to the adapter saves. Here one desk runs the commands of ``bench_desk`` (each a second
after the last, on tickets in random order among ``--live`` ones; or, with ``--scale N``, notes on
random open tickets of the N-ticket scale file, a copy of it) in blocks of ``--block`` commands that
alternate between the adapter as it is and a variant, switched by patching.
Per command it takes the thread's CPU time of the whole command and of its SQLite part (every
statement the unit of work runs, ``BEGIN IMMEDIATE`` with its pooled connection, ``COMMIT``) and prints
the medians per mode and what the variant saved; blocks go old / variant / variant / old, so a drift in
time hits both alike. With ``--variant report`` it then counts statements and WAL pages per command
both ways (``bench_desk``'s count, which does not move with the load).

Variants:

- ``report``: no ``UPDATE report_tickets`` statement (the facts still computed and compared): the upper
  bound of writing the report columns with the ticket row (issue 21, "report columns written with the
  ticket"). Merged, the ticket's ``UPDATE`` would name the changed report columns too, so the real
  saving is below this;
- ``mmap``: ``PRAGMA mmap_size`` 8 GiB on the store's connections (pages read from a mapping, not
  copied by ``pread``).

Run: ``python benchmarks/sqlite_ab.py --variant report [--live 3000] [--n 3000] [--scale 100000]``.

Measured (session 35, load 11-23 on 2 cores; six runs, three of them by this script, three by an
earlier cut of it alternating old / variant; thread CPU µs saved per command, triage / dispatch / note):

- ``report`` on 3,000 live tickets: the SQLite part 6-19 (median 15) / 12-46 (24) / -2-39 (12) of
  173-200 / 229-375 / 179-263; the whole command -20-25 (14) / 10-136 (47) / -37-100 (19), whose spread
  (one run against the next) is larger than the saving. Statements 7 -> 6, 7 -> 6, 9.45 -> 8.83 and
  WAL pages 13.40 -> 12.33, 17.91 -> 16.70, 11.30 -> 10.68 (a note writes the row on its first answer
  to the customer). Timed alone
  (``sqlite_command_cost.py``) the statement is 10.5 / 11.8 / 10.1 µs of CPU. Averaged over the three
  commands the SQLite part saves ≈17 µs, under the 25 µs a command set to pay for the migration
  (≈45 columns added to ``tickets``, every row rewritten by a resumable back-fill, every report query
  and its plan test moved); a dispatch alone is at the line, and so are the whole commands' medians
  (≈27 on average) if their noise is taken at face value;
- ``report`` at ``--scale 100000`` (notes, most of them a ticket's first answer): the SQLite part
  434-500 -> 406-462 (saved 27-45 in four runs): on a file bigger than the page cache (470 MB against
  64 MB) the row's own B-trees (``report_tickets`` and its id key) are two more descents to pages not
  cached, so the case for the merge grows with the file;
- ``mmap`` at ``--scale 100000``: no saving (SQLite part +22 / -1.5 / -1.4 in three runs): the pages a
  command reads are in the connection's 64 MB cache after their first touch.

The noise floor: ``mmap`` on 3,000 live tickets (a 15 MB file, all of it in the page cache, so a
variant that changes nothing) read -0.4 / -5.9 / +12.1 µs on the SQLite part and -8 / +6 / +56 on the
whole command (load 24-26): a saving under ≈10 µs of the SQLite part, or ≈60 of a whole command, is not
told from none by one run.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench_desk import START, _command_kinds, _desk, _open, _sqlite_counts

import aftersales.adapters.sqlite as sqlite_adapter
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore
from aftersales.service.desk import ServiceDesk

_SQL_NS = [0]
"""Thread CPU ns of the SQLite part of the command being measured."""
_VARIANT = [False]
"""Whether the variant is on."""


class _Skipped:
    """What a skipped statement answers (one row changed: the adapter takes it as written)."""

    rowcount = 1


def _instrument(variant: str) -> None:
    """Time the unit of work's statements, begin and commit; with ``report``, skip the reporting row's
    update while the variant is on."""
    uow = sqlite_adapter.SqliteUnitOfWork
    run, commit, conn = uow.run, uow.commit, uow.conn
    skip = "UPDATE report_tickets " if variant == "report" else None

    def timed_run(self: Any, sql: str, params: Any = ()) -> Any:
        if skip is not None and _VARIANT[0] and sql.startswith(skip):
            return _Skipped()
        start = time.thread_time_ns()
        try:
            return run(self, sql, params)
        finally:
            _SQL_NS[0] += time.thread_time_ns() - start

    def timed_commit(self: Any) -> None:
        start = time.thread_time_ns()
        try:
            commit(self)
        finally:
            _SQL_NS[0] += time.thread_time_ns() - start

    def timed_conn(self: Any) -> Any:
        if self._conn is not None:
            return conn(self)
        start = time.thread_time_ns()
        try:
            return conn(self)
        finally:
            _SQL_NS[0] += time.thread_time_ns() - start

    uow.run, uow.commit, uow.conn = timed_run, timed_commit, timed_conn


def _switcher(store: SqliteStore, variant: str) -> Callable[[bool], None]:
    def switch(on: bool) -> None:
        _VARIANT[0] = on
        if variant == "mmap":
            for conn in store._all:  # private: a benchmark may look
                conn.execute(f"PRAGMA mmap_size = {8 << 30 if on else 0}")

    return switch


def _alternate(
    name: str, fn: Callable[[int], object], switch: Callable[[bool], None], n: int, block: int
) -> None:
    """Run ``fn(0..n-1)`` in blocks, old / variant / variant / old and again (a drift in time hits both
    alike), and print the medians of each mode."""
    times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for first in range(0, n, block):
        on = (first // block) % 4 in (1, 2)
        switch(on)
        for i in range(first, min(first + block, n)):
            _SQL_NS[0] = 0
            start = time.thread_time_ns()
            fn(i)
            times[on].append(((time.thread_time_ns() - start) / 1e3, _SQL_NS[0] / 1e3))
    switch(False)

    def median(on: bool, which: int) -> float:
        return statistics.median(t[which] for t in times[on])

    old_cmd, new_cmd, old_sql, new_sql = median(False, 0), median(True, 0), median(False, 1), median(True, 1)
    print(
        f"{name[:24]:24s} CPU µs/cmd {old_cmd:6.1f} -> {new_cmd:6.1f} ({old_cmd - new_cmd:+5.1f})"
        f"  SQLite part {old_sql:6.1f} -> {new_sql:6.1f} ({old_sql - new_sql:+5.1f})",
        flush=True,
    )


def _counts(variant: str) -> None:
    """Statements and WAL pages per command (``bench_desk``'s count: 1,000 live tickets, 1,000 of each
    command, checkpoints off), the adapter as it is and with the variant on; counts do not move with the
    load (pages counted per block of a timed run do: an FTS merge or a split lands in one block)."""
    with tempfile.TemporaryDirectory() as tmp:
        for on in (False, True):
            _VARIANT[0] = on
            for name, (statements, pages) in _sqlite_counts(Path(tmp) / f"counted{on}.db", 1000).items():
                label = f"{variant} on" if on else "as it is"
                figures = f"{statements:5.2f} statements, {pages:5.2f} WAL pages"
                print(f"  counted, {label:9s} {name[:24]:24s} {figures}")
    _VARIANT[0] = False


def _live(variant: str, live: int, n: int, block: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(START)
        desk = _desk(f"sqlite:///{tmp}/ab.db", clock)
        ids = _open(desk, clock, max(live, n))
        desk.run_due_jobs()  # stamped, as a desk in service (see bench_desk)
        store = desk.store
        assert isinstance(store, SqliteStore)
        for name, fn in _command_kinds(desk, clock, ids, random.Random(7)):
            _alternate(name, fn, _switcher(store, variant), n, block)
        desk.shutdown()


def _scale(variant: str, count: int, n: int, block: int) -> None:
    from bench_storage import AGENT, SECOND, TZ, open_ids
    from scale_file import START as SCALE_START
    from scale_file import scale_file

    built, _ = scale_file(count)
    with tempfile.TemporaryDirectory(dir=built.parent) as tmp:
        path = Path(tmp) / "ab.db"
        shutil.copy(built, path)  # the notes change it: the built file stays as built
        with sqlite3.connect(path) as conn:
            last_us = conn.execute("SELECT coalesce(max(created_us), 0) FROM outbox").fetchone()[0]
        last = datetime.fromtimestamp(last_us / 1e6, TZ) + timedelta(minutes=1)
        clock = ManualClock(max(datetime.now(TZ), last, SCALE_START + timedelta(seconds=30 * count, days=2)))
        desk = ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware", clock=clock)
        store = desk.store
        assert isinstance(store, SqliteStore)
        rnd, ids = random.Random(5), open_ids(count)

        def note(i: int) -> object:
            clock.advance(SECOND)
            return desk.note_to_customer(AGENT, rnd.choice(ids), text="工程师已出发")

        for i in range(1000):  # warm the caches, as a desk in service has them
            note(i)
        _alternate(f"note @ {count:,}", note, _switcher(store, variant), n, block)
        desk.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", choices=("report", "mmap"), required=True)
    parser.add_argument("--live", type=int, default=3000, help="live tickets (default 3000)")
    parser.add_argument("--n", type=int, default=3000, help="commands of each kind (default 3000)")
    parser.add_argument("--block", type=int, default=50, help="commands per block (default 50)")
    parser.add_argument("--scale", type=int, default=0, help="notes on the N-ticket scale file instead")
    args = parser.parse_args()
    _instrument(args.variant)
    if args.scale:
        _scale(args.variant, args.scale, args.n, args.block)
    else:
        _live(args.variant, args.live, args.n, args.block)
        if args.variant == "report":
            _counts(args.variant)


if __name__ == "__main__":
    main()
