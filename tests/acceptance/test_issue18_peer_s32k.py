# mypy: disable-error-code="arg-type"
"""Issue 18 re-read by a peer tester (session 32, k): the lifecycle and the exact due instants, through
the public desk on memory, SQLite and PostgreSQL.

Checked: work done → acceptance (rejected: rework, the clock running) → callback scheduled on acceptance
→ close refused before the callback → a callback finding the problem back reopens; staff confirming
without a channel is bad input and changes nothing; every working-time due is the earliest instant at
which the accrued working time equals the target, in the calendar's zone, and the stored due equals the
status due (a start in the lunch break, on a Friday afternoon, on National Day 2025's make-up Sunday).
All passed on the code as found.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import InvalidTransition, SlaExtensionRefused, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
US = timedelta(microseconds=1)


def _opened(desk: ServiceDesk, w: World) -> str:
    return desk.open_ticket(
        w.agent,
        customer_id=w.cust_zh.id,
        asset_id=w.asset.id,
        description="马桶漏水",
        category=Category.REPAIR,
    ).ticket.id


def _worked(desk: ServiceDesk, w: World, tid: str) -> None:
    desk.triage(w.agent, tid, nature="leak", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    desk.add_fault_record(w.junior, tid, symptom="leak", cause="worn_seal", action="replace_seal")


@pytest.mark.parametrize("backend", BACKENDS)
def test_work_done_acceptance_rework_callback_close(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        tid = _opened(desk, w)
        clock.advance(timedelta(minutes=10))
        _worked(desk, w, tid)
        clock.advance(timedelta(hours=1))
        desk.resolve(w.junior, tid, summary="更换密封圈")
        assert desk.ticket(w.manager, tid).state == "resolved"
        # The engineer cannot confirm for the customer without the channel of the customer's word.
        events = len(desk.ticket(w.manager, tid).events)
        with pytest.raises(ValidationError) as bad:
            desk.confirm(w.junior, tid)
        assert bad.value.field == "channel"
        assert len(desk.ticket(w.manager, tid).events) == events
        # Rejected: rework, and the resolution clock keeps running.
        clock.advance(timedelta(minutes=30))
        desk.reject(w.customer_zh, tid, reason="还在漏")
        assert desk.ticket(w.manager, tid).state == "rework"
        before = desk.sla(w.manager, tid, clock.now())["resolution"].elapsed
        clock.advance(timedelta(minutes=30))
        assert desk.sla(w.manager, tid, clock.now())["resolution"].elapsed == before + timedelta(minutes=30)
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="再次更换")
        clock.advance(timedelta(minutes=5))
        desk.confirm(w.customer_zh, tid)
        accepted_at = clock.now()
        ticket = desk.ticket(w.manager, tid)
        assert ticket.state == "accepted" and ticket.resolved_at == accepted_at
        assert [t.ticket_id for t in desk.callbacks.pending(w.agent)] == [tid]
        # Close refused before the callback: the error names the ticket, the command and the state.
        with pytest.raises(InvalidTransition) as refused:
            desk.close(w.agent, tid)
        text = str(refused.value)
        assert tid in text and "close" in text and "accepted" in text
        assert desk.ticket(w.manager, tid).state == "accepted"
        clock.advance(timedelta(hours=2))
        desk.callbacks.record(
            w.agent, tid, checklist=CallbackChecklist(), problem_back=True, comment="又漏了", satisfaction=2
        )
        assert desk.ticket(w.manager, tid).state == "rework"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "opened",
    [
        datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI),  # Monday morning
        datetime(2026, 3, 3, 12, 20, tzinfo=SHANGHAI),  # in the lunch break
        datetime(2026, 3, 6, 16, 0, tzinfo=SHANGHAI),  # Friday afternoon: across the weekend
        datetime(2025, 9, 28, 10, 0, tzinfo=SHANGHAI),  # National Day 2025's make-up Sunday
        datetime(2026, 2, 13, 15, 0, tzinfo=SHANGHAI),  # the eve of Spring Festival 2026
    ],
)
def test_every_working_due_is_exact_and_stored_as_shown(
    backend: str, tmp_path: Path, opened: datetime
) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        clock.set(opened)
        tid = _opened(desk, w)
        calendar = desk.calendar
        assert calendar is not None
        status = desk.sla(w.manager, tid, opened)
        checked = 0
        for target in status.targets:
            due, start = target.due_at, target.started_at
            if due is None or start is None or target.target.basis not in ("working", "working_days"):
                continue
            assert due.utcoffset() == timedelta(hours=8), target.target.name
            assert calendar.between(start, due) == target.budget, target.target.name
            assert calendar.between(start, due - US) < target.budget, target.target.name
            checked += 1
        assert checked >= 1
        ticket = desk.ticket(w.manager, tid)
        assert ticket.response_due_at == status["response"].due_at
        assert ticket.resolution_due_at == status["resolution"].due_at


def test_national_day_2025_and_its_make_up_days(tmp_path: Path) -> None:
    with world_desk("memory", tmp_path, pack="sanitary_ware") as (desk, _clock, _w):
        calendar = desk.calendar
        assert calendar is not None
        day = calendar.working_day_length
        start = datetime(2025, 10, 1, 0, 0, tzinfo=SHANGHAI)
        assert calendar.between(start, datetime(2025, 10, 9, 0, 0, tzinfo=SHANGHAI)) == timedelta(0)
        sunday = datetime(2025, 9, 28, 0, 0, tzinfo=SHANGHAI)
        assert calendar.between(sunday, sunday + timedelta(days=1)) == day
        saturday = datetime(2025, 10, 11, 0, 0, tzinfo=SHANGHAI)
        assert calendar.between(saturday, saturday + timedelta(days=1)) == day
        # The morning window ends at 12:00: three working hours from 09:00 end there, not at 13:00.
        monday = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
        assert calendar.add(monday, timedelta(hours=3)) == monday.replace(hour=12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_dealer_contract_runs_from_the_dispatch_and_extends_to_48_hours_at_most(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        tid = _opened(desk, w)
        desk.triage(w.agent, tid, nature="leak", severity=Severity.LOW)
        # The maker's own engineer: the general targets, no dealer contract.
        maker = _opened(desk, w)
        desk.triage(w.agent, maker, nature="leak", severity=Severity.LOW)
        desk.dispatch(w.agent, maker, engineer_id=w.eng_junior.id)
        assert desk.sla(w.manager, maker)["resolution"].target.basis != "calendar"
        clock.advance(timedelta(minutes=7))
        notified = clock.now()
        desk.dispatch(w.agent, tid, dealer_id=w.dealer_sh.id)
        resolution = desk.sla(w.manager, tid)["resolution"]
        assert resolution.target.basis == "calendar"
        assert resolution.started_at == notified and resolution.due_at == notified + timedelta(hours=24)
        assert resolution.due_at is not None and resolution.due_at.utcoffset() == timedelta(hours=8)
        events = len(desk.ticket(w.manager, tid).events)
        with pytest.raises(SlaExtensionRefused):
            desk.extend_sla(
                w.manager, tid, target="resolution", new_limit=timedelta(hours=49), reason="配件缺货"
            )
        assert len(desk.ticket(w.manager, tid).events) == events
        desk.extend_sla(w.manager, tid, target="resolution", new_limit=timedelta(hours=48), reason="配件缺货")
        assert desk.sla(w.manager, tid)["resolution"].due_at == notified + timedelta(hours=48)
        last = desk.ticket(w.manager, tid).events[-1]
        assert last.actor.id == w.manager.id and last.reason == "配件缺货"
        assert desk.ticket(w.manager, tid).resolution_due_at == notified + timedelta(hours=48)


@pytest.mark.parametrize("backend", BACKENDS)
def test_past_the_official_holiday_data_dues_are_provisional(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        health = desk.health()
        assert health.official_until is not None and health.days_left >= 0
        clock.set(datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI))
        tid = _opened(desk, w)
        status = desk.sla(w.manager, tid)
        beyond = [
            t for t in status.targets if t.due_at is not None and t.due_at.date() > health.official_until
        ]
        assert beyond and all(t.provisional for t in beyond)
        within = [
            t for t in status.targets if t.due_at is not None and t.due_at.date() <= health.official_until
        ]
        assert all(not t.provisional for t in within)
