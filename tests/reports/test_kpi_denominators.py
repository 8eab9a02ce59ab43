"""What the KPI rates divide by (seed 001 考核指标), the same on memory, SQLite and PostgreSQL.

投诉处理成功率 is the share of complaints handled properly: a complaint cancelled (registered by mistake)
or withdrawn is not one to handle, as a cancelled ticket is not in the resolution rate. The callback rate
is the share of callbacks made on time: one not made and not yet due at the report's instant is not
late (yet).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Category, Channel, Plan, Priority, Severity
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.desk import ServiceDesk

from .stores import STORES, open_desk

SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))
ALWAYS = BusinessCalendar("Asia/Shanghai", {d: [(time(0), time(0))] for d in range(7)})
AGENT = ActorRef("agent-1", Role.AGENT)
CUSTOMER = ActorRef("c1", Role.CUSTOMER)
T0 = datetime(2026, 3, 30, 9, 0, tzinfo=SH)


def _complaint(n: int) -> Ticket:
    t = Ticket.open(
        id=TicketId(f"C-{n}"), customer_id=CustomerId("c1"), channel=Channel.PHONE,
        category=Category.COMPLAINT, description=f"投诉 {n}", received_at=T0 + timedelta(minutes=n),
        taken_by=AGENT,
    )  # fmt: skip
    t.contact_customer(
        AGENT, t.received_at + timedelta(minutes=5), channel="phone", note="已致电客户，了解故障情况"
    )
    return t


def tickets() -> list[Ticket]:
    """C-1 handled and called back on time; C-2 handled, its callback due on 2 April (after the month)
    and not made yet; C-3 cancelled as a duplicate."""
    out = []
    for n, callback_due in ((1, T0 + timedelta(days=1)), (2, datetime(2026, 4, 2, 10, tzinfo=SH))):
        t = _complaint(n)
        at = t.received_at
        assessment = Assessment("x", Severity.LOW, plan=Plan.REMOTE)
        t.triage(AGENT, at + timedelta(minutes=10), assessment, Priority.NORMAL, [Reason("d", {})])
        t.resolve(AGENT, at + timedelta(hours=1), summary="已致歉并退还上门费")
        t.confirm(CUSTOMER, at + timedelta(hours=2))
        t.schedule_callback(AGENT, at + timedelta(hours=2), callback_due)
        if n == 1:
            t.record_callback(AGENT, at + timedelta(hours=20), problem_back=False, facts={"satisfaction": 5})
        out.append(t)
    three = _complaint(3)
    three.cancel(AGENT, three.received_at + timedelta(minutes=30), "重复登记")
    return [*out, three]


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    yield from open_desk(request.param, tmp_path, at=T0 + timedelta(days=3), tickets=tickets)


def test_a_cancelled_complaint_is_not_one_to_handle(desk: ServiceDesk) -> None:
    total = kpi_report(reporting_for(desk.store), MARCH, ALWAYS).total
    assert (total.counts.complaints, total.counts.complaints_cancelled, total.counts.complaints_resolved) == (
        3, 1, 2,
    )  # fmt: skip
    assert total.complaint_resolution_rate == Decimal(1)  # both complaints to handle were handled
    assert total.resolution_rate == Decimal(1)  # the same reading as the resolution rate


def test_a_callback_not_yet_due_is_not_late(desk: ServiceDesk) -> None:
    queries = reporting_for(desk.store)
    total = kpi_report(queries, MARCH, ALWAYS).total  # as of 1 April 00:00: C-2's is due on the 2nd
    assert (total.counts.callbacks_due, total.counts.callbacks_on_time, total.counts.callbacks_pending) == (
        2, 1, 1,
    )  # fmt: skip
    assert total.callback_on_time_rate == Decimal(1)
    later = kpi_report(queries, MARCH, ALWAYS, as_of=datetime(2026, 4, 3, tzinfo=SH)).total
    assert later.counts.callbacks_pending == 0 and later.callback_on_time_rate == Decimal("0.5")
