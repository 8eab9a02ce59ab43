"""Staff who follow a critical ticket read staff notices (seed 003: 特急问题…由部门负责人协调资源).

The notification policy makes the department head a follower of every event of a critical ticket. At
intake the head used to receive the customer's own acknowledgement ("We will respond by …", "please quote
the ticket number"), and later the customer's "please confirm" — words written to the customer. The head
now reads a staff notice in their own locale: the step, the priority, the due times. The customer's
notices are unchanged. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

HEAD_ZH = "head.zh@venus.example"
CUSTOMER = "13912345678"  # 张伟 reads Chinese: reached by SMS first
STAFF_ZH = {**STAFF, Role.DEPARTMENT_HEAD: [Contact("李部长", email=HEAD_ZH, locale="zh_Hant")]}


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def setup(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    clock, world, notifier = ManualClock(START), make_world(), MemoryNotifier()
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(
            url, pack="office_equipment", clock=clock, staff=STAFF_ZH, notifier=notifier
        ) as desk,
    ):
        register(desk, world)
        yield desk, clock, world, notifier


def test_the_department_head_reads_a_staff_notice_of_a_critical_intake(
    setup: tuple[ServiceDesk, ManualClock, World, MemoryNotifier],
) -> None:
    desk, clock, world, notifier = setup
    ticket_id = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="全楼打印停摆", priority=Priority.CRITICAL
    ).ticket.id
    desk.deliver()
    (customer,) = notifier.to(CUSTOMER)
    assert customer.subject == f"我们已收到您的服务请求（工单 {ticket_id}）"
    (head,) = notifier.to(HEAD_ZH)
    assert head.subject == f"【特急】工單 {ticket_id}：新工單已受理"
    assert "您的服務請求" not in head.body and "如需查詢" not in head.body
    # The critical response (30 working minutes from 09:00) is what the head coordinates against.
    assert "回應時限：2026年3月2日 上午9:30" in head.body

    desk.triage(world.agent, ticket_id, nature="outage", severity=Severity.SEVERE, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
    desk.contact_customer(
        world.senior,
        ticket_id,
        expected_at=clock.now() + timedelta(hours=1),
        note="已联系客户，告知预计上门时间",
    )
    desk.start_work(world.senior, ticket_id)
    desk.resolve(world.senior, ticket_id, summary="更换主板")
    desk.deliver()
    done = [m for m in notifier.to(HEAD_ZH) if "已處理完畢，待客戶確認" in m.subject]
    assert len(done) == 1 and "請確認" not in done[0].body
    customer_done = [m for m in notifier.to(CUSTOMER) if m.subject != customer.subject]
    assert any("确认" in m.subject + m.body for m in customer_done)  # the customer still asked to confirm


def test_a_normal_intake_tells_no_follower(
    setup: tuple[ServiceDesk, ManualClock, World, MemoryNotifier],
) -> None:
    desk, _, world, notifier = setup
    desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸")
    desk.deliver()
    assert not notifier.to(HEAD_ZH) and len(notifier.to(CUSTOMER)) == 1
