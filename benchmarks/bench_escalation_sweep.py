"""Benchmark: the SLA sweep's overdue-escalation pass at an operator's scale (issue 21, session 38).

A SQLite file of 50,000 complaints (tickets and their complaint files, written through the adapter in
transactions of 5,000), each escalated once: most escalations taken up, a few hundred (``--overdue``)
not taken up by a due already past, the rest due later. Measured in the same run, alternated, on a copy
of the file:

- *old*: the pass as it was before session 38 (every major and general complaint file read and parsed,
  the ticket of each with a late escalation read), kept here verbatim as the baseline;
- *new*: ``announce_overdue_escalations`` reading one range of the ``escalation_due`` key, a page of
  ``--page`` files a transaction, as ``jobs._overdue_escalations`` runs it.

Both are timed on the first sweep after the escalations fell due (the reminders written, then rolled
back, so every run finds the same work), and on a repeat sweep once the reminders are committed (nothing
new to remind). GC on, results kept alive; the median and p50/p90/p99 of the runs are printed.

Run: python benchmarks/bench_escalation_sweep.py [--complaints 50000] [--overdue 300] [--runs 7]
The file is built once in ``$AFTERSALES_BENCH_DIR`` (default ``/tmp/bench-38``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_file import KEEP, fmt, percentiles

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.complaints import ComplaintFile, ComplaintSeverity, EscalationRecord
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket, TicketKind
from aftersales.errors import DuplicateError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.customer_name import customer_name
from aftersales.service.desk import ServiceDesk
from aftersales.service.escalation_overdue import (
    CATCH_UP_BATCH,
    OVERDUE_JOB,
    announce_overdue_escalations,
    catch_up,
    reminded_roles,
)
from aftersales.service.job_marks import JobMark
from aftersales.service.notify import Notifications

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 1, 6, 9, 0, tzinfo=SH)
NOW = datetime(2026, 3, 3, 12, 5, tzinfo=SH)
AGENT = ActorRef("a1", Role.AGENT)
_OVER = frozenset({ComplaintState.CLOSED.value, ComplaintState.CANCELLED.value})


def data_dir() -> Path:
    path = Path(os.environ.get("AFTERSALES_BENCH_DIR", "/tmp/bench-38"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _complaint(n: int, count: int, overdue: int) -> tuple[Ticket, ComplaintFile]:
    """The ``n``-th complaint: received over 14 months, escalated at once, due two hours later; the
    last ``overdue`` not taken up by a due before ``NOW``, one in ten of the rest due after it."""
    if n >= count - overdue:
        at = NOW - timedelta(hours=3, minutes=n % 600)
    elif n % 10 == 0:
        at = NOW + timedelta(minutes=n % 600)
    else:
        at = START + (NOW - START) * n / count
    ticket = Ticket.open(
        id=TicketId(f"TS-{n:07d}"), customer_id=CustomerId(f"C{n % 20_000}"), channel=Channel.PHONE,
        category=Category.COMPLAINT, description="投诉：安装后漏水", received_at=at, taken_by=AGENT,
        kind=TicketKind.COMPLAINT,
    )  # fmt: skip
    taken = at + timedelta(minutes=30) if n < count - overdue and n % 10 != 0 else None
    reason = Reason("escalated_by_handler", {"trigger": "customer_dissatisfied", "note": "客户再次来电"})
    record = EscalationRecord(
        (Role.MANAGER,), reason,
        at, AGENT, at + timedelta(hours=2), acknowledged_at=taken, acknowledged_by=AGENT if taken else None,
    )  # fmt: skip
    severity = ComplaintSeverity.MAJOR if n % 7 == 0 else ComplaintSeverity.GENERAL
    file = ComplaintFile(
        ticket.id, ticket.customer_id, severity=severity, escalations=[record],
        solution="更换密封圈并上门致歉" if taken else "", registered_month=at.strftime("%Y-%m"),
    )  # fmt: skip
    return ticket, file


def the_file(count: int, overdue: int) -> Path:
    path = data_dir() / f"escalations-{count}-{overdue}.db"
    if path.exists():
        return path
    print(f"  building {path} ({count:,} complaints through the adapter) — once", flush=True)
    store = SqliteStore(f"sqlite:///{path}")
    for start in range(0, count, 5000):
        with store() as uow:
            for n in range(start, min(count, start + 5000)):
                ticket, file = _complaint(n, count, overdue)
                uow.tickets.add(ticket)
                uow.documents.add(file)
            uow.commit()
    store.close()
    return path


def old_pass(uow: UnitOfWork, notifications: Notifications, now: datetime) -> int:
    """The pass before session 38 (service/escalation_overdue.py at 55a93bc8), verbatim: the baseline."""
    files = [*uow.documents.query(ComplaintFile, severity=ComplaintSeverity.MAJOR.value)]
    files += uow.documents.query(ComplaintFile, severity=ComplaintSeverity.GENERAL.value)
    reminded = 0
    for file in sorted(files, key=lambda f: f.id):
        late = [(i, e) for i, e in enumerate(file.escalations) if e.overdue(now)]
        if not late or uow.tickets.get(file.id).state in _OVER:
            continue
        for index, escalation in late:
            mark = JobMark(f"{OVERDUE_JOB}:{file.id}:{index}", now)
            try:
                uow.documents.add(mark)
            except DuplicateError:
                continue
            values = {
                "complaint_id": file.id,
                "customer_name": customer_name(uow, file.customer_id),
                "reason": escalation.reason,
                "escalated_at": escalation.at,
                "due_at": escalation.due_at,
            }
            roles = reminded_roles(escalation.to)
            uow.outbox.put(notifications.staff_messages(OVERDUE_JOB, roles, values, mark.id, now, uow))
            reminded += 1
    return reminded


PAGES: list[float] = []
"""How long each transaction of the new pass took (its hold of the write lock, at most)."""


def new_pass(desk: ServiceDesk, page: int, commit: bool) -> Callable[[], int]:
    """The new pass as the job runs it: a page of files per transaction until none follows."""

    def run() -> int:
        reminded, after = 0, None
        while True:
            began = time.perf_counter()
            with desk.store() as uow:
                count, after = announce_overdue_escalations(
                    uow, desk.context.notifications, NOW, limit=page, after=after
                )
                if commit:
                    uow.commit()
            PAGES.append(time.perf_counter() - began)
            reminded += count
            if after is None:
                return reminded

    return run


def old_run(desk: ServiceDesk, commit: bool) -> Callable[[], int]:
    def run() -> int:
        with desk.store() as uow:
            found = old_pass(uow, desk.context.notifications, NOW)
            if commit:
                uow.commit()
        return found

    return run


def timed(runs: int, ops: dict[str, Callable[[], int]]) -> dict[str, list[float]]:
    """Each op ``runs`` times, alternated; seconds per run."""
    assert gc.isenabled()
    out: dict[str, list[float]] = {name: [] for name in ops}
    for _ in range(runs):
        for name, op in ops.items():
            began = time.perf_counter()
            KEEP.append(op())
            out[name].append(time.perf_counter() - began)
    return out


def report(title: str, found: dict[str, list[float]], reminded: dict[str, int]) -> None:
    print(title)
    for name, times in found.items():
        p50, p90, p99 = percentiles(times)
        print(
            f"  {name:<44} median {fmt(statistics.median(times)):>9}  p50 {fmt(p50)}  p90 {fmt(p90)}"
            f"  p99 {fmt(p99)}  (reminded {reminded[name]})"
        )


def catch_up_batches(desk: ServiceDesk) -> None:
    """The upgrade's catch-up on this file as a release before session 38 left it (no index row of the
    key): each transaction indexes ``CATCH_UP_BATCH`` files; printed, how long each held the write lock."""
    with desk.store() as uow:
        uow.run("DELETE FROM document_index WHERE kind = 'complaint_file' AND field = 'escalation_due'")
        uow.run("DELETE FROM documents WHERE kind = 'escalation_key_fill'")
        uow.commit()
    held: list[float] = []
    while True:
        with desk.store() as uow:
            began = time.perf_counter()
            uow.run("SELECT 1 FROM documents LIMIT 0")
            found = catch_up(uow, CATCH_UP_BATCH)
            uow.commit()
            held.append(time.perf_counter() - began)
        if not found:
            break
    p50, p90, p99 = percentiles(held)
    print(
        f"upgrade catch-up: {len(held):,} transactions of {CATCH_UP_BATCH} files; each p50 {fmt(p50)}"
        f"  p90 {fmt(p90)}  p99 {fmt(p99)}  max {fmt(max(held))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--overdue", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--page", type=int, default=CATCH_UP_BATCH)
    args = parser.parse_args()
    built = the_file(args.complaints, args.overdue)
    copy = built.with_name(f"run-{built.name}")
    shutil.copyfile(built, copy)
    stack = contextlib.ExitStack()
    try:
        desk = stack.enter_context(
            ServiceDesk.open(f"sqlite:///{copy}", pack="service_centre", clock=ManualClock(NOW))
        )
        print(
            f"{args.complaints:,} complaints, {args.overdue} escalations overdue, SQLite, GC on,"
            f" {args.runs} runs"
        )
        first = {"old: every complaint file read": old_run(desk, False),
                 f"new: key range, {args.page} a page": new_pass(desk, args.page, False)}  # fmt: skip
        reminded = {name: op() for name, op in first.items()}
        report("first sweep after the dues (rolled back each run)", timed(args.runs, first), reminded)
        print(f"  new: longest transaction of a page {fmt(max(PAGES))} ({len(PAGES)} pages)")
        new_pass(desk, args.page, True)()  # the reminders committed: the next sweeps have nothing new
        repeat = {"old: every complaint file read": old_run(desk, False),
                  f"new: key range, {args.page} a page": new_pass(desk, args.page, False)}  # fmt: skip
        reminded = {name: op() for name, op in repeat.items()}
        report("repeat sweep (all reminded)", timed(args.runs, repeat), reminded)
        catch_up_batches(desk)
    finally:
        stack.close()
        for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(f"{copy}.attachments", ignore_errors=True)


if __name__ == "__main__":
    main()
