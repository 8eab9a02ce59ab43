"""One callback, one deadline, when the SLA counts it in working hours (seed 003 二 5:
客服专员在24小时内对客户进行回访).

``[callback] service_within_hours`` dates the callback task (and the ticket's ``callback_due_at``: the
ledger, the overdue callbacks) and ``[sla] callback_hours`` the SLA's callback target. The registry links
the two (one named follows to the other, two different are refused) but skipped the check when
``[sla] callback_in_working_hours = true``, another unit: the task then fell due 24 wall-clock hours after
the acceptance while the SLA target fell due 24 working hours after it (three working days), and a
``service_within_hours`` the pack named beside it was used for the task while the SLA said otherwise.
Now ``sla.callback_hours`` is the one deadline in working hours: the task falls due with the SLA target,
and a pack naming ``callback.service_within_hours`` beside ``callback_in_working_hours = true`` is refused
naming both keys. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.errors import ConfigurationError
from aftersales.policies.registry import resolve_policies
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, START, make_world, register, store_url

WORKING = "[sla]\ncallback_hours = 24\ncallback_in_working_hours = true\n"


def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(f'[pack]\nname = "p"\nextends = "office_equipment"\n\n{body}', encoding="utf-8")
    return path


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_url(request.param, tmp_path) as found:
        yield found


def _accepted(url: str, pack: Path) -> tuple[datetime | None, datetime | None, datetime | None]:
    """A repair accepted Monday 09:00: the ticket's callback due, its task's, the SLA target's."""
    clock, world = ManualClock(START), make_world()
    with ServiceDesk.open(url, pack=str(pack), clock=clock, staff=STAFF) as desk:
        register(desk, world)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, tid, nature="fault", severity=Severity.LOW, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
        desk.start_work(world.senior, tid)
        desk.resolve(world.senior, tid, summary="换搓纸轮")
        desk.confirm(world.customer_zh, tid)
        (task,) = desk.callbacks.pending(world.manager)
        target = desk.sla(world.manager, tid).get("callback")
        assert target is not None
        return desk.ticket(world.manager, tid).callback_due_at, task.due_at, target.due_at


def test_a_working_hour_callback_task_falls_due_with_the_sla_target(url: str, tmp_path: Path) -> None:
    ticket_due, task_due, sla_due = _accepted(url, _pack(tmp_path, WORKING))
    # accepted Monday 09:00; 24 working hours are three 8-hour days: Wednesday 18:00
    assert sla_due == datetime(2026, 3, 4, 18, 0, tzinfo=SHANGHAI)
    assert ticket_due == task_due == sla_due


def test_a_wall_clock_callback_keeps_one_deadline_too(url: str, tmp_path: Path) -> None:
    ticket_due, task_due, sla_due = _accepted(url, _pack(tmp_path, "[sla]\ncallback_hours = 24\n"))
    assert ticket_due == task_due == sla_due == START + timedelta(hours=24)


def test_service_within_hours_beside_working_hours_is_refused_naming_both(tmp_path: Path) -> None:
    body = WORKING + "[callback]\nservice_within_hours = 24\n"
    with pytest.raises(ConfigurationError) as refused:
        resolve_policies(_pack(tmp_path, body))
    assert refused.value.key == "callback.service_within_hours"
    assert "sla.callback_in_working_hours" in str(refused.value)
    assert "sla.callback_hours" in str(refused.value)
