"""A month of report data: the reporting tickets plus names, priorities and SLA due times."""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from pathlib import Path

from aftersales.adapters.clock import ManualClock
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Priority
from aftersales.domain.ids import DealerId
from aftersales.domain.parties import Dealer
from aftersales.domain.ticket import Ticket
from aftersales.ports.reporting import Period
from aftersales.service.desk import ServiceDesk

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from reporting_data import SH, assets, tickets

MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))
GENERATED = datetime(2026, 4, 1, 9, 30, tzinfo=SH)
CALENDAR = BusinessCalendar("Asia/Shanghai", {d: [(time(9), time(18))] for d in range(5)})
NAMES = {
    "dealer-a": "上海浦东特约承销商",
    "dealer-b": "北京朝阳特约承销商",
    "dealer-c": "广州天河特约承销商",
    "CT-1188": "连体坐便器 CT-1188",
    "BS-200": "台上盆 BS-200",
}


def sla_tickets() -> list[Ticket]:
    """The reporting tickets with priorities and due times: some answered or solved late."""
    out = tickets()
    for i, t in enumerate(out):
        if t.priority is None:
            continue
        t.priority = (Priority.CRITICAL, Priority.EXPEDITED, Priority.NORMAL, Priority.NORMAL)[i % 4]
        hours = {Priority.CRITICAL: 4, Priority.EXPEDITED: 8, Priority.NORMAL: 24}[t.priority]
        t.response_due_at = t.received_at + timedelta(minutes=30 + 10 * (i % 7))
        t.resolution_due_at = t.received_at + timedelta(hours=hours)
    return out


def fill(desk: ServiceDesk, sla: bool = True) -> None:
    """Register the dealers and units and store the month's tickets (with SLA dues when ``sla``)."""
    with desk.store() as uow:
        for a in assets():
            uow.assets.add(a)
        for n, code in enumerate(("a", "b", "c")):
            name = NAMES[f"dealer-{code}"]
            uow.dealers.add(Dealer(DealerId(f"dealer-{code}"), name, f"R{n}", frozenset({f"R{n}"})))
        for t in sla_tickets() if sla else tickets():
            uow.tickets.add(t)
        uow.commit()


def report_desk(sla: bool = True) -> ServiceDesk:
    """A memory desk holding the month, its clock on 2 April 2026."""
    clock = ManualClock(datetime(2026, 4, 2, 12, tzinfo=SH))
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock)
    fill(desk, sla)
    return desk
