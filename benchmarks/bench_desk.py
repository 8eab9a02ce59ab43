# mypy: disable-error-code="arg-type"
"""Service-desk benchmark: one full command through ``ServiceDesk`` on SQLite, and one rendered notification.

Targets (issue 8): a full command (load, permission, transition, policies, save, outbox, commit) ≤ 300 µs;
rendering one notification ≤ 20 µs. The baseline, measured in the same run on the same disk, is plain
``sqlite3`` reading and writing one JSON row of the same ticket per transaction (WAL, synchronous=NORMAL,
like the adapter). Run: ``python benchmarks/bench_desk.py [--n 2000]``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.i18n.notifications import default_renderer
from aftersales.serialization import dumps
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
COMMAND_TARGET_US = 300.0
RENDER_TARGET_US = 20.0


def _per_call_us(fn: Callable[[int], object], n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - start) / n * 1e6


def _desk(path: Path, clock: ManualClock) -> ServiceDesk:
    desk = ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware", clock=clock)
    dealer = Dealer(
        DealerId("dealer-sh"),
        "浦东特约承销商",
        "SH",
        frozenset({"SH"}),
        Contact("陈店长", phone="13900000001"),
    )
    desk.register_dealer(MANAGER, dealer)
    for i in range(20):
        contact = Contact(f"客户{i}", email=f"c{i}@example.cn", locale="zh_Hans" if i % 2 else "en")
        desk.register_customer(
            MANAGER, Customer(CustomerId(f"c{i}"), f"客户{i}", contact, region="SH", dealer_id=dealer.id)
        )
    return desk


def _open(desk: ServiceDesk, clock: ManualClock, n: int) -> list[str]:
    ids: list[str] = []
    for i in range(n):
        clock.advance(timedelta(seconds=1))
        ids.append(desk.open_ticket(AGENT, customer_id=f"c{i % 20}", description="马桶漏水").ticket.id)
    return ids


def _baseline(path: Path, ticket_json: str, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL)")
    conn.executemany("INSERT INTO t VALUES (?, 0, ?)", [(f"T{i}", ticket_json) for i in range(500)])

    def one(i: int) -> None:
        key = f"T{i % 500}"
        conn.execute("BEGIN IMMEDIATE")
        version, data = conn.execute("SELECT version, data FROM t WHERE id = ?", (key,)).fetchone()
        doc = json.loads(data)
        doc["version"] = version + 1
        conn.execute(
            "UPDATE t SET version = ?, data = ? WHERE id = ? AND version = ?",
            (version + 1, json.dumps(doc, ensure_ascii=False), key, version),
        )
        conn.execute("COMMIT")

    result = _per_call_us(one, n)
    conn.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="commands per figure (default 2000)")
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(START)
        desk = _desk(Path(tmp) / "desk.db", clock)
        new = _open(desk, clock, n)
        sample = desk.ticket(AGENT, new[0])
        clock.advance(timedelta(seconds=1))

        def triage(i: int) -> None:
            desk.triage(AGENT, new[i], nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)

        def dispatch(i: int) -> None:
            desk.dispatch(AGENT, new[i], dealer_id="dealer-sh")

        def note(i: int) -> None:
            desk.note_to_customer(AGENT, new[i % 500], text="工程师已出发")

        figures = {
            "triage (priority policy)": _per_call_us(triage, n),
            "dispatch (to the dealer)": _per_call_us(dispatch, n),
            "note_to_customer": _per_call_us(note, n),
        }
        with desk.store() as uow:
            ticket_json = dumps(uow.tickets.get(sample.id))
        baseline = _baseline(Path(tmp) / "baseline.db", ticket_json, n)
        desk.shutdown()

    print(f"plain sqlite3 read+write of one JSON ticket row: {baseline:8.1f} µs  (baseline)")
    for name, us in figures.items():
        verdict = "ok" if us <= COMMAND_TARGET_US else "OVER TARGET"
        print(
            f"desk {name:28s} {us:8.1f} µs  {us / baseline:5.1f}× baseline  "
            f"target ≤ {COMMAND_TARGET_US:.0f} µs  {verdict}"
        )

    renderer = default_renderer()
    values = {
        "ticket_id": "SR-2026-000001",
        "received_at": START,
        "response_due_at": START + timedelta(hours=4),
    }
    for locale, tz in (("zh_Hans", "Asia/Shanghai"), ("en", "Europe/London")):
        renderer.render("ticket_received", locale, tz, values)  # warm the locale's state
        reps = 20_000

        def one(i: int, locale: str = locale, tz: str = tz) -> object:
            return renderer.render("ticket_received", locale, tz, values)

        us = _per_call_us(one, reps)
        fmt_us = _per_call_us(
            lambda i: "{a} {b}".format(a=values["ticket_id"], b=values["received_at"]), reps
        )
        verdict = "ok" if us <= RENDER_TARGET_US else "OVER TARGET"
        print(
            f"render ticket_received [{locale:7s}]           {us:8.1f} µs  {us / fmt_us:5.1f}× str.format  "
            f"target ≤ {RENDER_TARGET_US:.0f} µs  {verdict}"
        )


if __name__ == "__main__":
    main()
