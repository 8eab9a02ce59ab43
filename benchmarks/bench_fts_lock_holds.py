"""Write-lock holds of the SQLite store's FTS writes, old code against new, in one run (issue 21).

``bench_fts_merge.py`` compared FTS5 merge settings on a bare table; this runs the store's own code
(``SqliteStore``, its search index and its fold) on the same work for two builds, alternated, each in a
process of its own with ``PYTHONPATH`` on the build (``git archive <rev> src benchmarks``):

- a bulk import: ``--tickets`` search documents, ``put_many`` in transactions of 1,000 (an import's
  search part), a quarter of their texts in traditional Chinese;
- notes: ``--flushes`` × 256 commands, each re-indexing a random ticket with a note's words appended
  (``put``), so every 256th command flushes the pending words (``FLUSH_AT``);
- the fold: the search rows folded again (``fold_search_keys``, as an upgrade's step asks);
- searches: three terms as FTS5 phrases on the file each build left (two trigram, one two-character),
  first 50 hits, nine times each;
- an erasure's shred: every segment merged (``'optimize'``, or the new build's slices).

Every transaction's hold is timed inside the store: ``sqlite3.connect`` gives a connection class whose
``execute`` notes ``BEGIN IMMEDIATE`` and the return of ``COMMIT`` (wall and process CPU). Printed per
build and run: holds of the transactions that wrote (p50/p90/p99/max, CPU and wall) per phase, the new
build's merge steps among them; segments of ``ticket_search_fts`` (``count(DISTINCT segid)`` of its
``_idx``) at the end of each phase and their maximum during the notes; the searches' median.

    git archive <old-rev> src benchmarks | tar -x -C /tmp/old
    python benchmarks/bench_fts_lock_holds.py --old /tmp/old/src --new src [--tickets 10000] \
        [--flushes 60] [--runs 2]

Measured (session 39, 10,000 tickets, 120 flushes, four alternated runs, load 13-15 on 2 cores):
docs/operations.md, "FTS5 merges under the write lock".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHARS = "马桶冲水后里面一直有异响师傅说阀芯要换漏水花洒龙头浴缸堵塞安装维修更换配件客户电话上门"
TRADITIONAL = "馬桶沖水後裡面一直有異響師傅說閥芯要換漏水花灑龍頭浴缸堵塞安裝維修更換配件客戶電話上門"
TERMS = ('tri:"阀芯要 芯要换"', 'tri:"花洒龙 洒龙头"', 'bi:"漏水"')
HOLDS: list[tuple[str, float, float]] = []  # (first write statement kind, cpu, wall) per transaction


class _Timed(sqlite3.Connection):
    """A connection noting how long each write transaction held the lock."""

    _began: tuple[float, float] | None = None
    _kind = ""

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if sql == "BEGIN IMMEDIATE":
            cursor = super().execute(sql, *args)
            self._began, self._kind = (time.process_time(), time.perf_counter()), ""
            return cursor
        if self._began is not None and not self._kind and ("'merge'" in sql or "'optimize'" in sql):
            self._kind = "merge"
        if sql == "COMMIT" and self._began is not None:
            cursor = super().execute(sql, *args)
            cpu, wall = self._began
            HOLDS.append((self._kind, time.process_time() - cpu, time.perf_counter() - wall))
            self._began = None
            return cursor
        if sql == "ROLLBACK":
            self._began = None
        if "_fts" in sql and sql.startswith("INSERT") and self._kind == "":
            self._kind = "words"
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if "_fts" in sql and self._began is not None and self._kind == "":
            self._kind = "words"
        return super().executemany(sql, *args)


def _text(rnd: random.Random, alphabet: str, low: int = 20, high: int = 60) -> str:
    return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(low, high)))


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"n": len(values), "p50": pick(0.5), "p90": pick(0.9), "p99": pick(0.99), "max": ordered[-1]}


def child(folder: Path, tickets: int, flushes: int) -> None:
    """One build's run (in its own process: the build is the package ``PYTHONPATH`` finds)."""
    real = sqlite3.connect
    sqlite3.connect = lambda *a, **k: real(*a, factory=_Timed, **k)  # type: ignore[assignment,misc]
    from aftersales.adapters.sqlite import SqliteStore
    from aftersales.ports.ticket_search import SearchDocument

    rnd = random.Random(11)
    store = SqliteStore(f"sqlite:///{folder / 'holds.db'}")
    docs: list[SearchDocument] = []
    for n in range(tickets):
        alphabet = TRADITIONAL if n % 4 == 0 else CHARS
        serial = f"SN{n:08d}"
        docs.append(
            SearchDocument(
                ticket_id=f"T{n:08d}",
                received_us=1_700_000_000_000_000 + n * 1000,
                text=_text(rnd, alphabet),
                identifiers=(serial, f"138{n:08d}"),
                keys=frozenset({serial}),
                scope=(f"d:D{n % 300}", f"c:C{n % 20_000}"),
            )
        )
    report: dict[str, Any] = {}

    def segments() -> int:
        conn = store.acquire()
        try:
            return int(conn.execute("SELECT count(DISTINCT segid) FROM ticket_search_fts_idx").fetchone()[0])
        finally:
            store.release(conn)

    clock = time.perf_counter()

    def phase(name: str, began: int, extra: dict[str, Any]) -> None:
        nonlocal clock
        taken = HOLDS[began:]
        report[name] = {
            "seconds": time.perf_counter() - clock,
            "all_max": max((w for _, _, w in taken), default=0.0),
            "writes_cpu": _stats([c for k, c, _ in taken if k == "words"]),
            "writes_wall": _stats([w for k, _, w in taken if k == "words"]),
            "merges_cpu": _stats([c for k, c, _ in taken if k == "merge"]),
            "merges_wall": _stats([w for k, _, w in taken if k == "merge"]),
            "segments": segments(),
            **extra,
        }
        clock = time.perf_counter()

    began, clock = len(HOLDS), time.perf_counter()
    for start in range(0, tickets, 1000):
        with store() as uow:
            uow.search.put_many(docs[start : start + 1000])
            uow.commit()
    phase("import", began, {})

    began, most, clock = len(HOLDS), 0, time.perf_counter()
    current = {d.ticket_id: d for d in docs}
    for count in range(flushes * 256):
        doc = current[f"T{rnd.randrange(tickets):08d}"]
        grown = SearchDocument(
            ticket_id=doc.ticket_id,
            received_us=doc.received_us,
            text=doc.text + "\x1f" + _text(rnd, CHARS, 10, 20),
            identifiers=doc.identifiers,
            keys=doc.keys,
            scope=doc.scope,
        )
        current[doc.ticket_id] = grown
        with store() as uow:
            uow.search.put(grown)
            uow.commit()
        if count % 256 == 255:
            most = max(most, segments())
    phase("notes", began, {"most_segments": most})

    conn = store.acquire()
    try:
        conn.execute("UPDATE search_fold_backfill SET after_pos = -1, done = 0")
    finally:
        store.release(conn)
    began, clock = len(HOLDS), time.perf_counter()
    store.fold_search_keys()
    phase("fold", began, {})

    conn = store.acquire()
    try:
        times = []
        for term in TERMS * 9:
            t0 = time.perf_counter()
            conn.execute(
                "SELECT rowid FROM ticket_search_fts WHERE ticket_search_fts MATCH ? ORDER BY rowid DESC"
                " LIMIT 50",
                (term,),
            ).fetchall()
            times.append(time.perf_counter() - t0)
        report["search_ms"] = statistics.median(times) * 1e3
        report["hits"] = [
            conn.execute(
                "SELECT count(*) FROM ticket_search_fts WHERE ticket_search_fts MATCH ?", (term,)
            ).fetchone()[0]
            for term in TERMS
        ]
    finally:
        store.release(conn)
    began, clock = len(HOLDS), time.perf_counter()
    store.shred()  # an erasure's merge of every segment
    phase("shred", began, {})
    store.close()
    print(json.dumps(report))


def _line(name: str, stats: dict[str, float]) -> str:
    if not stats:
        return f"{name} -"
    return (
        f"{name} n {stats['n']:.0f} p50 {stats['p50'] * 1e3:.1f} p90 {stats['p90'] * 1e3:.1f}"
        f" p99 {stats['p99'] * 1e3:.1f} max {stats['max'] * 1e3:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--old", required=False, help="src folder of the baseline build")
    parser.add_argument("--new", default="src", help="src folder of the build under test")
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--flushes", type=int, default=60)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.tickets, args.flushes)
        return
    builds = [("old", args.old), ("new", args.new)] if args.old else [("new", args.new)]
    for run in range(args.runs):
        for name, src in builds:
            folder = Path(tempfile.mkdtemp(prefix="bench_fts_holds_"))
            try:
                env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(src).resolve()), "benchmarks"]))
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        str(folder),
                        "--tickets",
                        str(args.tickets),
                        "--flushes",
                        str(args.flushes),
                    ],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            report = json.loads(out.strip().splitlines()[-1])
            print(f"run {run + 1} {name}: search median {report['search_ms']:.2f} ms, hits {report['hits']}")
            for phase in ("import", "notes", "fold", "shred"):
                got = report[phase]
                most = f", at most {got['most_segments']}" if "most_segments" in got else ""
                print(
                    f"  {phase:6s} {got['seconds']:.1f} s, segments {got['segments']}{most},"
                    f" longest hold of any transaction {got['all_max'] * 1e3:.1f} ms"
                )
                wall = got["writes_wall"].get("max", 0) * 1e3
                print(f"    words  cpu  {_line('', got['writes_cpu'])} / wall max {wall:.1f}")
                if got["merges_cpu"]:
                    wall = got["merges_wall"]["max"] * 1e3
                    print(f"    merges cpu  {_line('', got['merges_cpu'])} / wall max {wall:.1f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
