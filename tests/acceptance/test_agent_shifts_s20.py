# mypy: disable-error-code="arg-type"
"""The service desk's shifts (session 20), on memory, SQLite and PostgreSQL.

Seed 003 统一客户反馈与受理渠道: 设立了统一的400服务热线和在线服务平台…客服专员实行轮班制，保证服务的连续性.
The library had the engineers' on-call roster but none for the agents: nothing said who was at the desk,
nothing found the working hours nobody was planned for, and a callback falling due (客服专员在24小时内对
客户进行回访) was announced to the whole call centre whoever was on shift.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.agent_shifts import AgentShift
from aftersales.domain.classification import Category, Severity
from aftersales.domain.contact import Contact
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

H = timedelta(hours=1)
DAY = timedelta(days=1)
MONDAY = START.replace(hour=0)  # 2 March 2026, a Monday
ON_DUTY = {
    **STAFF,
    "agent:agent-1": [Contact("客服小李", email="li@venus.example", locale="zh_Hans")],
    "agent:agent-2": [Contact("客服小张", email="zhang@venus.example", locale="zh_Hans")],
}
CENTRE = "callcentre@venus.example"  # the agents' shared entry (conftest.STAFF)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ServiceDesk, World, MemoryNotifier]]:
    from aftersales.adapters.clock import ManualClock

    world, notifier = make_world(), MemoryNotifier()
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(
            url, pack="office_equipment", clock=ManualClock(START), staff=ON_DUTY, notifier=notifier
        ) as opened,
    ):
        register(opened, world)
        yield opened, world, notifier


def _week(first: str = "agent-1", second: str = "agent-2") -> list[AgentShift]:
    """Monday to Friday: ``first`` 08:30–13:00, ``second`` 12:30–18:30 (half an hour together)."""
    out = []
    for day in range(5):
        base = MONDAY + day * DAY
        out.append(AgentShift(first, base + timedelta(hours=8, minutes=30), base + 13 * H))
        out.append(AgentShift(second, base + timedelta(hours=12, minutes=30), base + timedelta(hours=18.5)))
    return out


def test_the_heads_plan_a_week_and_staff_read_who_is_at_the_desk(
    desk: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    d, world, _ = desk
    d.agent_shifts.plan(world.manager, MONDAY, MONDAY + 7 * DAY, _week())
    tuesday = MONDAY + DAY
    assert d.agent_shifts.on_duty(world.agent, tuesday + 10 * H) == ("agent-1",)
    assert d.agent_shifts.on_duty(world.agent, tuesday + timedelta(hours=12, minutes=45)) == (
        "agent-1",
        "agent-2",
    )
    assert d.agent_shifts.on_duty(world.auditor, tuesday + 15 * H) == ("agent-2",)
    assert d.agent_shifts.on_duty(world.manager, tuesday + 20 * H) == ()
    assert len(d.agent_shifts.shifts(world.manager, tuesday, tuesday + DAY)) == 2
    # A corrected day replaces that day's shifts only.
    d.agent_shifts.plan(
        world.manager, tuesday, tuesday + DAY, [AgentShift("agent-3", tuesday + 8 * H, tuesday + 19 * H)]
    )
    assert d.agent_shifts.on_duty(world.agent, tuesday + 10 * H) == ("agent-3",)
    assert d.agent_shifts.on_duty(world.agent, tuesday + DAY + 10 * H) == ("agent-1",)  # Wednesday kept
    assert len(d.agent_shifts.shifts(world.manager, MONDAY, MONDAY + 7 * DAY)) == 9


def test_only_the_heads_plan_and_only_the_office_reads(
    desk: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    d, world, _ = desk
    for actor in (world.agent, world.junior, world.dealer_sh_staff, world.customer_zh):
        with pytest.raises(PermissionDenied):
            d.agent_shifts.plan(actor, MONDAY, MONDAY + DAY, [])
    for actor in (world.junior, world.dealer_sh_staff, world.customer_zh):
        with pytest.raises(PermissionDenied):
            d.agent_shifts.on_duty(actor, START)
        with pytest.raises(PermissionDenied):
            d.agent_shifts.gaps(actor, MONDAY, MONDAY + DAY)
    d.agent_shifts.plan(world.department_head, MONDAY, MONDAY + DAY, _week()[:2])
    assert d.agent_shifts.on_duty(world.general_manager, START) == ("agent-1",)


def test_a_plan_that_does_not_fit_its_window_is_refused_and_changes_nothing(
    desk: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    d, world, _ = desk
    d.agent_shifts.plan(world.manager, MONDAY, MONDAY + 7 * DAY, _week())
    before = d.agent_shifts.shifts(world.manager, MONDAY, MONDAY + 7 * DAY)
    late = AgentShift("agent-9", MONDAY + 7 * DAY + 9 * H, MONDAY + 7 * DAY + 17 * H)
    with pytest.raises(ValidationError) as caught:
        d.agent_shifts.plan(world.manager, MONDAY, MONDAY + 7 * DAY, [late])
    assert caught.value.field == "shifts"
    # A window starting on Monday at 12:00 would cut the morning shift (08:30-13:00) in two.
    with pytest.raises(ValidationError) as caught:
        d.agent_shifts.plan(world.manager, MONDAY + 12 * H, MONDAY + DAY, [])
    assert caught.value.field == "start"
    with pytest.raises(ValidationError) as caught:
        d.agent_shifts.plan(world.manager, MONDAY + 7 * DAY, MONDAY, [])
    assert caught.value.field == "end"
    with pytest.raises(ValidationError) as caught:
        AgentShift("agent-1", MONDAY + 9 * H, MONDAY + 9 * H)
    assert caught.value.field == "ends_at"
    with pytest.raises(ValidationError) as caught:
        d.agent_shifts.plan(world.manager, MONDAY, MONDAY + DAY, ["agent-1 09:00-17:00"])
    assert caught.value.field == "shifts[]"  # the argument checker names the element
    # Session 36: one agent planned twice at once (a typo'd time) was kept; two agents together are fine.
    twice = [AgentShift("agent-1", MONDAY + 8 * H, MONDAY + 13 * H), AgentShift("agent-2", MONDAY + 8 * H,
             MONDAY + 13 * H), AgentShift("agent-1", MONDAY + 12 * H, MONDAY + 18 * H)]  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        d.agent_shifts.plan(world.manager, MONDAY, MONDAY + DAY, twice)
    assert (caught.value.field, caught.value.rule) == ("shifts", "shifts_overlap")
    assert d.agent_shifts.shifts(world.manager, MONDAY, MONDAY + 7 * DAY) == before
    assert len(d.master_data_history(world.manager, "agent_shifts", "desk")) == 1  # the first plan only


def test_the_working_hours_no_shift_covers_are_listed(
    desk: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    d, world, _ = desk
    calendar = d.calendar
    assert calendar is not None
    week = _week()
    del week[5]  # Wednesday afternoon: nobody planned
    d.agent_shifts.plan(world.manager, MONDAY, MONDAY + 7 * DAY, week)
    gaps = d.agent_shifts.gaps(world.manager, MONDAY, MONDAY + 7 * DAY)
    wednesday = MONDAY + 2 * DAY
    # The office calendar works 09:00-12:00 and 13:00-18:00 on weekdays: Wednesday's afternoon, five
    # working hours, is the week's only gap, from 13:00 until Thursday's first shift.
    assert [(g.starts_at, g.ends_at, g.working_time) for g in gaps] == [
        (wednesday + 13 * H, wednesday + DAY + 8.5 * H, 5 * H)
    ]
    assert calendar.between(wednesday + 13 * H, wednesday + DAY) == 5 * H
    # Every gap holds working time, and a fully covered week has none.
    assert all(g.working_time > timedelta(0) for g in gaps)
    d.agent_shifts.plan(
        world.manager,
        MONDAY,
        MONDAY + 7 * DAY,
        [AgentShift("agent-1", MONDAY + n * DAY, MONDAY + (n + 1) * DAY) for n in range(7)],
    )
    assert d.agent_shifts.gaps(world.manager, MONDAY, MONDAY + 7 * DAY) == []


def _callback_owed(d: ServiceDesk, world: World, due: datetime) -> str:
    ticket = d.open_ticket(
        world.agent, customer_id="cust-zh", description="复印机卡纸", category=Category.TECHNICAL_SUPPORT
    ).ticket
    d.triage(world.agent, ticket.id, nature="jam", severity=Severity.LOW)
    d.resolve(world.agent, ticket.id, summary="电话指导取出卡纸", remote=True)
    d.confirm(world.agent, ticket.id, channel="phone")
    d.callbacks.schedule(world.agent, ticket.id, due_at=due)
    return ticket.id


def test_a_callback_falling_due_is_announced_to_the_agents_on_duty(
    desk: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    d, world, notifier = desk
    d.agent_shifts.plan(world.manager, MONDAY, MONDAY + 7 * DAY, _week())
    # 09:00 Monday: agent-1 is at the desk; the callback's notice is theirs, not the whole centre's.
    first = _callback_owed(d, world, START + 3 * H)
    d.run_due_jobs()
    assert [m for m in notifier.to("li@venus.example") if first in m.body]
    assert not [m for m in notifier.to(CENTRE) if first in m.body]
    assert not [m for m in notifier.to("zhang@venus.example") if first in m.body]
    # 20:00: nobody on shift: the centre's shared entry is told, so the callback is not lost.
    d.clock.advance(11 * H)  # type: ignore[attr-defined]
    later = _callback_owed(d, world, d.clock.now() + 20 * H)
    d.run_due_jobs()
    assert [m for m in notifier.to(CENTRE) if later in m.body]
    assert not [m for m in notifier.to("li@venus.example") if later in m.body]


def test_a_roster_naming_agents_the_directory_does_not_list_tells_the_centre(
    desk: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    d, world, notifier = desk
    d.agent_shifts.plan(world.manager, MONDAY, MONDAY + DAY, [AgentShift("agent-7", MONDAY, MONDAY + DAY)])
    tid = _callback_owed(d, world, START + 3 * H)
    d.run_due_jobs()
    assert [m for m in notifier.to(CENTRE) if tid in m.body]
    assert Role.AGENT in STAFF
