# mypy: disable-error-code="arg-type"
"""An engineer who left (离职/停用) or is away (请假) is given no work by any dispatch path (seed 003 派工).

Seed 003: 客服中心根据服务类型、工程师技能特长及地理位置,进行合理派工; 特急问题则启动应急小组. Before this,
an engineer had no such state: one who had left could still be chosen by the pack's dispatch, sent a
ticket by hand, put on call, added to a critical ticket's team or given a maintenance visit. Now the
service heads deactivate, reactivate or record an absence through master data (with a reason, audited),
and every path asks whether the engineer can go. Their open tickets stay where they are and are
listed, for the office to dispatch again (no seed says who takes over). Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.availability import Absence
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.domain.teams import OnCallShift, Team, TeamKind
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import START, World, world_desk

NIGHT = START.replace(hour=23)
"""Monday 23:00 in Shanghai: outside working hours."""


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(request.param, tmp_path) as found:
        yield found


def _ticket(desk: ServiceDesk, world: World, priority: Priority | None = None) -> str:
    ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="水箱漏水").ticket.id
    if priority is None:
        desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    else:
        desk.triage(
            world.agent, ticket_id, nature="leak", severity=Severity.SEVERE, plan=Plan.ON_SITE,
            priority=priority, priority_reason="整栋楼停水",
        )  # fmt: skip
    return ticket_id


def _codes(event: Any) -> list[str]:
    return [r["code"] for r in event.payload["reasons"]]


def _only_junior(desk: ServiceDesk, world: World) -> None:
    """The junior engineer is the only one in the customer's region (the others work in Beijing)."""
    for engineer in (world.eng_senior, world.eng_dealer):
        desk.register_engineer(world.manager, attrs.evolve(engineer, region="BJ"))


def test_a_deactivated_engineer_is_not_dispatched_and_its_open_work_is_listed(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    _only_junior(desk, world)
    held = _ticket(desk, world)
    assert desk.dispatch(world.agent, held).ticket.assignee.id == world.eng_junior.id
    change = desk.master_data.deactivate_engineer(world.manager, world.eng_junior.id, reason="3 月 2 日离职")
    assert change.engineer.active is False
    assert change.open_tickets == (held,)  # left where it is, for the office to dispatch again
    assert desk.ticket(world.manager, held).assignee.id == world.eng_junior.id
    (load,) = [x for x in desk.engineer_loads(world.manager) if x.engineer_id == world.eng_junior.id]
    assert (load.open, load.active, load.has_capacity) == (1, False, False)  # for the duty manager

    fresh = _ticket(desk, world)
    result = desk.dispatch(world.agent, fresh)  # nobody else in the region: escalated, not given to him
    assert result.ticket.assignee is None
    assert result.events[-1].action == "dispatch_failed"
    # By hand neither: nobody would go (a typed refusal naming the argument; nothing changes).
    with pytest.raises(ValidationError) as refused:
        desk.dispatch(world.agent, fresh, engineer_id=world.eng_junior.id)
    assert refused.value.field == "engineer_id"
    assert desk.ticket(world.manager, fresh).assignee is None

    # The office re-dispatches his open ticket: never back to him.
    moved = desk.dispatch(world.manager, held, engineer_id=world.eng_senior.id, reason="李工离职")
    assert moved.ticket.assignee.id == world.eng_senior.id
    assert (
        desk.master_data.reactivate_engineer(world.manager, world.eng_junior.id, reason="返聘").open_tickets
        == ()
    )
    assert desk.dispatch(world.agent, fresh).ticket.assignee.id == world.eng_junior.id
    history = desk.master_data.history(world.manager, "engineer", world.eng_junior.id)
    assert [(c.command, c.reason) for c in history[-2:]] == [
        ("deactivate_engineer", "3 月 2 日离职"),
        ("reactivate_engineer", "返聘"),
    ]


def test_an_engineer_on_leave_is_not_dispatched_until_the_leave_ends(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    _only_junior(desk, world)
    back = START + timedelta(days=1)
    change = desk.master_data.record_absence(
        world.manager, world.eng_junior.id, starts_at=START - timedelta(hours=1), ends_at=back, reason="病假"
    )
    assert [(a.starts_at, a.ends_at) for a in change.engineer.absences] == [
        (START - timedelta(hours=1), back)
    ]
    ticket_id = _ticket(desk, world)
    assert desk.dispatch(world.agent, ticket_id).ticket.assignee is None
    with pytest.raises(ValidationError) as refused:
        desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id)
    assert refused.value.field == "engineer_id"
    clock.set(back)  # Tuesday 09:00: back at work
    assert desk.dispatch(world.agent, ticket_id).ticket.assignee.id == world.eng_junior.id


def test_a_leave_called_off_makes_the_engineer_dispatchable_again(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    _only_junior(desk, world)
    starts = START - timedelta(hours=1)
    desk.master_data.record_absence(
        world.manager, world.eng_junior.id, starts_at=starts, ends_at=START + timedelta(days=3), reason="年假"
    )
    with pytest.raises(ValidationError) as overlap:  # one period at a time
        desk.master_data.record_absence(
            world.manager, world.eng_junior.id, starts_at=START, ends_at=START + timedelta(days=5), reason="x"
        )
    assert (overlap.value.field, overlap.value.rule) == ("starts_at", "absences_overlap")  # session 37
    away = Absence(START, START + timedelta(days=2), "年假")
    with pytest.raises(ValidationError) as listed:  # a host's own record of the engineer: the same code
        attrs.evolve(
            world.eng_junior, absences=[away, attrs.evolve(away, starts_at=START + timedelta(days=1))]
        )
    assert (listed.value.field, listed.value.rule) == ("absences", "absences_overlap")
    change = desk.master_data.cancel_absence(
        world.manager, world.eng_junior.id, starts_at=starts, reason="提前回来"
    )
    ((absence),) = change.engineer.absences  # under way: it ends now, the past stays recorded
    assert absence.ends_at == START
    assert desk.dispatch(world.agent, _ticket(desk, world)).ticket.assignee.id == world.eng_junior.id


def test_availability_is_the_heads_to_change_and_not_through_register_engineer(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    for actor in (world.agent, world.junior, world.dealer_sh_staff, world.customer_zh, world.auditor):
        with pytest.raises(PermissionDenied):
            desk.master_data.deactivate_engineer(actor, world.eng_junior.id, reason="x")
        with pytest.raises(PermissionDenied):
            desk.master_data.record_absence(
                actor, world.eng_junior.id, starts_at=START, ends_at=START + timedelta(hours=2), reason="x"
            )
    # A profile rebuilt from scratch (the defaults: active, no absence) updates the profile and keeps
    # a departed engineer departed; setting availability through register_engineer is refused.
    desk.master_data.deactivate_engineer(world.manager, world.eng_junior.id, reason="离职")
    desk.register_engineer(world.manager, attrs.evolve(world.eng_junior, name="王小明"))
    with pytest.raises(ValidationError):  # still inactive: deactivating again is refused
        desk.master_data.deactivate_engineer(world.manager, world.eng_junior.id, reason="离职")
    away = attrs.evolve(world.eng_senior, active=False)
    with pytest.raises(ValidationError) as refused:
        desk.register_engineer(world.manager, away)
    assert refused.value.field == "engineer.active"
    with pytest.raises(ValidationError):  # nor an absence over already, nor a blank reason
        desk.master_data.record_absence(
            world.manager, world.eng_senior.id, starts_at=START - timedelta(days=2),
            ends_at=START - timedelta(days=1), reason="x",
        )  # fmt: skip
    with pytest.raises(ValidationError) as blank:
        desk.master_data.deactivate_engineer(world.manager, world.eng_senior.id, reason=" ")
    assert blank.value.field == "reason"
    assert desk.master_data.history(world.manager, "engineer", world.eng_senior.id)[-1].command == (
        "register_engineer"
    )


def _emergency(desk: ServiceDesk, world: World, shifts: list[OnCallShift] | None = None) -> None:
    team = Team("emergency", "应急小组", TeamKind.EMERGENCY, world.eng_senior.id, [world.eng_junior.id])
    desk.teams.save_team(world.manager, team)
    if shifts:
        desk.teams.set_roster(world.manager, "emergency", shifts)


def test_the_emergency_teams_lead_on_leave_hands_the_critical_call_to_the_engineer_on_call(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    _emergency(
        desk,
        world,
        [OnCallShift(world.eng_junior.id, START - timedelta(hours=1), START + timedelta(hours=8))],
    )
    desk.master_data.record_absence(
        world.manager, world.eng_senior.id, starts_at=START - timedelta(hours=2),
        ends_at=START + timedelta(days=2), reason="出差",
    )  # fmt: skip
    result = desk.teams.dispatch_critical(world.agent, _ticket(desk, world, Priority.CRITICAL))
    assert result.ticket.assignee.id == world.eng_junior.id
    assert _codes(result.events[-1])[-2:] == ["lead_unavailable", "lead_stand_in"]
    view = desk.ticket(world.manager, result.ticket.id)
    assert "组长 eng-sr 请假或已离职" in view.reasons("zh_Hans")[view.events[-1].seq]


def test_a_departed_lead_with_nobody_on_call_is_a_failed_dispatch_to_the_head(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    _emergency(desk, world)
    desk.master_data.deactivate_engineer(world.manager, world.eng_senior.id, reason="离职")
    result = desk.teams.dispatch_critical(world.agent, _ticket(desk, world, Priority.CRITICAL))
    assert result.ticket.assignee is None
    failed = result.events[-1]
    assert failed.action == "dispatch_failed"
    assert failed.payload["reasons"][-1] == {
        "code": "lead_unavailable",
        "params": {"engineer": world.eng_senior.id},
    }
    # And the team cannot be saved again with him as its lead.
    with pytest.raises(ValidationError) as refused:
        _emergency(desk, world)
    assert refused.value.field == "lead"


def test_the_night_on_call_skips_an_engineer_on_leave_on_every_path(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    desk.register_engineer(world.manager, attrs.evolve(world.eng_senior, emergency_team=True))
    shifts = [
        OnCallShift(world.eng_senior.id, NIGHT - timedelta(hours=5), NIGHT + timedelta(hours=9)),
        OnCallShift(world.eng_junior.id, NIGHT - timedelta(hours=1), NIGHT + timedelta(hours=8)),
    ]
    _emergency(desk, world, shifts)
    desk.master_data.record_absence(
        world.manager, world.eng_junior.id, starts_at=NIGHT - timedelta(hours=2),
        ends_at=NIGHT + timedelta(hours=10), reason="家里有事",
    )  # fmt: skip
    clock.set(NIGHT)
    by_team = desk.teams.dispatch_critical(world.agent, _ticket(desk, world, Priority.CRITICAL))
    by_desk = desk.dispatch(world.agent, _ticket(desk, world, Priority.CRITICAL))
    for result in (by_team, by_desk):
        assert result.ticket.assignee.id == world.eng_senior.id  # the next covering shift's engineer


def test_no_shift_and_no_team_work_for_an_engineer_who_cannot_come(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    _emergency(desk, world)
    leave = (START + timedelta(days=1), START + timedelta(days=2))
    desk.master_data.record_absence(
        world.manager, world.eng_junior.id, starts_at=leave[0], ends_at=leave[1], reason="婚假"
    )
    with pytest.raises(ValidationError) as refused:  # 值班 planned inside the leave
        desk.teams.set_roster(
            world.manager,
            "emergency",
            [OnCallShift(world.eng_junior.id, leave[0] + timedelta(hours=14), leave[1])],
        )
    assert refused.value.field == "shifts"
    assert desk.teams.team(world.manager, "emergency").shifts == []
    desk.master_data.record_absence(
        world.manager, world.eng_dealer.id, starts_at=START, ends_at=leave[1], reason="请假"
    )
    ticket_id = _ticket(desk, world, Priority.CRITICAL)
    desk.dispatch(world.manager, ticket_id, engineer_id=world.eng_senior.id)
    with pytest.raises(ValidationError) as added:  # the coordinator cannot add him to the team either
        desk.teams.add_members(world.manager, ticket_id, [world.eng_dealer.id])
    assert added.value.field == "engineer_ids"
    assert desk.teams.ticket_team(world.manager, ticket_id) == (world.eng_senior.id,)


def test_the_maintenance_job_gives_no_visit_to_a_departed_engineer(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    _only_junior(desk, world)
    desk.master_data.deactivate_engineer(world.manager, world.eng_junior.id, reason="离职")
    asset = Asset(
        AssetId("u-plan-1"), world.product.id, "SN-P-00001", customer_id=world.cust_zh.id,
        purchase_date=date(2025, 9, 1),
    )  # fmt: skip
    desk.register_asset(world.manager, asset)
    desk.maintenance.create_plan(world.manager, asset_id=asset.id, first_due=date(2026, 3, 10))
    (visit,) = desk.maintenance.generate_due(world.system).generated
    ticket = desk.ticket(world.manager, visit.ticket_id)
    assert ticket.assignee is None or ticket.assignee.id != world.eng_junior.id
