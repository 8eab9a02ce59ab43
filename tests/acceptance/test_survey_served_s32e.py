# mypy: disable-error-code="arg-type"
"""Seed 000 外部评估 1 (定期开展客户满意度调查) and seed 001 三(七)1 (在问题处理完毕后进行客户满意度调查),
as a peer tester with the general_maintenance pack on memory, SQLite and PostgreSQL (session 32 e).

The pack samples customers served within 180 days. A customer whose only call is still open, or was
called off, had no service to judge: the campaign asked them anyway (any ticket received in the window
"served"), so they sat on the call list and counted in the sample and its response rate.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _open(desk: ServiceDesk, world: World, customer_id: str) -> str:
    tid = desk.open_ticket(world.agent, customer_id=customer_id, description="设备异响").ticket.id
    desk.triage(world.agent, tid, nature="noise", severity=Severity.LOW)
    return tid


def _serve(desk: ServiceDesk, world: World, tid: str) -> None:
    desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    desk.resolve(world.junior, tid, summary="紧固螺丝")


def _asked(desk: ServiceDesk, world: World, campaign_id: str) -> tuple[list[str], int]:
    campaign = desk.surveys.start(world.manager, campaign_id=campaign_id, period=f"2026-{campaign_id}")
    tasks = sorted(t.customer_id for t in desk.surveys.tasks(world.agent, campaign_id))
    return tasks, campaign.sampled


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_survey_asks_the_customers_served_not_those_whose_call_is_open_or_cancelled(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="general_maintenance") as (desk, clock, world):
        waiting = Customer(CustomerId("cust-wait"), "刘洋", Contact("刘洋", phone="13911112222"), region="SH")
        desk.register_customer(world.manager, waiting)
        served = _open(desk, world, world.cust_zh.id)
        _serve(desk, world, served)
        desk.confirm(world.customer_zh, served)
        called_off = _open(desk, world, world.cust_en.id)
        desk.cancel(world.customer_en, called_off, reason="自己修好了")
        still_open = _open(desk, world, waiting.id)
        clock.advance(timedelta(days=2))
        # Only Zhang Wei had a service to judge: one task, a sample of one (the results' rate over it).
        assert _asked(desk, world, "Q1") == ([world.cust_zh.id], 1)
        results = desk.surveys.results(world.manager, "Q1")
        assert results.total.sampled == 1
        # Liu Yang's repair done (resolved, awaiting acceptance), the next campaign asks them.
        _serve(desk, world, still_open)
        assert _asked(desk, world, "Q2") == ([waiting.id], 1)
