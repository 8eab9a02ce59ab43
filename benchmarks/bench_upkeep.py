"""Upkeep of the 1 M-ticket SQLite file while a writer keeps going: statistics and online backups.

Issue 21's operator, on one SQLite file for years: the hourly ``store_upkeep`` job gathers the
planner's statistics again (a sampled ``ANALYZE``) and ``store.backup(path)`` copies the live file
(``VACUUM INTO``). Neither may stall the desk: the target is the one the first report's back-fill
has, no writer blocked by it for more than 100 ms.

Runs on a copy of the 1 M file (``scale_file``, built once through a desk's import, reporting on; the
copy keeps the shared file without statistics). A writer in another process (as a desk's other
workers are) makes 500 notes a second on open tickets, each timed from ``BEGIN IMMEDIATE``; its
figures alone, in the same run, are the baseline. Each of ``--runs`` runs drops the statistics and
gathers them again, then writes one backup; printed: the median over runs of the work's time, and
the p50/p90/p99/max of the writer's wait for the write lock and of its whole command during the
work beside the same figures alone.

    python benchmarks/bench_upkeep.py [--tickets 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_storage import _paced_writer, open_ids
from scale_file import fmt, percentiles, scale_file, verdict

from aftersales.adapters.sqlite import SqliteStore

TARGET_LOCK = 0.1


def _during(samples: list[tuple[float, float, float]], spans: list[tuple[float, float]]) -> list[Any]:
    return [s for s in samples if any(a <= s[0] <= b for a, b in spans)]


def _line(label: str, part: list[tuple[float, float, float]]) -> str:
    if not part:
        return f"  {label}: no command"
    waits, locks = [s[1] for s in part], [s[2] for s in part]
    w50, w90, w99 = percentiles(waits)
    l50, l90, l99 = percentiles(locks)
    return (
        f"  {label}: {len(part):,} commands; whole command p50 {fmt(w50)} p90 {fmt(w90)} p99 {fmt(w99)}"
        f" max {fmt(max(waits))}; wait for the write lock p50 {fmt(l50)} p90 {fmt(l90)} p99 {fmt(l99)}"
        f" max {fmt(max(locks))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets in the file (default 1 M)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each piece of work (default 3)")
    args = parser.parse_args()
    scale, _ = scale_file(args.tickets)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "live.db"
        SqliteStore(f"sqlite:///{scale}").close()  # checkpointed: the copy is the whole database
        shutil.copyfile(scale, path)
        store = SqliteStore(f"sqlite:///{path}")
        ctx = multiprocessing.get_context("spawn")
        stop, out = ctx.Event(), ctx.Queue()
        writer = ctx.Process(target=_paced_writer, args=(str(path), open_ids(args.tickets), stop, out))
        writer.start()
        time.sleep(5)  # the writer alone first: the baseline
        alone_until = time.time()
        spans: dict[str, list[tuple[float, float]]] = {"statistics": [], "backup": []}
        took: dict[str, list[float]] = {"statistics": [], "backup": []}
        locks: list[float] = []
        sizes: list[int] = []

        def timed(kind: str, work: Callable[[], object]) -> object:
            began_at, began = time.time(), time.perf_counter()
            result = work()
            took[kind].append(time.perf_counter() - began)
            spans[kind].append((began_at, time.time()))
            time.sleep(1)  # the writer alone again between pieces of work
            return result

        for run in range(args.runs):
            conn = store.acquire()
            conn.execute("DROP TABLE IF EXISTS sqlite_stat1")  # missing statistics: the upkeep's ANALYZE
            store.release(conn)
            report: Any = timed("statistics", store.upkeep)
            assert report.analyzed
            locks.append(report.longest_lock)
            backup: Any = timed("backup", lambda run=run: store.backup(tmp / f"copy-{run}.db"))
            sizes.append(backup.bytes)
            (tmp / f"copy-{run}.db").unlink()
            shutil.rmtree(tmp / f"copy-{run}.db.attachments", ignore_errors=True)
        stop.set()
        samples: list[tuple[float, float, float]] = out.get()
        writer.join()
        store.close()
    alone = [s for s in samples if samples[0][0] + 1 < s[0] < alone_until]
    print(f"upkeep of a {args.tickets:,}-ticket file ({path.name} copy of {scale.name}), {args.runs} runs")
    print(
        f"statistics (sampled ANALYZE): median {fmt(statistics.median(took['statistics']))} "
        f"(runs {', '.join(fmt(t) for t in took['statistics'])}), write lock held median "
        f"{fmt(statistics.median(locks))} max {fmt(max(locks))}"
    )
    print(_line("a writer during the statistics", _during(samples, spans["statistics"])))
    print(
        f"backup (VACUUM INTO, {statistics.median(sizes) / 1e9:.2f} GB): median "
        f"{fmt(statistics.median(took['backup']))} (runs {', '.join(fmt(t) for t in took['backup'])})"
    )
    during_backup = _during(samples, spans["backup"])
    print(_line("a writer during the backups", during_backup))
    print(_line("the same writer alone (baseline)", alone))
    worst = max((s[2] for s in _during(samples, spans["statistics"] + spans["backup"])), default=0.0)
    print(f"  target no writer blocked > 100 ms by the upkeep or a backup: {verdict(worst <= TARGET_LOCK)}")


if __name__ == "__main__":
    main()
