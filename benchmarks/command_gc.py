"""Where a ServiceDesk command's garbage-collector time comes from, per generation, and what it keeps.

Issue 21 (session 38): ``bench_desk`` prints the collector's CPU per command (SQLite triage / dispatch /
note 17 / 64 / 79 µs on average, memory notes 181 µs) and no p50 shows it, but a command rate does. A
cProfile run charges it to whichever function allocated when a collection began: with ``gc`` on, a
memory dispatch's largest own time was ``service.sla._late_afters.later`` (455 µs a call at load 13),
which vanishes with ``gc.disable()``; read the collector's figures here, not a profile's.

For each of ``bench_desk``'s commands on ``--live`` tickets (``--url sqlite`` or ``memory``), ``--n``
of each after as many unmeasured ones (the kept tickets full, as on a desk in service), it prints:

- the collections of each generation per command, the thread CPU they took per command and each;
- the tracked objects a command leaves alive, by type, counted over ``--n`` further commands with the
  collector off (what the next collections must visit). Tuples holding only untracked values (a
  ledger row, the ``datetime_text`` memo's pairs) are counted apart: the first young collection stops
  tracking them, so they cost that collection only; the others are promoted and visited by every full
  collection until they die.

Run: ``python benchmarks/command_gc.py [--url sqlite] [--live 3000] [--n 2000]``.

Measured (session 38, SQLite, 3,000 live, load 12-14 on 2 cores): a young collection every ~50
commands (0.6-0.8 ms each, 10-13 µs a command), a middle one every ~500 (4.5-5.8 ms, 7-9 µs a
command), a full one every few thousand (116 ms over ~150k tracked objects, none of them garbage:
every object these commands free is freed by its reference count). Left alive per command: triage 23,
dispatch 31, note 23 tracked objects, of which 11-17 atom-only tuples; the rest is what the kept
tickets and the SLA memo must hold (the new ``Ticket`` and its ``TicketEvent`` with its payload, the
events list, the memo's entry, ``EventsText``, ``EventsRead``, the SLA log's ``_Kept`` and
``SlaTimeline``). A full collection's cost per command is about four visits of each promoted object
(CPython runs one when the objects promoted since the last reach a quarter of those that survived it):
it follows the survivors per command, not the number of tickets kept.
"""

from __future__ import annotations

import argparse
import collections
import gc
import random
import tempfile
import time
from typing import Any

from bench_desk import START, _command_kinds, _desk, _GcClock, _open

from aftersales.adapters.clock import ManualClock


class _Collections(_GcClock):
    """Per generation: collections and the thread CPU seconds they took, while installed (bench_desk's
    clock of the collector, split by generation)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_generation: dict[int, list[float]] = collections.defaultdict(lambda: [0, 0.0])

    def __enter__(self) -> _Collections:
        super().__enter__()
        return self

    def _tick(self, phase: str, info: dict[str, int]) -> None:
        spent = self.spent
        super()._tick(phase, info)
        if phase != "start":
            figures = self.by_generation[info["generation"]]
            figures[0] += 1
            figures[1] += self.spent - spent


def _kind(obj: object) -> str:
    if type(obj) is tuple and not any(gc.is_tracked(item) for item in obj):
        return "tuple of untracked values"
    return type(obj).__name__


def _left_alive(fn: Any, first: int, n: int) -> tuple[int, collections.Counter[str]]:
    """The tracked objects ``fn(first..first+n-1)`` left alive (the collector off meanwhile)."""
    gc.collect()
    gc.disable()
    try:
        for i in range(first, first + n):
            fn(i)
        young = gc.get_objects(generation=0)
        return len(young), collections.Counter(_kind(obj) for obj in young)
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", choices=("sqlite", "memory"), default="sqlite")
    parser.add_argument("--live", type=int, default=3000, help="live tickets (default 3000)")
    parser.add_argument("--n", type=int, default=2000, help="commands of each kind measured (default 2000)")
    args = parser.parse_args()
    n = args.n
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(START)
        desk = _desk(f"sqlite:///{tmp}/gc.db" if args.url == "sqlite" else "memory://", clock)
        live = _open(desk, clock, max(args.live, 3 * n))
        desk.run_due_jobs()  # stamped, as a desk in service (see bench_desk)
        print(f"{len(gc.get_objects())} tracked objects after the opens; thresholds {gc.get_threshold()}")
        for name, fn in _command_kinds(desk, clock, live, random.Random(7)):
            for i in range(n):  # the kept tickets filled as they are in service
                fn(i)
            with _Collections() as seen:
                began = time.thread_time()
                for i in range(n, 2 * n):
                    fn(i)
                cpu = time.thread_time() - began
            print(f"{name}: CPU {cpu / n * 1e6:.0f} µs a command")
            for generation, (count, spent) in sorted(seen.by_generation.items()):
                each = spent / count * 1e3 if count else 0.0
                print(
                    f"  gen{generation}: {count / n:.3f} a command, {spent / n * 1e6:5.1f} µs a command"
                    f" ({each:.2f} ms each)"
                )
            alive, kinds = _left_alive(fn, 2 * n, min(n, len(live) - 2 * n))
            shown = ", ".join(f"{kind} {count / n:.2f}" for kind, count in kinds.most_common(12))
            print(f"  left alive: {alive / n:.1f} tracked objects a command ({shown})")
        desk.shutdown()


if __name__ == "__main__":
    main()
