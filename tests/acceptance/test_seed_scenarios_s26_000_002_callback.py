# mypy: disable-error-code="arg-type"
"""Seed 000 (7.服务回访) walked again (session 26): every callback learns the customer's satisfaction —
through the service desk with the general-maintenance pack, on memory, SQLite and PostgreSQL.

售后维护管理部门在服务结束后一定时间内对客户进行回访, 了解客户对服务的满意度和意见建议. Before session 26
the pack asked a satisfaction score only of an important or VIP customer or a critical problem (the
library's survey rule, seed 001's): a regular customer's callback was recorded and done with no
satisfaction at all, so the department's analysis (数据分析: …客户满意度等指标) lacked it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales import Plan, ServiceDesk, Severity, ValidationError
from aftersales.adapters.clock import ManualClock
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(backend, tmp_path, "general_maintenance") as opened:
        yield opened


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_regular_customers_callback_asks_the_satisfaction_and_keeps_the_suggestions(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as (desk, clock, world):
        clock.set(_at(2, 9))
        tid = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, asset_id=world.asset.id, description="水龙头漏水"
        ).ticket.id
        desk.triage(world.agent, tid, nature="leak", severity=Severity.LOW, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
        desk.start_work(world.junior, tid)
        desk.resolve(world.junior, tid, summary="更换阀芯")
        desk.confirm(world.customer_zh, tid, note="满意")
        clock.set(_at(4, 10))
        with pytest.raises(ValidationError) as refused:
            desk.record_callback(world.agent, tid, problem_back=False, comment="希望上门前先电话确认")
        assert refused.value.field == "satisfaction"
        assert [t.ticket_id for t in desk.callbacks.pending(world.manager)] == [tid]
        assert desk.callbacks.records(world.manager, tid) == []

        desk.record_callback(
            world.agent, tid, problem_back=False, satisfaction=4, comment="希望上门前先电话确认"
        )
        (record,) = desk.callbacks.records(world.manager, tid)
        assert (record.satisfaction, record.comment) == (4, "希望上门前先电话确认")
        assert desk.callbacks.pending(world.manager) == []
