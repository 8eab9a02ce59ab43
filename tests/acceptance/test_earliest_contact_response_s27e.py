# mypy: disable-error-code="arg-type"
"""The response is the earliest contact, by when it was made, not the first one recorded.

Seed 003 二 3 (Y个工作小时内响应: 与客户取得联系) and seed 001 五(三)3 (沟通记录…包括沟通时间) judge when
the customer was contacted. An engineer called at 09:30 away from the system; the agent, not knowing,
recorded her own call at 17:30, after the due time; the engineer enters his 09:30 call at 18:05
(``contact_customer(at=)``). The response was met at 09:30: in ``desk.sla()``, the KPI, the breach report
and the archive; the breach the sweep announced at 17:59 is withdrawn and the manager is told once.
Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.sla import sla_breaches
from aftersales.service.actors import Actor
from aftersales.service.sla_watch import SlaAlert
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MANAGER = "manager@venus.example"
SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))


def _at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_contact_made_earlier_but_entered_after_a_late_response_is_the_response(
    backend: str, tmp_path: Path
) -> None:
    notifier = MemoryNotifier()
    with world_desk(backend, tmp_path, notifier=notifier) as (desk, clock, w):
        clock.set(_at(9))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        due = desk.sla(w.manager, tid)["response"].due_at
        assert due is not None and _at(9, 30) < due < _at(17, 30)
        clock.set(_at(17, 30))
        desk.contact_customer(w.agent, tid, note="客服致电客户，告知工程师明日上门")
        assert desk.sla(w.manager, tid)["response"].breached  # the first recorded contact came late
        clock.set(_at(17, 59))
        desk.sla_watch.sweep(Actor.system())
        desk.deliver()
        clock.set(_at(18, 5))
        desk.contact_customer(w.junior, tid, note="上午已电话联系客户", at=_at(9, 30))
        desk.deliver()
        response = desk.sla(w.manager, tid)["response"]
        assert response.met_at == _at(9, 30) and not response.breached
        with desk.store() as uow:
            assert uow.documents.get(SlaAlert, f"{tid}:response:sla_breach").withdrawn_at == _at(18, 5)
        told = [m for m in notifier.to(MANAGER) if "sla_breach_withdrawn" in m.idempotency_key]
        assert len(told) == 1 and tid in told[0].body and "09:30" in told[0].body
        as_of = _at(9, day=3)
        kpi = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=as_of).total
        assert (kpi.response_met, kpi.response_missed, kpi.response_on_time_rate) == (1, 0, 1)
        assert kpi.response.count == 1 and kpi.response.mean is not None
        assert kpi.response.mean.total_seconds() == 30 * 60
        assert sla_breaches(desk, w.manager, MARCH, as_of=as_of).total.response_breached == 0
        contacts = desk.archives.customer_archive(w.manager, w.cust_zh.id).contacts
        assert [c.at for c in contacts if c.ticket_id == tid and c.kind == "contact"] == [
            _at(9, 30),
            _at(17, 30),
        ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_later_contact_entered_afterwards_leaves_the_first_response(backend: str, tmp_path: Path) -> None:
    # A call entered after the fact but made after the recorded response changes nothing.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(9))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        clock.set(_at(9, 20))
        desk.contact_customer(w.agent, tid, note="客服致电客户")
        clock.set(_at(11))
        desk.contact_customer(w.agent, tid, note="补录十点的电话", at=_at(10))
        assert desk.sla(w.manager, tid)["response"].met_at == _at(9, 20)
        kpi = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=_at(9, day=3)).total
        assert kpi.response.mean is not None and kpi.response.mean.total_seconds() == 20 * 60
