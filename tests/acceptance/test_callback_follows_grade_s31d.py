"""Seed 001 三(七)1: 对于重大售后问题或重要客户, 售后团队应在问题处理完毕后进行客户满意度调查 — the survey is
made at the callback, after the handling, of an important (or VIP) customer. The callback's plan is made at
the acceptance; a customer made important between the acceptance and the call kept a callback planned for a
regular customer: no survey owed, recorded without one. Now the pending callback follows the customer's grade
in the command that changes it (as a reclassified complaint's follows its class, session 30), both ways, and
other customers' callbacks are left as they are. Exhibition-services pack; memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Category, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.errors import ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "exhibition_services")


def _done(desk: ServiceDesk, world: World, customer_id: str) -> str:
    """A stand's network problem of ``customer_id`` fixed and accepted: its callback is planned."""
    tid = desk.open_ticket(
        world.agent, customer_id=customer_id, description="展位网络断开", category=Category.TECHNICAL_SUPPORT
    ).ticket.id
    desk.triage(world.agent, tid, nature="network", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, tid)
    desk.resolve(world.senior, tid, summary="交换机重启, 已测试")
    desk.confirm(world.agent, tid, channel="phone")
    return tid


def _surveys(desk: ServiceDesk, world: World) -> dict[str, bool]:
    return {t.ticket_id: t.survey for t in desk.callbacks.pending(world.manager)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_customer_made_important_after_the_callback_was_planned_is_surveyed(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as (desk, _, world, _):
        regular = _done(desk, world, world.cust_zh.id)
        vip = _done(desk, world, world.cust_en.id)
        assert _surveys(desk, world) == {regular: False, vip: True}
        # The exhibitor signs a key-account contract: an important customer from now on.
        desk.register_customer(world.manager, attrs.evolve(world.cust_zh, tier=CustomerTier.IMPORTANT))
        assert _surveys(desk, world) == {regular: True, vip: True}
        (task,) = [t for t in desk.callbacks.pending(world.manager) if t.ticket_id == regular]
        survey_reason = next(r for r in task.reasons if r.code == "survey_customer_tier")  # why, in the plan
        assert survey_reason.params["tier"] == "important"
        with pytest.raises(ValidationError) as refused:  # the survey is owed now: nothing changes
            desk.record_callback(world.agent, regular, problem_back=False)
        assert refused.value.field == "survey"
        assert desk.callbacks.records(world.manager, regular) == []
        desk.record_callback(world.agent, regular, problem_back=False, satisfaction=5, attitude=4)
        (record,) = desk.callbacks.records(world.manager, regular)
        assert (record.satisfaction, record.attitude) == (5, 4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_customer_no_longer_important_owes_no_survey_and_others_keep_theirs(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as (desk, _, world, _):
        important = attrs.evolve(world.cust_zh, tier=CustomerTier.IMPORTANT)
        desk.register_customer(world.manager, important)
        was_important = _done(desk, world, world.cust_zh.id)
        vip = _done(desk, world, world.cust_en.id)
        assert _surveys(desk, world) == {was_important: True, vip: True}
        desk.register_customer(world.manager, attrs.evolve(important, tier=CustomerTier.REGULAR))
        assert _surveys(desk, world) == {was_important: False, vip: True}  # the VIP's is not touched
        desk.record_callback(world.agent, was_important, problem_back=False)  # no survey asked now
        with pytest.raises(ValidationError):
            desk.record_callback(world.agent, vip, problem_back=False)
