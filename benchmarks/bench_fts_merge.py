"""FTS5 merge settings of the ticket search index: the write lock a transaction holds, and a search's time.

Issue 21 asks that no writer is blocked for more than 100 ms. Developer d measured the search fold's
worst batch at 118-371 ms on a 40,000-ticket file and blamed FTS5's automatic segment merge at commit.
This benchmark separates the merge from the rest of a transaction's FTS work: a contentless table of
``ticket_search_fts``'s shape (``SEARCH_MIGRATION``) holds ``--tickets`` rows written in transactions of
2,000 (as an import writes them), words made by the adapter (``fts_row``), then on a copy per setting:

- the fold: every row re-worded, 80 rows a transaction (delete the old words, insert the new);
- notes: 150 flushes of 256 random positions (``FLUSH_AT``), each a text grown by a note;
- a search: three terms (two trigram phrases, one two-character word), first page of 50, three times each.

Words are made before ``BEGIN IMMEDIATE``; the time from it to ``COMMIT``'s return is the hold (wall) and
the process's CPU time in it. Settings compared, in the same run, alternated ``--runs`` times:

- ``default``: FTS5's own (``automerge`` 4, ``crisismerge`` 16): the baseline;
- ``no-merge``: ``automerge`` 0, ``crisismerge`` 2000: what a transaction holds with no merge at all;
- ``crisis-64``: ``crisismerge`` 64 only (no level merged whole before 64 segments);
- ``sliced-64`` / ``sliced-256``: ``automerge`` 0, ``crisismerge`` 64, and a ``('merge', 64)`` /
  ``('merge', 256)`` step in its own transaction after each write (bounded slices of merge work, each
  under its own short hold; an hourly upkeep job could not keep up: see the figures).

    python benchmarks/bench_fts_merge.py [--tickets 10000] [--runs 2]

Measured (session 38, 10,000 tickets, load about 2 on 2 cores): docs/operations.md, "FTS5 merges under
the write lock".
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from scale_file import percentiles

from aftersales.adapters.sqlite_search_import import DELETE_FTS, INSERT_FTS
from aftersales.adapters.ticket_search_sqlite import SEARCH_MIGRATION, fts_row

CHARS = "马桶冲水后里面一直有异响师傅说阀芯要换漏水花洒龙头浴缸堵塞安装维修更换配件客户电话上门"
SETTINGS: dict[str, tuple[dict[str, int], int]] = {
    "default": ({}, 0),
    "no-merge": ({"automerge": 0, "crisismerge": 2000}, 0),
    "crisis-64": ({"crisismerge": 64}, 0),
    "sliced-64": ({"automerge": 0, "crisismerge": 64}, 64),
    "sliced-256": ({"automerge": 0, "crisismerge": 64}, 256),
}
TERMS = ('tri:"阀芯要 芯要换"', 'tri:"花洒龙 洒龙头"', 'bi:"漏水"')


def _text(rnd: random.Random, low: int = 20, high: int = 60) -> str:
    return "".join(rnd.choice(CHARS) for _ in range(rnd.randint(low, high)))


def build(path: Path, tickets: int) -> dict[int, tuple[str, list[str]]]:
    """The base file, and each row's text and identifiers."""
    rnd = random.Random(7)
    rows: dict[int, tuple[str, list[str]]] = {}
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(next(s for s in SEARCH_MIGRATION if "ticket_search_fts" in s))
    for start in range(0, tickets, 2000):
        con.execute("BEGIN")
        for pos in range(start, min(tickets, start + 2000)):
            rows[pos] = (_text(rnd), [f"SN-{pos:08d}", f"138{pos:08d}"])
            con.execute(INSERT_FTS, (pos, *fts_row(*rows[pos], ["d1"])))
        con.execute("COMMIT")
    con.close()
    return rows


class Holds:
    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def line(self) -> str:
        if not self.cpu:
            return "-"
        p50, p90, p99 = percentiles(self.cpu)
        return (
            f"cpu p50 {p50 * 1e3:.1f} p90 {p90 * 1e3:.1f} p99 {p99 * 1e3:.1f} max {max(self.cpu) * 1e3:.1f}"
            f" / wall max {max(self.wall) * 1e3:.1f} ms"
        )


def one(base: Path, rows: dict[int, tuple[str, list[str]]], name: str, folder: Path) -> None:
    options, merge = SETTINGS[name]
    path = folder / f"{name}.db"
    shutil.copy(base, path)
    con = sqlite3.connect(path, isolation_level=None)
    for key, value in options.items():
        con.execute(f"INSERT INTO ticket_search_fts (ticket_search_fts, rank) VALUES ('{key}', {value})")
    rnd = random.Random(3)
    current = dict(rows)
    merges = Holds()

    def timed(holds: Holds, statements: list[tuple[str, list[tuple[object, ...]]]]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        con.execute("BEGIN IMMEDIATE")
        for sql, params in statements:
            con.executemany(sql, params)
        con.execute("COMMIT")
        holds.wall.append(time.perf_counter() - wall)
        holds.cpu.append(time.process_time() - cpu)

    def rewrite(holds: Holds, positions: list[int]) -> None:
        deletes, inserts = [], []
        for pos in positions:
            text, idents = current[pos]
            grown = text + "\x1f" + _text(rnd, 10, 20)
            current[pos] = (grown, idents)
            deletes.append((pos, *fts_row(text, idents, ["d1"])))
            inserts.append((pos, *fts_row(grown, idents, ["d1"])))
        timed(holds, [(DELETE_FTS, deletes), (INSERT_FTS, inserts)])
        if merge:
            step = "INSERT INTO ticket_search_fts (ticket_search_fts, rank) VALUES ('merge', ?)"
            timed(merges, [(step, [(merge,)])])

    fold, notes = Holds(), Holds()
    for start in range(0, len(rows), 80):
        rewrite(fold, list(range(start, min(len(rows), start + 80))))
    for _ in range(150):
        rewrite(notes, sorted(rnd.sample(range(len(rows)), 256)))
    searches = []
    for term in TERMS * 3:
        began = time.perf_counter()
        con.execute(
            "SELECT rowid FROM ticket_search_fts WHERE ticket_search_fts MATCH ?"
            " ORDER BY rowid DESC LIMIT 50",
            (term,),
        ).fetchall()
        searches.append(time.perf_counter() - began)
    pages = con.execute("SELECT count(*) FROM ticket_search_fts_data").fetchone()[0]
    con.close()
    path.unlink()
    print(f"{name:10s} fold   {fold.line()}")
    print(f"{'':10s} notes  {notes.line()}")
    print(f"{'':10s} merges {merges.line()}")
    print(
        f"{'':10s} search median {statistics.median(searches) * 1e3:.2f} ms, {pages} FTS data rows",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=10_000, help="rows in the index (default 10,000)")
    parser.add_argument("--runs", type=int, default=2, help="alternations of the settings (default 2)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_fts_merge_"))
    try:
        rows = build(folder / "base.db", args.tickets)
        for run in range(args.runs):
            print(f"run {run + 1}")
            for name in SETTINGS:
                one(folder / "base.db", rows, name, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
