"""Critical tickets go to the emergency team (应急小组): lead, on-call roster, failed dispatch in history."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.classification import Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, CustomerTier, Engineer, EngineerLevel
from aftersales.domain.teams import OnCallShift, Team, TeamKind
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.i18n.reasons import render_reasons
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import pg_schema_url, store_url

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
SATURDAY_NIGHT = datetime(2026, 3, 7, 23, 0, tzinfo=SH)
AGENT = Actor.agent("a1")
MANAGER = Actor.manager("m1")
STAFF = {Role.DEPARTMENT_HEAD: [Contact("李部长", email="head@example.cn", locale="zh_Hans")]}


def _desk(at: datetime, url: str = "memory://") -> ServiceDesk:
    desk = ServiceDesk.open(
        url, pack="service_centre", clock=ManualClock(at), notifier=MemoryNotifier(), staff=STAFF
    )
    for eid, name in (("lead", "王组长"), ("m2", "赵工"), ("m3", "钱工")):
        contact = Contact(name, email=f"{eid}@example.cn", locale="zh_Hans")
        engineer = Engineer(EngineerId(eid), name, EngineerLevel.SENIOR, emergency_team=True, contact=contact)
        desk.register_engineer(MANAGER, engineer)
    contact = Contact("VIP", phone="13800000000", address="上海市浦东新区 1 号")
    desk.register_customer(MANAGER, Customer(CustomerId("vip"), "李四", contact, CustomerTier.VIP))
    team = Team("emergency", "应急小组", TeamKind.EMERGENCY, "lead", ["m2", "m3"], coordinator="head-1")
    desk.teams.save_team(MANAGER, team)
    return desk


@pytest.fixture
def weekday() -> Iterator[ServiceDesk]:
    with _desk(MONDAY) as desk:
        yield desk


def _critical(desk: ServiceDesk) -> str:
    tid = desk.open_ticket(AGENT, customer_id="vip", description="整栋楼停水，设备冒烟").ticket.id
    desk.triage(AGENT, tid, nature="smoke", severity=Severity.SEVERE, production_stopped=True)
    assert desk.ticket(MANAGER, tid).priority is Priority.CRITICAL
    return tid


def test_vip_critical_goes_to_the_team_lead_and_everyone_is_told(weekday: ServiceDesk) -> None:
    desk = weekday
    tid = _critical(desk)
    result = desk.teams.dispatch_critical(AGENT, tid)
    ticket = desk.ticket(MANAGER, tid)
    assert ticket.assignee is not None and ticket.assignee.id == "lead"
    codes = [r["code"] for r in result.events[-1].payload["reasons"]]  # type: ignore[index, union-attr]
    assert codes == ["emergency_team", "vip_customer", "team_lead"]
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    for address in ("lead@example.cn", "m2@example.cn", "m3@example.cn", "head@example.cn"):
        assert len(notifier.to(address)) == 1, address


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_saturday_night_goes_to_whoever_is_on_call(backend: str, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path, "teams.db"))
        desk = stack.enter_context(_desk(SATURDAY_NIGHT, url))
        shift = OnCallShift("m3", SATURDAY_NIGHT - timedelta(hours=5), SATURDAY_NIGHT + timedelta(hours=9))
        desk.teams.set_roster(MANAGER, "emergency", [shift])
        assert desk.teams.on_call(AGENT, "emergency", SATURDAY_NIGHT) == "m3"
        tid = _critical(desk)
        result = desk.teams.dispatch_critical(AGENT, tid)
        assert desk.ticket(MANAGER, tid).assignee.id == "m3"  # type: ignore[union-attr]
        assert result.events[-1].payload["reasons"][-1]["code"] == "on_call"  # type: ignore[index, call-overload]


def test_nobody_on_call_is_a_failed_dispatch_recorded_in_the_history() -> None:
    with _desk(SATURDAY_NIGHT) as desk:
        tid = _critical(desk)
        result = desk.teams.dispatch_critical(AGENT, tid)
        event = result.events[-1]
        assert event.action == "dispatch_failed"
        assert "department_head" in event.payload["to"]  # type: ignore[operator]
        assert [r["code"] for r in event.payload["reasons"]] == ["emergency_team", "vip_customer", "on_call"]  # type: ignore[index, union-attr]
        assert not any("None" in w for w in render_reasons(event, "zh_Hans"))
        assert desk.ticket(MANAGER, tid).assignee is None
        desk.deliver()
        notifier = desk.notifier
        assert isinstance(notifier, MemoryNotifier)
        assert [m.subject for m in notifier.to("head@example.cn")] == [f"工单 {tid} 已升级至售后经理"]


def test_team_input_is_checked(weekday: ServiceDesk) -> None:
    desk = weekday
    with pytest.raises(NotFound):
        desk.teams.save_team(MANAGER, Team("t2", "东区", TeamKind.REGION, "ghost"))
    with pytest.raises(ValidationError):
        desk.teams.set_roster(
            MANAGER, "emergency", [OnCallShift("stranger", MONDAY, MONDAY + timedelta(hours=1))]
        )
    with pytest.raises(ValidationError):
        OnCallShift("m2", MONDAY, MONDAY)
    with pytest.raises(PermissionDenied):
        desk.teams.save_team(AGENT, Team("t3", "西区", TeamKind.REGION, "m2"))
    normal = desk.open_ticket(AGENT, customer_id="vip", description="水龙头滴水").ticket.id
    desk.triage(AGENT, normal, nature="drip", severity=Severity.LOW)
    with pytest.raises(ValidationError):
        desk.teams.dispatch_critical(AGENT, normal)


def test_a_vip_tier_stays_in_the_reasons_when_the_priority_is_already_critical(weekday: ServiceDesk) -> None:
    tid = _critical(weekday)
    triage = next(e for e in weekday.ticket(MANAGER, tid).events if e.action == "triage")
    assert "customer_tier_kept" in str(triage.payload)


def test_the_desks_own_dispatch_sends_a_critical_ticket_at_night_to_the_on_call_engineer() -> None:
    with _desk(SATURDAY_NIGHT) as desk:
        shift = OnCallShift("m2", SATURDAY_NIGHT - timedelta(hours=1), SATURDAY_NIGHT + timedelta(hours=8))
        desk.teams.set_roster(MANAGER, "emergency", [shift])
        tid = _critical(desk)
        result = desk.dispatch(AGENT, tid)
        assert desk.ticket(MANAGER, tid).assignee.id == "m2"  # type: ignore[union-attr]
        assert "on_call" in str(result.events[-1].payload)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_roster_changed_by_another_desk_is_read_again(backend: str, tmp_path: Path) -> None:
    # Parsed teams are kept between dispatches only while the store holds the same version.
    with contextlib.ExitStack() as stack:
        if backend == "postgres":
            url = stack.enter_context(pg_schema_url())
        else:
            url = f"sqlite:///{tmp_path / 'teams.db'}"
        first = stack.enter_context(_desk(SATURDAY_NIGHT, url))
        second = stack.enter_context(
            ServiceDesk.open(url, pack="service_centre", clock=ManualClock(SATURDAY_NIGHT), staff=STAFF)
        )
        night = (SATURDAY_NIGHT - timedelta(hours=5), SATURDAY_NIGHT + timedelta(hours=9))
        first.teams.set_roster(MANAGER, "emergency", [OnCallShift("m3", *night)])
        tid = _critical(first)
        assert first.teams.dispatch_critical(AGENT, tid).ticket.assignee.id == "m3"  # type: ignore[union-attr]
        second.teams.set_roster(MANAGER, "emergency", [OnCallShift("m2", *night)])
        other = _critical(first)
        assert first.teams.dispatch_critical(AGENT, other).ticket.assignee.id == "m2"  # type: ignore[union-attr]
        second.teams.save_team(
            MANAGER, Team("emergency", "应急小组", TeamKind.EMERGENCY, "lead", ["m3"], coordinator="head-1")
        )
        third = _critical(first)  # the new team has no roster: nobody on call
        assert first.teams.dispatch_critical(AGENT, third).events[-1].action == "dispatch_failed"


def test_on_call_picks_the_latest_starting_covering_shift_among_many() -> None:
    start = datetime(2026, 1, 1, 20, 0, tzinfo=SH)
    nights = [
        OnCallShift(("m2", "m3")[day % 2], start + timedelta(days=day), start + timedelta(days=day, hours=12))
        for day in range(365)
    ]
    extra = OnCallShift("lead", start + timedelta(days=100, hours=2), start + timedelta(days=100, hours=4))
    outsider = OnCallShift("x9", start + timedelta(days=200), start + timedelta(days=200, hours=12))
    team = Team(
        "t", "t", TeamKind.EMERGENCY, "lead", ["m2", "m3"], shifts=[*reversed(nights), extra, outsider]
    )
    assert team.on_call(start + timedelta(days=100, hours=1)) == "m2"  # day 100: m2's night
    assert team.on_call(start + timedelta(days=100, hours=3)) == "lead"  # started later, covers it
    assert team.on_call(start + timedelta(days=100, hours=5)) == "m2"
    assert team.on_call(start + timedelta(days=101, hours=1)) == "m3"
    assert team.on_call(start + timedelta(days=101, hours=13)) is None  # daytime: nobody
    assert team.on_call(start + timedelta(days=200, hours=1)) == "m2"  # not a member's shift: skipped
    assert team.on_call(start - timedelta(hours=1)) is None
    assert team.on_call(start + timedelta(days=400)) is None


def test_the_memory_store_answers_a_query_by_value_without_a_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    from aftersales.adapters.memory import MemoryStore

    with _desk(MONDAY) as desk:
        desk.teams.save_team(MANAGER, Team("region-sh", "上海", TeamKind.REGION, "m2", ["m2"]))

        scan = MemoryStore._scan

        def no_scan(self: MemoryStore, table: str) -> object:
            if table.startswith("doc:"):
                raise AssertionError(f"scanned {table}")
            return scan(self, table)

        monkeypatch.setattr(MemoryStore, "_scan", no_scan)
        with desk.store() as uow:
            assert [t.id for t in uow.documents.query(Team, kind="emergency")] == ["emergency"]
            assert [t.id for t in uow.documents.query(Team, kind="region")] == ["region-sh"]
            assert uow.documents.query(Team, kind="dealer") == []
        tid = _critical(desk)
        assert desk.teams.dispatch_critical(AGENT, tid).ticket.assignee.id == "lead"  # type: ignore[union-attr]


def test_a_normal_ticket_at_night_waits_for_the_next_working_period() -> None:
    # Seed 003 / issue 20: only critical tickets wake someone up; a normal one goes to whoever is on
    # duty when the next working period starts (Monday 09:00), and nobody is escalated to.
    with _desk(SATURDAY_NIGHT) as desk:
        contact = Contact("c", phone="13800000001", address="上海市浦东新区 2 号")
        desk.register_customer(MANAGER, Customer(CustomerId("c2"), "王五", contact, CustomerTier.REGULAR))
        tid = desk.open_ticket(AGENT, customer_id="c2", description="水箱不出水").ticket.id
        desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
        assert desk.ticket(MANAGER, tid).priority is Priority.NORMAL
        result = desk.dispatch(AGENT, tid)
        assert result.ticket.assignee is not None
        reasons = result.events[-1].payload["reasons"]
        waits = [r for r in reasons if r["code"] == "next_working_period"]  # type: ignore[index, union-attr]
        assert waits and waits[0]["params"]["starts"] == "2026-03-09T09:00+08:00"  # type: ignore[index, call-overload]
        assert not any(d.outcome.__class__.__name__ == "Escalation" for d in result.decisions)
        desk.deliver()
        notifier = desk.notifier
        assert isinstance(notifier, MemoryNotifier)
        assert not notifier.to("head@example.cn")


def test_the_desks_own_failed_dispatch_is_in_the_history() -> None:
    # Issue 20: a dispatch that found nobody is an event with its reasons and the escalation's addressees.
    with ServiceDesk.open("memory://", pack="service_centre", clock=ManualClock(MONDAY), staff=STAFF) as desk:
        contact = Contact("c", phone="13800000001", address="上海市浦东新区 2 号")
        desk.register_customer(MANAGER, Customer(CustomerId("c2"), "王五", contact, CustomerTier.REGULAR))
        tid = desk.open_ticket(AGENT, customer_id="c2", description="水箱不出水").ticket.id
        desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
        result = desk.dispatch(AGENT, tid)  # no engineer, no dealer registered
        assert result.ticket.assignee is None and result.ticket.state == "triaged"
        event = desk.ticket(MANAGER, tid).events[-1]
        assert event.action == "dispatch_failed"
        assert event.payload["to"] == ["manager"]
        codes = [r["code"] for r in event.payload["reasons"]]  # type: ignore[index, union-attr]
        assert "no_engineer" in codes and "escalated" in codes
        # The reasons keep their values (no skill asked is null, counts are numbers), so the history reads
        # "skill required: none", not the text "None".
        (missing,) = [r for r in event.payload["reasons"] if r["code"] == "no_engineer"]  # type: ignore[index, union-attr]
        assert missing["params"]["skill"] is None and missing["params"]["with_capacity"] == 0  # type: ignore[index, call-overload]
        words = render_reasons(event, "en")
        assert "no engineer available in region none (skill required: none)" in words
        assert not any("None" in w for w in words + render_reasons(event, "zh_Hans"))


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_critical_ticket_redispatched_at_night_goes_to_another_on_call_engineer(
    backend: str, tmp_path: Path
) -> None:
    """A re-dispatch never hands the ticket back to the engineer it is taken from (the dispatch request's
    exclusion); the night's on-call path obeyed it not, and gave it straight back to the same engineer."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path, "teams.db"))
        desk = stack.enter_context(_desk(SATURDAY_NIGHT, url))
        shifts = [
            OnCallShift("m3", SATURDAY_NIGHT - timedelta(hours=5), SATURDAY_NIGHT + timedelta(hours=9)),
            OnCallShift("m2", SATURDAY_NIGHT - timedelta(hours=1), SATURDAY_NIGHT + timedelta(hours=8)),
        ]
        desk.teams.set_roster(MANAGER, "emergency", shifts)
        tid = _critical(desk)
        desk.dispatch(AGENT, tid)
        assert desk.ticket(MANAGER, tid).assignee.id == "m2"  # type: ignore[union-attr]
        result = desk.dispatch(AGENT, tid, reason="赵工电话打不通")
        assert desk.ticket(MANAGER, tid).assignee.id == "m3"  # type: ignore[union-attr]
        reasons = result.events[-1].payload["reasons"]  # type: ignore[index]
        assert {"code": "on_call", "params": {"engineer": "m3"}} in reasons  # type: ignore[operator]
