"""A dealer's ledger page (seed 002: its own tickets and those dispatched to it) on a SQLite file.

Dealer staff's ledger is ``TicketFilter(dealer_scope=d)``: two index ranges — the dealer index and the
partial dispatched-dealer index — merged in order (``MERGE (UNION ALL)``), stopping at the page's end.
Beside it, in the same run: the dealer's own tickets alone (``dealer_id=d``, one range: what the ledger
listed before dispatched tickets were the dealer's) as the baseline, and the same scope written as one
``OR`` of the two columns, which SQLite reads whole and sorts for every page (what the arms avoid).

The file: ``--tickets`` tickets of the scale generator (300 dealers, 2000 engineers, 30 s apart),
written with ``add_many`` (set-up, not measured); one ticket in eight has a dealer as its assignee,
mostly another than its own (set-up shortcut: the assignee is set, the history still names the engineer;
the lists read only the ledger columns). Each run opens the first
page, then the 10th (cursor walked once per dealer beforehand), of 200 random dealers. Figures: pages/s
per run (median, min–max), latency p50/p90/p99, and CPU time per page (``time.process_time``: the
machine is shared, wall time is noisy). GC stays on; results are kept alive.

    PYTHONPATH=src python benchmarks/bench_dealer_scope.py --tickets 200000 --runs 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scale_file import DEALERS, KEEP, Runs, make_ticket

from aftersales.adapters.sql_ledger import ROW_COLUMNS, keyset, where
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.ids import DealerId
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.ports.queries import Page, PageRequest, Sort, TicketFilter
from aftersales.ports.ticket_index import TicketRow, ticket_row_of

PAGE = 50


def build(path: Path, count: int, batch: int = 20_000) -> int:
    """Write the file; returns how many tickets are dispatched to a dealer other than their own."""
    store = SqliteStore(f"sqlite:///{path}")
    dispatched = 0
    try:
        for start in range(0, count, batch):
            tickets = []
            for n in range(start, min(count, start + batch)):
                ticket = make_ticket(n)
                if n % 8 == 0:
                    dealer = DealerId(f"D{(n * 7 + 1) % DEALERS}")
                    ticket.assignee = Assignee(AssigneeKind.DEALER, dealer, "特约承销商")
                    dispatched += dealer != ticket.dealer_id
                tickets.append(ticket)
            with store() as uow:
                uow.tickets.add_many(tickets)
                uow.commit()
        conn = store.acquire()
        conn.execute("ANALYZE")
        store.release(conn)
    finally:
        store.close()
    return dispatched


def _or_page(store: SqliteStore, dealer: str, page: PageRequest) -> Page[TicketRow]:
    """The dealer's scope as one OR of the two columns (the WHERE clause ``where`` writes for it)."""
    parts, params = where(TicketFilter(dealer_scope=dealer), "?", "LIKE")
    order, after, after_params, _ = keyset(page.sort, page.cursor, "?")
    if after is not None:
        parts.append(after)
        params += after_params
    select = ", ".join(f"tickets.{c}" for c in ROW_COLUMNS)
    sql = f"SELECT {select} FROM tickets WHERE {' AND '.join(parts)} ORDER BY {order} LIMIT ?"
    conn = store.acquire()
    try:
        rows = conn.execute(sql, (*params, page.limit + 1)).fetchall()
    finally:
        store.release(conn)
    return Page([ticket_row_of(r) for r in rows[: page.limit]])


def _cpu(runs: int, per_run: int, op: Callable[[int], object]) -> float:
    """Median over runs of the CPU time per operation."""
    per_op = []
    for r in range(runs):
        began = time.process_time()
        for i in range(per_run):
            KEEP.append(op(r * per_run + i))
        per_op.append((time.process_time() - began) / per_run)
    return statistics.median(per_op)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dealers.db"
        began = time.perf_counter()
        dispatched = build(path, args.tickets)
        print(
            f"file: {args.tickets:,} tickets, {dispatched:,} dispatched to another dealer than their own"
            f" (written in {time.perf_counter() - began:.0f} s)"
        )
        store = SqliteStore(f"sqlite:///{path}")
        rnd = random.Random(7)
        dealers = [f"D{rnd.randrange(DEALERS)}" for _ in range(200)]
        tenth: dict[tuple[str, str], str | None] = {}
        for dealer in set(dealers):  # the cursor of each dealer's 10th page, in both filters
            for name, f in (
                ("scope", TicketFilter(dealer_scope=dealer)),
                ("own", TicketFilter(dealer_id=dealer)),
            ):
                cursor = None
                with store() as uow:
                    for _ in range(9):
                        cursor = uow.tickets.query_rows(f, PageRequest(PAGE, cursor)).next_cursor
                tenth[(name, dealer)] = cursor

        def page_of(f: TicketFilter, cursor: str | None) -> object:
            with store() as uow:
                return uow.tickets.query_rows(f, PageRequest(PAGE, cursor, Sort.RECEIVED_DESC))

        ops: dict[str, Callable[[int], object]] = {
            "dealer's scope, first page": lambda i: page_of(
                TicketFilter(dealer_scope=dealers[i % 200]), None
            ),
            "  baseline: its own tickets only": lambda i: page_of(
                TicketFilter(dealer_id=dealers[i % 200]), None
            ),
            "  the scope as one OR (sorted)": lambda i: _or_page(store, dealers[i % 200], PageRequest(PAGE)),
            "dealer's scope, 10th page": lambda i: page_of(
                TicketFilter(dealer_scope=dealers[i % 200]), tenth[("scope", dealers[i % 200])]
            ),
            "  baseline: its own tickets only, 10th": lambda i: page_of(
                TicketFilter(dealer_id=dealers[i % 200]), tenth[("own", dealers[i % 200])]
            ),
        }
        for label, op in ops.items():
            timed = Runs().measure(args.runs, 200, op)
            cpu = _cpu(args.runs, 200, op)
            print(f"{timed.line(label, 'pages/s')}  CPU {cpu * 1e6:,.0f} µs/page")
        store.close()


if __name__ == "__main__":
    main()
