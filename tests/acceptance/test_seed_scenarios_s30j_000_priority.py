# mypy: disable-error-code="arg-type"
"""Seed 000 (客户售后维护管理办法) read whole for customer tiers (session 30, j), on memory, SQLite and
PostgreSQL, with the general-maintenance pack.

The seed applies to every customer alike (适用范围: 本办法适用于公司所有客户的售后维护管理工作; 客户至上原则:
始终将客户的需求和利益放在首位) and grades a call by the problem alone (售后维护服务流程 3. 问题评估:
售后维护团队对客户反馈的问题进行评估,确定问题的严重程度和处理方案). It names no VIP, no 重要客户, no
customer grade anywhere. Session 30: the pack kept the library's one-level raise for a VIP
(``vip_raises = 1``), so a VIP's problem assessed as medium was graded above another customer's problem
assessed the same and, called in later, went first in the queue.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Plan, Severity
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "general_maintenance")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vips_problem_is_graded_as_anyones_and_waits_its_turn(backend: str, tmp_path: Path) -> None:
    # Monday 2 March: a customer reports a noisy air conditioner at 09:00, a VIP the same problem at 09:10;
    # both are assessed medium, on site. Same problem, same grade: the earlier call is first.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        assert world.cust_en.tier.value == "vip" and world.cust_zh.tier.value != "vip"
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
        first = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="空调异响").ticket.id
        desk.triage(world.agent, first, nature="noise", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        clock.set(datetime(2026, 3, 2, 9, 10, tzinfo=SHANGHAI))
        vip = desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="空调异响").ticket.id
        desk.triage(world.agent, vip, nature="noise", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        tickets = {tid: desk.ticket(world.manager, tid) for tid in (first, vip)}
        assert tickets[vip].priority == tickets[first].priority
        page = desk.ledger(world.agent, TicketFilter(is_open=True), PageRequest(10, sort=Sort.PRIORITY))
        assert [t.id for t in page.items] == [first, vip]
