# mypy: disable-error-code="arg-type"
"""Whoever holds a cancelled ticket is told (session 20), on memory, SQLite and PostgreSQL.

A call the customer called off (or the desk cancelled, or an erasure cancelled with the person) told
nobody: the engineer it was dispatched to kept the visit in their plan and went to a customer who no
longer expected them — after an erasure, to an address that no longer exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Plan, Severity
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk

ENGINEER = "13700000001"  # 李工's mobile: a reader of Chinese is reached by SMS first
CUSTOMER = "13912345678"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ServiceDesk, World, MemoryNotifier]]:
    with noticed_desk(request.param, tmp_path, "office_equipment") as (opened, _clock, world, notifier):
        yield opened, world, notifier


def _dispatched(d: ServiceDesk, world: World) -> str:
    tid = d.open_ticket(world.agent, customer_id="cust-zh", description="复印机不出纸").ticket.id
    d.triage(world.agent, tid, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    d.dispatch(world.agent, tid, engineer_id="eng-jr")
    return tid


def _cancel_notices(notifier: MemoryNotifier, address: str, tid: str) -> list[str]:
    return [m.body for m in notifier.to(address) if tid in m.body and "取消" in m.body]


def test_the_engineer_sent_is_told_the_job_was_called_off(
    desk: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    d, world, notifier = desk
    tid = _dispatched(d, world)
    d.cancel(world.customer_zh, tid, reason="客户自行修好了")
    d.deliver()
    (told,) = _cancel_notices(notifier, ENGINEER, tid)
    assert "客户自行修好了" in told
    assert _cancel_notices(notifier, CUSTOMER, tid) == []  # the customer called it off: nothing to tell


def test_an_erasure_that_cancels_the_job_tells_the_engineer_too(
    desk: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    d, world, notifier = desk
    tid = _dispatched(d, world)
    d.privacy.erase_customer(world.manager, "cust-zh", "客户要求删除个人信息", cancel_open_tickets=True)
    d.deliver()
    assert len(_cancel_notices(notifier, ENGINEER, tid)) == 1


def test_a_call_cancelled_before_anyone_was_sent_tells_no_engineer(
    desk: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    d, world, notifier = desk
    tid = d.open_ticket(world.agent, customer_id="cust-zh", description="复印机不出纸").ticket.id
    d.cancel(world.agent, tid, reason="重复登记")
    d.deliver()
    assert not [m for m in notifier.sent if tid in m.body and "取消" in m.body]
