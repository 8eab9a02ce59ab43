# mypy: disable-error-code="arg-type"
"""The service layer's own cost per command, old tree against new, alternated on a loaded machine.

Issue 21 (session 36): on the memory store (``memory://``: no disk, no SQL) what a command costs is the
service layer's (arguments, runner, permissions, the step, SLA, hooks, notifications) and the garbage it
leaves. Two runs of ``bench_desk`` for the same tree differ by more than one change saves, and two trees
cannot be imported into one process, so this script runs each tree in a child process of its own
(``PYTHONPATH``) in blocks old / new / new / old, repeated, and prints per tree and command:

- CPU µs per command (the process's CPU clock over the run) and, of it, the garbage collector's µs (timed
  by a ``gc.callbacks`` hook), medians over the runs;
- GC-tracked objects left per command (``gc.get_objects()`` after a full collection, before and after the
  run: what every later full collection walks again) and tracked objects made per command that were
  still alive at the end of the run (what moves to the oldest generation and brings the next full
  collection closer: the collector runs one when the survivors reach a quarter of what it holds);
- p50/p90/p99 of the single commands, pooled over the runs.

Each child builds a desk as ``bench_desk`` does (3,000 tickets opened through the desk, the periodic jobs
run once), then runs ``--n`` triages, ``--n`` dispatches of the triaged tickets and ``--n`` notes on
random live tickets, each a second after the last, the garbage collector on and every result kept.

With ``--store sqlite`` the same on a SQLite file (WAL, as the adapter makes it) in a temporary folder: the
service layer and the adapter together; ``--store sqlite-uncached`` with ``?ticket_cache=0`` (every read
parses the stored ticket, as on a file with more live tickets than the adapter's memo keeps).

Run: ``python benchmarks/memory_ab.py --old /path/to/old/src [--new src] [--pairs 2] [--n 1000]
[--store sqlite]``; an old tree is made with ``git archive <commit> src | tar -x -C /tmp/old``.

Measured (session 36, 82d6459e against its results handing out events when read, triage's sorted payload
taken as built and staff results making no staff-only field names; load 11-14 on 2 cores, n 1,000, medians
of the runs, triage / dispatch / note):

- memory, two blocks (four runs a side): CPU 167 -> 152, 274 -> 268, 199 -> 197 µs per command (the runs
  of one side spread 25-100 µs: only the triage's saving is above that); GC 27 -> 25, 32 -> 29, 32 -> 29;
  tracked objects left 13.0 -> 8.0, 16.1 -> 12.1, 10.5 -> 9.5 per command (load-independent); p50 110 ->
  100, 196 -> 183, 133 -> 130 µs;
- SQLite, one block: CPU 502 -> 429, 703 -> 653, 621 -> 561 (runs spread 60-160 µs); tracked left 13.0
  -> 8.0, 13.0 -> 9.0, 9.1 -> 8.1; p50 367 -> 351, 556 -> 531, 433 -> 407 µs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _child(n: int, store: str) -> None:
    """One run in this process (the tree on ``PYTHONPATH``): print its figures as one JSON line."""
    sys.path.insert(0, str(HERE))
    from bench_desk import START, _command_kinds, _desk, _open

    from aftersales.adapters.clock import ManualClock

    clock = ManualClock(START)
    folder = tempfile.TemporaryDirectory()
    urls = {
        "memory": "memory://",
        "sqlite": f"sqlite:///{folder.name}/ab.db",
        "sqlite-uncached": f"sqlite:///{folder.name}/ab.db?ticket_cache=0",
    }
    desk = _desk(urls[store], clock)
    live = _open(desk, clock, max(3000, n))
    desk.run_due_jobs()
    kept: list[object] = []
    spent = [0.0, 0.0]

    def tick(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            spent[1] = time.thread_time()
        else:
            spent[0] += time.thread_time() - spent[1]

    out: dict[str, dict[str, object]] = {}
    for name, fn in _command_kinds(desk, clock, live, random.Random(7)):
        gc.collect()
        before = {id(o) for o in gc.get_objects()}
        tracked = len(before)
        latencies: list[float] = []
        spent[0] = 0.0
        gc.callbacks.append(tick)
        cpu = time.process_time()
        for i in range(n):
            began = time.perf_counter()
            kept.append(fn(i))
            latencies.append(time.perf_counter() - began)
        cpu = time.process_time() - cpu
        gc.callbacks.remove(tick)
        gc.collect()
        now = gc.get_objects()
        made = sum(1 for o in now if id(o) not in before)
        del now
        out[name.split()[0]] = {
            "cpu_us": cpu / n * 1e6,
            "gc_us": spent[0] / n * 1e6,
            "left": (len(gc.get_objects()) - tracked) / n,
            "made_alive": made / n,
            "latencies_us": [round(x * 1e6, 1) for x in latencies],
        }
    desk.shutdown()
    folder.cleanup()
    print(json.dumps(out))


def _run(tree: str, n: int, store: str) -> dict[str, dict[str, object]]:
    env = dict(os.environ, PYTHONPATH=f"{tree}{os.pathsep}{HERE}")
    command = [sys.executable, __file__, "--child", "--n", str(n), "--store", store]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result: dict[str, dict[str, object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--old", help="the old tree's src directory")
    parser.add_argument("--new", default=str(HERE.parent / "src"), help="the new tree's src (default ./src)")
    parser.add_argument("--pairs", type=int, default=2, help="old/new/new/old blocks (default 2)")
    parser.add_argument("--n", type=int, default=1000, help="commands of each kind per run (default 1000)")
    parser.add_argument(
        "--store",
        choices=("memory", "sqlite", "sqlite-uncached"),
        default="memory",
        help="memory:// (default), a SQLite file, or one with ticket_cache=0",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.n, args.store)
        return
    if not args.old:
        parser.error("--old is required")
    runs: dict[str, list[dict[str, dict[str, object]]]] = {"old": [], "new": []}
    for block in range(args.pairs):
        for side in ("old", "new", "new", "old"):
            runs[side].append(_run(args.old if side == "old" else args.new, args.n, args.store))
            print(f"  block {block + 1}: {side} run done", file=sys.stderr, flush=True)
    kinds = list(runs["old"][0])
    for kind in kinds:
        print(f"{kind}:")
        for side in ("old", "new"):
            per = [r[kind] for r in runs[side]]

            def med(key: str, per: list[dict[str, object]] = per) -> float:
                return statistics.median(float(p[key]) for p in per)  # type: ignore[arg-type]

            lat = [x for p in per for x in p["latencies_us"]]  # type: ignore[attr-defined]
            cpus = ", ".join(f"{float(p['cpu_us']):.0f}" for p in per)  # type: ignore[arg-type]
            print(
                f"  {side}: CPU {med('cpu_us'):5.0f} µs/cmd (runs {cpus}), GC {med('gc_us'):4.0f}, "
                f"left {med('left'):5.1f} tracked/cmd, made alive {med('made_alive'):5.1f}/cmd, "
                f"p50 {_pct(lat, 0.5):4.0f} p90 {_pct(lat, 0.9):4.0f} p99 {_pct(lat, 0.99):5.0f} µs"
            )


if __name__ == "__main__":
    main()
