# mypy: disable-error-code="arg-type"
"""A contact entered after the fact (``contact_customer(at=)``) after the SLA sweep announced the response
breach. Seed 003 二 3: the response is the contact itself (Y个工作小时内响应); seed 001 五(三)3: 沟通记录…
包括沟通时间. The live SLA, the ledger and the reports then say the response was met; the manager told
of the breach is told it is withdrawn (and why), and the alert record says so — one notice, not a second
on a repeated entry, none when the contact came too late anyway. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Category, Severity
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaAlert
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MANAGER = "manager@venus.example"


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=SHANGHAI)


def _announced(desk: ServiceDesk, w: World) -> str:
    """A repair whose response was due before 18:00 and announced breached by the 18:00 sweep."""
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    return tid


def _kinds(notifier: MemoryNotifier, tid: str) -> list[str]:
    keys = [m.idempotency_key.split(":") for m in notifier.to(MANAGER)]
    return [k[3].split("@")[0] for k in keys if k[0] == tid and k[1] == "sla" and k[2] == "response"]


def _alert(desk: ServiceDesk, tid: str) -> SlaAlert:
    with desk.store() as uow:
        return uow.documents.get(SlaAlert, f"{tid}:response:sla_breach")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_breach_undone_by_a_contact_entered_later_is_withdrawn_and_said_so(
    backend: str, tmp_path: Path
) -> None:
    notifier = MemoryNotifier()
    with world_desk(backend, tmp_path, notifier=notifier) as (desk, clock, w):
        clock.set(_at(9))
        tid = _announced(desk, w)
        clock.set(_at(17, 59))
        desk.sla_watch.sweep(Actor.system())
        desk.deliver()
        assert "sla_breach" in _kinds(notifier, tid)
        assert _alert(desk, tid).withdrawn_at is None
        clock.set(_at(18, 5))
        desk.contact_customer(w.junior, tid, note="上午已电话联系客户", at=_at(9, 30))
        desk.deliver()
        assert not desk.sla(w.manager, tid)["response"].breached
        assert _alert(desk, tid).withdrawn_at == _at(18, 5)
        assert _kinds(notifier, tid).count("sla_breach_withdrawn") == 1
        (told,) = [m for m in notifier.to(MANAGER) if "sla_breach_withdrawn" in m.idempotency_key]
        assert tid in told.body and "09:30" in told.body
        # Entered again (a second call recorded), swept again: nothing more is said.
        desk.contact_customer(w.junior, tid, note="补录第二次电话", at=_at(10))
        clock.advance(timedelta(hours=1))
        desk.sla_watch.sweep(Actor.system())
        desk.deliver()
        assert _kinds(notifier, tid).count("sla_breach_withdrawn") == 1
        assert _kinds(notifier, tid).count("sla_breach") == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_late_contact_entered_later_leaves_the_breach_standing(backend: str, tmp_path: Path) -> None:
    notifier = MemoryNotifier()
    with world_desk(backend, tmp_path, notifier=notifier) as (desk, clock, w):
        clock.set(_at(9))
        tid = _announced(desk, w)
        due = desk.sla(w.manager, tid)["response"].due_at
        assert due is not None
        clock.set(_at(17, 59))
        desk.sla_watch.sweep(Actor.system())
        clock.set(_at(18, 5))
        desk.contact_customer(w.junior, tid, note="下午已电话联系客户", at=due + timedelta(minutes=10))
        desk.deliver()
        assert desk.sla(w.manager, tid)["response"].breached
        assert _alert(desk, tid).withdrawn_at is None
        assert "sla_breach_withdrawn" not in _kinds(notifier, tid)
