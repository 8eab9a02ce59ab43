# mypy: disable-error-code="arg-type"
"""Which B-trees a ServiceDesk command dirties on SQLite: WAL frames per command, by table or index.

Issue 21: a command's commit writes every page it dirtied to the WAL, so its cost is mostly its page
count. This opens ``--live`` tickets through the desk (as ``bench_desk`` does), turns automatic
checkpoints off, runs ``--n`` commands of each kind and reads the WAL's frame headers: each frame's page
number is attributed to its owner with the ``dbstat`` virtual table (pages no B-tree owns any more are
``(free)``; page 1 is the header). Counts, not times: they compare across loaded machines.
With ``--scale N`` the commands are notes on random open tickets of the N-ticket scale file
(:mod:`scale_file`, built once; as ``bench_storage`` commands it), twice on the same tickets: the
first note on an imported ticket writes its search row, the second is a desk's steady state.
Run: ``python benchmarks/wal_pages.py [--live 3000] [--n 300] [--scale 1000000]``.

Session 32, every page of a command and why (1,000 live tickets, each command its own checkpointed WAL;
pages per command, leaves unless said; internal pages follow their leaves' splits):

- triage, 12.3: ``tickets_urgency`` 2.1 and ``tickets_state`` 1.9 (both keys change: the old entry's
  leaf and the new one's), the ticket row 1.0, the event-log append 1.0, the reporting row 1.0 (state,
  priority), ``sla_due`` 1.0 (its ``version``, which the sweep's quiet memo reads), the outbox row 1.0,
  its id key 1.1 and due index 1.2, page 1 0.3 (the file grew), internal pages 0.6;
- dispatch, 19.6: ``tickets_state`` 2.5, ``tickets_due`` 2.1 and ``sla_due`` 2.2 (the due key moves in
  both), the assignee, open-assignee and dispatched-dealer indexes 1.0 each (new entries), the ticket
  row 1.2, the reporting row 1.2, the event log 1.0, the outbox's rows, id key and due index 1.4 each
  (a multi-row insert), page 1 0.7;
- note, 11.8: the search row 1.1 and its pending copy 0.9 (the old words, for the FTS delete) with the
  FTS batch's share 0.8, the ticket row 1.0, the event log 1.0, the reporting row 1.2 (the first
  response, on most notes), ``sla_due`` 1.0, the outbox 1.0 + 1.3 + 1.2, page 1 0.5.

No index whose key did not change is written: each UPDATE names only the columns that changed (checked:
SQLite rewrites an index entry, one page, for every indexed column named in ``SET`` even when its value
is the same; a plain-``sqlite3`` table with two indexes wrote 1, 2 and 3 pages for ``data`` alone, with
one and with both indexed columns set to their own values). What is written twice: ``tickets_due`` and
``sla_due`` hold the same (due_key, id) keys (2.2 pages of a dispatch, and one more B-tree on every
command's ticket update through the triggers); ``tickets_resolved_open`` and ``sla_resolved`` likewise.
Making ``tickets_due`` cover the sweep's columns (``version``, ``customer_id``) would let ``sla_due`` go;
left for a later session (schema step, the fill's stages, the sweep's query, their tests). The outbox's
id key (1.1-1.4) goes only with a ``WITHOUT ROWID`` table, which wrote more pages (session 31).
``bench_desk`` counted 13.40 / 19.98 / 11.30 pages and 7 / 7 / 9.45 statements per command before and
after this session's change (the calendar stamp parsed once per text: the documents repository's get
10.8-11.0 -> 6.7-7.1 µs of thread CPU at p50 on a triage, 12.8-13.4 -> 8.9-9.9 on a dispatch).

Session 33: the keys are kept once. Not by making ``tickets_due`` cover the sweep's columns: a new index
on an existing file is built by one ``CREATE INDEX`` that reads every ticket under the write lock
(minutes on a 1 M file, where a step may hold it 100 ms); the other way round, schema step 33 drops
``tickets_due`` and ``tickets_resolved_open`` where the sweep tables are complete (they are filled in
small batches already), and the ledger reads those tables joined to ``tickets``
(``adapters/sla_sweep_ledger.py``). This script (1,000 live, 300 of each): 13.26 / 20.23 / 11.17 ->
13.26 / 17.84 / 11.17 pages (``tickets_due`` 2.22 leaf + 0.16 internal pages of a dispatch gone; a
triage or a note moves no due key). ``bench_desk``: 13.40 / 19.98 / 11.30 -> 13.40 / 17.91 / 11.30.
The step's lock, timed around ``migrate`` on copies of the 200,000-ticket scale file with both indexes
put back (37,500 unresolved tickets; the indexes 257 + 23 pages): 31, 5 and 14 ms (load 14 on 2 cores);
dropping frees pages in proportion, about 1,300 for ``tickets_due`` at 1 M tickets (186k unresolved).
Looked at and left: the outbox's three B-trees per message. Its id key checks a message id is new (a
duplicate is refused) and finds a message to mark sent; its due index orders the pending ones by next
attempt, which no other key does (a retry moves it); one command's messages already share their leaves
(a dispatch's 2-3 messages: 1.4 pages a B-tree). The reporting row (about one page a command) would join
the ticket row only with its 40-odd columns added to ``tickets`` and every existing row rewritten by a
back-fill (2 kB a row, the whole file through the WAL), and the reports' queries moved with it.

Session 35: unchanged (1,000 live, 300 of each: 13.26 / 17.84 / 11.17). The reporting row is 1.07 /
1.18 / 0.86 pages of them (leaf and internal), which is what writing the report columns with the
ticket row could save at most: ``sqlite_ab.py --variant report`` counts 13.40 -> 12.33, 17.91 -> 16.70
and 11.30 -> 10.68 pages with its statement skipped (about 5 µs of ``COMMIT`` a page), and times the
whole saving under the 25 µs a command that would pay for the migration (see there).

Session 38 (1,000 live, 300 of each, old and new code in the same hour): a dispatch to the ticket's own
dealer writes no ``tickets_dispatched_dealer`` entry any more (``row_values`` leaves the column empty
when it is the ticket's ``dealer_id``, which the dealer's scope reads first): 17.38 -> 16.28 pages (that
index's 0.72 leaf + 0.36 internal gone, the ticket's leaf 1.43 -> 1.21 with the shorter row; the outbox
leaf 2.19 -> 2.40 is where its splits fell). Triage and note unchanged. Still written twice on a
dispatch: ``tickets_assignee`` and ``tickets_assignee_open`` (1.08 each), one key in both; the open one
keeps an engineer's open page off their closed tickets, the other lists all of theirs.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import struct
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from bench_desk import START, _command_kinds, _desk, _open

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore


def _frames(wal: Path, start: int, page_size: int) -> list[int]:
    """Page numbers of the WAL frames from byte ``start`` on (a frame: 24-byte header, then the page)."""
    data = wal.read_bytes()[start:]
    step = page_size + 24
    return [struct.unpack(">I", data[i : i + 4])[0] for i in range(0, len(data) - step + 1, step)]


def _print(conn: sqlite3.Connection, name: str, pages: list[int], n: int) -> None:
    owner = {
        pageno: f"{name_} {kind}"
        for name_, pageno, kind in conn.execute("SELECT name, pageno, pagetype FROM dbstat")
    }
    owner[1] = "(header, page 1)"
    counts = Counter(owner.get(p, "(free)") for p in pages)
    print(f"{name}: {len(pages) / n:.2f} WAL pages per command")
    for what, k in counts.most_common():
        if k / n >= 0.01:
            print(f"    {k / n:6.2f}  {what}")


def _scale(count: int, n: int) -> None:
    """Notes on ``n`` random open tickets of the ``count``-ticket scale file, twice."""
    from bench_storage import AGENT, SECOND, TZ, open_ids
    from scale_file import START as SCALE_START
    from scale_file import scale_file

    from aftersales.service.desk import ServiceDesk

    path, _ = scale_file(count)
    with sqlite3.connect(path) as conn:
        last_us = conn.execute("SELECT coalesce(max(created_us), 0) FROM outbox").fetchone()[0]
    last = datetime.fromtimestamp(last_us / 1e6, TZ) + timedelta(minutes=1)
    clock = ManualClock(max(datetime.now(TZ), last, SCALE_START + timedelta(seconds=30 * count, days=2)))
    desk = ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware", clock=clock)
    store = desk.store
    assert isinstance(store, SqliteStore)
    conn = store._all[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    for each in store._all:
        each.execute("PRAGMA wal_autocheckpoint = 0")
    chosen = random.Random(5).sample(open_ids(count), n)
    wal = Path(f"{path}-wal")
    for name in ("first note on a scale-file ticket", "second note on it"):
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        start = max(32, wal.stat().st_size)
        for ticket_id in chosen:
            clock.advance(SECOND)
            desk.note_to_customer(AGENT, ticket_id, text="工程师已出发")
        _print(conn, name, _frames(wal, start, page_size), n)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    desk.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--live", type=int, default=3000, help="live tickets (default 3000)")
    parser.add_argument("--n", type=int, default=300, help="commands of each kind (default 300)")
    parser.add_argument("--scale", type=int, default=0, help="notes on the N-ticket scale file instead")
    args = parser.parse_args()
    if args.scale:
        _scale(args.scale, args.n)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pages.db"
        clock = ManualClock(START)
        desk = _desk(f"sqlite:///{path}", clock)
        live = _open(desk, clock, max(args.live, args.n))
        store = desk.store
        assert isinstance(store, SqliteStore)
        conns = store._all
        conn = conns[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        for each in conns:
            each.execute("PRAGMA wal_autocheckpoint = 0")
        wal = Path(f"{path}-wal")
        for name, fn in _command_kinds(desk, clock, live, random.Random(7)):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            before = wal.stat().st_size
            start = 32 if before == 0 else before  # the WAL header
            for i in range(args.n):
                fn(i)
            _print(conn, name, _frames(wal, start, page_size), args.n)
        desk.shutdown()


if __name__ == "__main__":
    main()
