"""The SLA sweep reaches every breach, however many come before it, and announces each once.

Before the sweep paged past what it had announced, every sweep re-read the ``limit`` earliest-due
tickets and never reached a later breach.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import Actor, Contact, Customer, CustomerId, ServiceDesk
from aftersales.adapters import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.errors import ValidationError
from aftersales.service.sla_watch import SweepMark

TZ = ZoneInfo("Asia/Shanghai")
AGENT, SYSTEM = Actor.agent("agent"), Actor.system()


@pytest.mark.parametrize("url", ["memory://", "sqlite"])
def test_three_sweeps_announce_every_resolution_breach_once(url: str, tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    desk = ServiceDesk.open(url if url != "sqlite" else f"sqlite:///{tmp_path / 's.db'}", clock=clock)
    manager = Actor.manager("mgr")
    desk.register_customer(
        manager, Customer(CustomerId("c1"), "李女士", Contact("李女士", phone="13800000000"), region="sh")
    )
    dues: dict[str, datetime] = {}
    for n in range(90):
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=TZ) + timedelta(minutes=7 * n))
        ticket = desk.open_ticket(AGENT, customer_id="c1", description=f"故障 {n}").ticket
        desk.triage(AGENT, ticket.id, nature="leak", severity=Severity.LOW, plan=Plan.ON_SITE)
        due = desk.ticket(AGENT, ticket.id).resolution_due_at
        assert due is not None
        dues[ticket.id] = due
    ordered = sorted(dues.values())
    announced: Counter[str] = Counter()
    for at in (ordered[30], ordered[60], ordered[-1] + timedelta(days=5)):
        clock.set(at + timedelta(seconds=1))
        report = desk.sla_watch.sweep(SYSTEM, limit=10)  # 10 a page: many pages per sweep
        for key in report.breaches:
            ticket_id, target = key.rsplit(":", 1)
            if target == "resolution":
                assert dues[ticket_id] <= at + timedelta(seconds=1)
                announced[ticket_id] += 1
    assert set(announced) == set(dues)
    assert max(announced.values()) == 1
    with desk.store() as uow:
        mark = uow.documents.get(SweepMark, SweepMark.ID)
    assert mark.ticket_id == max(dues, key=lambda t: (dues[t], t))
    # A repeat sweep starts past the mark: nothing left to read, nothing announced again.
    again = desk.sla_watch.sweep(SYSTEM)
    assert again.breaches == () and again.checked == 0
    # A full sweep re-reads them all and still announces nothing twice.
    full = desk.sla_watch.sweep(SYSTEM, full=True)
    assert full.checked == len(dues) and not [b for b in full.breaches if b.endswith(":resolution")]


def test_sweep_page_size_is_checked() -> None:
    desk = ServiceDesk.open("memory://")

    with pytest.raises(ValidationError) as caught:
        desk.sla_watch.sweep(SYSTEM, limit=0)
    assert caught.value.field == "limit"
