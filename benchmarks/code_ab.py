# mypy: disable-error-code="arg-type,method-assign"
"""What a change to the code saves a ServiceDesk command, old and new in one process, alternating.

Issue 21 (session 36): ``sqlite_ab.py`` switches a variant of the SQLite adapter that a patch can
express; a change to the service layer or the i18n code is not one. Here the functions and methods a
change touched (``--swap module:name`` or ``module:Class.name``, several) are loaded a second time from
the source of ``--before`` (a git revision: ``git show REV:src/…``, executed as a module of its own,
so the old code reads the old module's globals and imports the current other modules) and swapped in
and out of the running code, including every module that imported a swapped function by name. One
desk (``--url``: ``sqlite`` on a temporary file, ``memory``, or ``postgres``: a schema of its own in
``AFTERSALES_PG_DSN``, dropped afterwards) runs ``bench_desk``'s commands, each a
second after the last on tickets in random order among ``--live`` ones, in blocks of ``--block``
commands alternating old / new / new / old (a drift in the machine's load hits both alike). Per mode
it prints the median thread CPU time of a command and the wall-clock p50/p90/p99; on SQLite, then, the
statements and WAL pages per command both ways (``bench_desk``'s count).

Run: ``python benchmarks/code_ab.py --before REV --swap aftersales.service.notify:outbox_id …``.

Measured (session 36, load 10-13 on 2 cores; thread CPU per dispatch, medians). Where a dispatch's time
goes, each part timed inclusive around its call in the command (wrappers add about a µs a call):

- SQLite, 480-570 µs: the ticket's save 105-118 (the state row and new event serialised ≈26, the
  ``UPDATE`` ≈29, the reporting row computed, compared and updated ≈38), the SLA step after it 71-88
  (the derivation 42-45), ``COMMIT`` 55-66, the notifications made 58-66, the ticket's read 38-46, the
  outbox insert 32-35 (its ``INSERT`` of three rows 19), ``Ticket.assign`` 16-18, the dispatch choice
  14-15, the result 9; memory, 200-212 µs: the notifications 58, the SLA step 57 (the derivation 36),
  the outbox put 22 (each message's JSON made), the assignment 13, the choice 7.5;
- rendering the two notices (the dealer's ``assigned`` in Chinese, the customer's ``ticket_assigned``)
  is 15-22 µs of it (3-4 % on SQLite, 8 % on memory), not the quarter a cProfile run gave it (cProfile
  charges every small call): the templates are parsed once per locale, and a notice's values are mostly
  memo hits (labels, the local time of day, the date). The rest of the 58-66 µs is a message's making,
  a few µs each: its id (blake2b of its key), the payload's checks, the ``OutboxMessage``, the event's
  payload, the request. Rendering at delivery would save at most the 15-22 µs and change what a host
  reads in a pending message's payload (its subject and body): left;
- tried and backed out: the notice's locale kept with the contact's address, the ids' hex instant made
  once per command instant, a template value's way of writing found once per type (no ``isinstance``
  chain): all three saved a memory dispatch 3.4 and 2.6 µs (two runs, medians), the first two alone
  -1.8 µs (medians) / +1.0 µs (by runs of four blocks), the third alone +0.4 µs, against a change-nothing
  swap's +0.8 / -0.3 µs: 1-2 % at best, not worth the code. On SQLite the change-nothing swap itself
  read -17 to -46 µs over four runs (by runs of four blocks, -99 to +48 per run of 200 commands): at this
  load the SQLite figures cannot tell a change under about 50 µs from none; the memory store can (±2 µs).
  The counts do not move with the load (below).

What a dispatch writes more than a triage (``wal_pages.py``, 1,000 live, 300 of each: 17.73 against
13.36 pages): +3.2 the three indexes a first assignment enters (``tickets_assignee``,
``tickets_assignee_open``, ``tickets_dispatched_dealer``: 0.72 leaf + 0.36 internal each, this count's
indexes growing from empty: in a desk in service mostly the leaf), +2.3 two more outbox rows (its
notices: rows, id key, due index 5.92 against 3.62 pages), +1.4 the due key moving in ``sla_due``
(2.36 against the version's 1.00), +0.4 the ticket row (it grows: its leaf splits more often), +0.3
page 1, -2.5 the urgency index a triage moves and -0.7 on the state index. Each serves a query or is a
message a host reads. The outbox rows without their ``null`` fields (a new message has seven) wrote
17.33 pages instead of 17.89 (-0.56; triage and note ±0.05): a change of the stored text for about 3 µs
of ``COMMIT``, left. (Session 37 made it: over 3,000 commands of each kind the saving is 0.01-0.06 pages a
command, fewer outbox leaf splits; the -0.56 was where the splits of 1,000 dispatches fell.) Moving the
closed tickets to their own assignee index would only move the page to the ticket's close.

Session 37 (load 4-13; inclusive thread CPU of each part, wrapped, medians over 600-1,000 commands, µs):
SQLite dispatch 550: the save 128 (its text 27, the reporting row 36 of which ``fact_values_after`` 29,
``row_values`` 7), the SLA step 104 (the derivation 50: the carry over the dispatch 15-20, ``_log`` 10,
``_late`` 6, the due instants 4; the calendar-stamp check 11, of it the stamp's read 8.6; the tier 6; the
twelve hooks 10-14 with the wrappers' own cost, the search upkeep 6), the notifications 66, ``COMMIT`` 63,
the read 43, the outbox insert 36, ``Ticket.assign`` 20; a note 420-474: the reporting row 34-47 (it walks
the whole log for ``ended_cycles`` and ``response_stopped`` at every save), the SLA step's ``_log`` 21 (the
first answer stopping the response clock, ``advanced_by`` 14 of it on memory, ``met_running`` 5). Made this
session: a dispatch's payload on the triage's ordered path (``is_canonical`` 3.2-4.4 µs), hooks skipped
outside their steps and states (``service.hook_scope``: 1.4-1.9 µs a command on memory, scopes switched by
``_alternate``), the outbox's null members (above). Weighed and left: each event serialised once (the outbox
message's encode of a dispatch's event is 1-3 µs here: an ``orjson.Fragment`` splice would save less than
that); the reporting row merged into the ticket row (17-24 µs, a 45-column migration).

Session 39 (memory, load 10-14; inclusive thread CPU of each part, wrapped, means over 900 commands, µs,
dispatch / triage / note): the desk call 320 / 186 / 286, of it the transaction 293 / 159 / 254: the
notifications 110 / 32 / 88, the step's aftermath 81 / 43 / 77 (the SLA derivation 48 / 29 / 43, the
calendar or callback stamp check 9 / 7 / -, the tier 4-5), the memory outbox put 25 / 10 / 19, ``assign``
14, the commit 8-12, the read 8-10, ``authorize`` 5-6, the save 3, the result 3. Nothing above a fifth of
a command is done twice: the notices are each a few µs of id, message, payload and template (an
``outbox_id`` at a new instant ≈3 µs quiet, a message ≈1.5, the argument checks 1.5-3), the SLA step
keeps its log, decision, timeline and late-afters. Made: the hooks a kind of step concerns found once per
(states, steps) (``CommandRunner._hooks_for``), not ten scopes asked a command: 17-18 fewer calls a
command on every store (cProfile's count, load-independent: memory 404 / 806 / 551 -> 387 / 789 / 533,
SQLite 610 / 982 / 767 -> 593 / 965 / 749), CPU saved by runs of four blocks +0.6 to +2.0 / -0.1 to
+4.6 / +0.9 to +4.3 µs (two runs). ``bench_desk`` (old and new trees alternated) cannot show a few µs at
this load: its runs of one tree differed by 20 %.

Session 39s (load 12-14, 2,000 commands of each kind, CPU saved by medians; triage / dispatch / note). A
December desk (``--start 2026-12-30T17:00``: dues past the official holiday data) read the managers'
``calendar_notice`` on every command on such a ticket; the desk now remembers a notice its store confirmed
(``service.notice_memo``): memory +2.8 / -2.0 / +5.1 µs (a dispatch's dues here fall before the cliff: no
read either way), SQLite +43.5 / +35.4 / +37.1 µs (runs of four blocks +45 / +22 / +29, spread ±60-250:
the read is one statement fewer, 8 -> 7 a triage counted, 15 -> 14 traced statements a note on an untriaged
ticket). On PostgreSQL (``--url postgres``, 1,000 live, 1,000 commands each) the read was a round trip:
CPU saved +144.5 / +9.3 / +0.6 µs (triaged tickets' dues fall before the cliff: a later dispatch or note
reads nothing either way); 1,200 notes on untriaged tickets (dues past the cliff) +209 µs CPU (runs of four
blocks +194 to +234), wall p50 1,729 -> 1,195 µs. The memory and PostgreSQL outbox write a message without
its null members as SQLite does (``memory:_record``, memory +1.1 / +2.8 / +0.8 µs). The SQLite adapter's
own Python per save, by ``timeit`` minima on a ticket in hand: ``row_values`` 0.8 µs, ``fact_values_after``
5-6 (its parts each under 1: ``EventsRead`` 0.4, the events' fold 0.5-0.9, ``later_facts`` 0.7,
``judged_dues`` 0.5, ``timing_stops`` 0.5), ``save_texts`` 5.5; what both row derivations compute twice
(``micros`` of the received and due instants) is 0.1-0.25 µs each: nothing there a change could show at
this load, left.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_desk import START, _command_kinds, _desk, _open, _sqlite_counts
from scale_file import percentiles

from aftersales.adapters.clock import ManualClock

_ROOT = Path(__file__).resolve().parent.parent


def _old_module(rev: str, name: str) -> types.ModuleType:
    """Module ``name`` as it was at ``rev``, executed beside the current one (not registered)."""
    path = "src/" + name.replace(".", "/") + ".py"
    source = subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=_ROOT, check=True, capture_output=True, text=True
    ).stdout
    module = types.ModuleType(f"{name}__before")
    module.__file__ = str(_ROOT / path)
    module.__package__ = name.rpartition(".")[0]
    sys.modules[module.__name__] = module  # attrs and dataclasses look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def _swaps(rev: str, names: list[str]) -> list[tuple[object, str, Any, Any]]:
    """(owner, attribute, old value, new value) for each ``module:name`` or ``module:Class.name``, and
    for every loaded module holding the new function under the same name (imported by name)."""
    olds: dict[str, types.ModuleType] = {}
    found: list[tuple[object, str, Any, Any]] = []
    for spec in names:
        module_name, _, qualified = spec.partition(":")
        module = importlib.import_module(module_name)
        old = olds.get(module_name) or olds.setdefault(module_name, _old_module(rev, module_name))
        *owners, attr = qualified.split(".")
        new_owner: Any = module
        old_owner: Any = old
        for part in owners:
            new_owner, old_owner = getattr(new_owner, part), getattr(old_owner, part)
        new_value = new_owner.__dict__[attr] if owners else getattr(module, attr)
        old_value = old_owner.__dict__[attr] if owners else getattr(old, attr)
        found.append((new_owner, attr, old_value, new_value))
        if not owners:
            for other in list(sys.modules.values()):
                if other is not module and getattr(other, attr, None) is new_value:
                    found.append((other, attr, old_value, new_value))
    return found


def _switcher(swaps: list[tuple[object, str, Any, Any]], desk: Any) -> Callable[[bool], None]:
    def switch(new: bool) -> None:
        for owner, attr, old_value, new_value in swaps:
            setattr(owner, attr, new_value if new else old_value)
        # What a desk remembers per contact is shaped by the code that made it: made again.
        desk.context.notifications._addresses.clear()

    return switch


def _alternate(
    name: str, fn: Callable[[int], object], switch: Callable[[bool], None], n: int, block: int
) -> None:
    """Run ``fn(0..n-1)`` in blocks, old / new / new / old and again; print each mode's figures, and the
    median over each such run of four blocks of what the new code saved (the mean of its two old blocks'
    medians less its two new ones'): the load moves between blocks by more than most changes save, and
    four neighbouring blocks share most of it."""
    cpu: dict[bool, list[float]] = {False: [], True: []}
    wall: dict[bool, list[float]] = {False: [], True: []}
    blocks: list[float] = []
    kept = []
    for first in range(0, n, block):
        new = (first // block) % 4 in (1, 2)
        switch(new)
        these = []
        for i in range(first, min(first + block, n)):
            began, began_cpu = time.perf_counter(), time.thread_time_ns()
            kept.append(fn(i))
            these.append((time.thread_time_ns() - began_cpu) / 1e3)
            wall[new].append(time.perf_counter() - began)
        cpu[new] += these
        blocks.append(statistics.median(these))
    switch(True)
    fours = [blocks[i : i + 4] for i in range(0, len(blocks) - 3, 4)]
    paired = [(a + d) / 2 - (b + c) / 2 for a, b, c, d in fours]

    def line(new: bool) -> str:
        p50, p90, p99 = (x * 1e6 for x in percentiles(wall[new]))
        return f"CPU {statistics.median(cpu[new]):6.1f} µs  p50 {p50:5.0f} p90 {p90:5.0f} p99 {p99:6.0f} µs"

    saved = statistics.median(cpu[False]) - statistics.median(cpu[True])
    print(
        f"{name[:24]:24s} old {line(False)}\n{'':24s} new {line(True)}\n{'':24s} CPU saved {saved:+5.1f} µs"
        f" (medians); by runs of four blocks {statistics.median(paired):+5.1f} µs"
        f" ({min(paired):+.0f} to {max(paired):+.0f} over {len(paired)})",
        flush=True,
    )


def _url(kind: str, tmp: str, stack: contextlib.ExitStack) -> str:
    """The desk's store: a file in ``tmp``, memory, or a PostgreSQL schema dropped when ``stack`` ends."""
    if kind == "sqlite":
        return f"sqlite:///{tmp}/ab.db"
    if kind == "memory":
        return "memory://"
    import psycopg

    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        raise SystemExit("--url postgres needs AFTERSALES_PG_DSN")
    schema = f"code_ab_{os.getpid()}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    stack.callback(drop)
    return f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="the git revision of the old code")
    parser.add_argument("--swap", action="append", required=True, help="module:name or module:Class.name")
    parser.add_argument("--url", choices=("sqlite", "memory", "postgres"), default="sqlite")
    parser.add_argument("--live", type=int, default=3000, help="live tickets (default 3000)")
    parser.add_argument("--n", type=int, default=3000, help="commands of each kind (default 3000)")
    parser.add_argument("--block", type=int, default=50, help="commands per block (default 50)")
    parser.add_argument("--only", help="measure only the commands whose name starts with this")
    parser.add_argument(
        "--start", help="the desk clock's first instant, ISO (default bench_desk's 2026-03-02 09:00 Shanghai)"
    )
    args = parser.parse_args()
    swaps = _swaps(args.before, args.swap)
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        start = (
            START if args.start is None else datetime.fromisoformat(args.start).replace(tzinfo=START.tzinfo)
        )
        clock = ManualClock(start)
        desk = _desk(_url(args.url, tmp, stack), clock)
        ids = _open(desk, clock, max(args.live, args.n))
        desk.run_due_jobs()  # stamped, as a desk in service (see bench_desk)
        switch = _switcher(swaps, desk)
        for name, fn in _command_kinds(desk, clock, ids, random.Random(7)):
            if args.only and not name.startswith(args.only):
                for i in range(args.n):  # unmeasured: a dispatch takes the tickets the triages took
                    fn(i)
                continue
            _alternate(name, fn, switch, args.n, args.block)
        desk.shutdown()
        if args.url == "sqlite":
            for new in (False, True):
                switch(new)
                for name, (statements, pages) in _sqlite_counts(
                    Path(tmp) / f"counted{new}.db", 1000, start
                ).items():
                    mode = "new" if new else "old"
                    figures = f"{statements:5.2f} statements, {pages:5.2f} WAL pages"
                    print(f"  counted, {mode} {name[:24]:24s} {figures}")


if __name__ == "__main__":
    main()
