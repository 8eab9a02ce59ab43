"""Issue 18: due instants are exact everywhere, "N working days" both ways, the acceptance step, the clocks'
starts, dealer contract from the dispatch, extensions, and the provisional calendar beyond the official data.

Hand-checked on the China mainland calendar (09:00–12:00, 13:00–18:00; National Day 2025: 1–8 Oct off, make-up
Sun 28 Sep and Sat 11 Oct; Spring Festival 2026: 15–23 Feb off, make-up Sat 14 Feb and Sat 28 Feb).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.adapters.holidays_cn import china_mainland_calendar, statutory_holidays
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.sla_clock import (
    ClockPhase,
    SlaState,
    SlaTarget,
    SlaTargets,
    due_times,
    sla_status,
)
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.errors import InvalidTransition, ValidationError

SH = ZoneInfo("Asia/Shanghai")
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("eng-1", Role.ENGINEER)
CUSTOMER = ActorRef("cust-1", Role.CUSTOMER)
MANAGER = ActorRef("mgr-1", Role.MANAGER)
H = timedelta(hours=1)
M = timedelta(minutes=1)
CN = china_mainland_calendar()


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


def opened(at: datetime) -> Ticket:
    return Ticket.open(
        id=TicketId("T-18"),
        customer_id=CustomerId("c-1"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="漏水",
        received_at=at,
        taken_by=AGENT,
    )


def due(at: datetime, target: SlaTarget, asked: datetime | None = None) -> datetime:
    found = sla_status(opened(at).events, SlaTargets((target,)), CN, asked or at).targets[0]
    assert found.due_at is not None and found.deadline == found.due_at
    return found.due_at


# -- exact due instants -------------------------------------------------------------------------------------


def test_three_working_hours_from_nine_are_due_at_noon_not_one() -> None:
    assert due(sh(2025, 9, 22, 9), SlaTarget("response", 3 * H)) == sh(2025, 9, 22, 12)


def test_a_target_that_ends_at_six_is_due_at_six_not_next_morning() -> None:
    assert due(sh(2025, 9, 22, 10), SlaTarget("resolution", 7 * H)) == sh(2025, 9, 22, 18)


def test_across_the_lunch_break_and_a_weekend() -> None:
    assert due(sh(2025, 9, 22, 11), SlaTarget("response", 2 * H)) == sh(2025, 9, 22, 14)
    # Fri 16:00: 2 h on Friday, then Monday 09:00–11:00.
    assert due(sh(2025, 9, 19, 16), SlaTarget("resolution", 4 * H)) == sh(2025, 9, 22, 11)


def test_national_day_2025_with_its_make_up_sunday_and_saturday() -> None:
    # Sat 27 Sep received: Sunday 28 Sep is a make-up working day.
    assert due(sh(2025, 9, 27, 10), SlaTarget("response", 4 * H)) == sh(2025, 9, 28, 14)
    # Tue 30 Sep 17:00 + 2 h: 1 h on the 30th, then 1–8 Oct off, Thursday 9 Oct 09:00–10:00.
    assert due(sh(2025, 9, 30, 17), SlaTarget("response", 2 * H)) == sh(2025, 10, 9, 10)
    # Fri 10 Oct 17:00 + 2 h: the make-up Saturday 11 Oct works.
    assert due(sh(2025, 10, 10, 17), SlaTarget("response", 2 * H)) == sh(2025, 10, 11, 10)


def test_spring_festival_2026() -> None:
    # Fri 13 Feb 15:00 + 8 h: 3 h Friday, the make-up Saturday 14 Feb 09–12 and 13–15.
    assert due(sh(2026, 2, 13, 15), SlaTarget("resolution", 8 * H)) == sh(2026, 2, 14, 15)
    # + 16 h: all of Saturday (8 h after 3 h), then 15–23 Feb off; Tue 24 Feb 09–12 and 13–15.
    assert due(sh(2026, 2, 13, 15), SlaTarget("resolution", 16 * H)) == sh(2026, 2, 24, 15)


def test_working_days_both_ways() -> None:
    # Mon 10:00, "2 working days": elapsed working time (2 × 8 h) → Wed 10:00 …
    assert due(sh(2025, 9, 22, 10), SlaTarget("resolution", timedelta(days=2), "working_days")) == sh(
        2025, 9, 24, 10
    )
    # … or, as the named other reading, by the end of the second following working day → Wed 18:00.
    assert due(sh(2025, 9, 22, 10), SlaTarget("resolution", timedelta(days=2), "end_of_day")) == sh(
        2025, 9, 24, 18
    )
    # Over Spring Festival 2026: Fri 13 Feb 10:00 + 2 working days = 16 h → Tue 24 Feb 10:00.
    assert due(sh(2026, 2, 13, 10), SlaTarget("resolution", timedelta(days=2), "working_days")) == sh(
        2026, 2, 24, 10
    )


def test_a_clock_started_outside_hours_reports_its_real_start_in_the_calendar_zone() -> None:
    received = datetime(2025, 9, 21, 23, 0, tzinfo=ZoneInfo("UTC"))  # Mon 22 Sep 07:00 in Shanghai
    tk = opened(received)
    targets = SlaTargets((SlaTarget("response", 2 * H), SlaTarget("resolution", 24 * H, "calendar")))
    status = sla_status(tk.events, targets, CN, received + H)
    response, resolution = status["response"], status["resolution"]
    assert response.started_at == sh(2025, 9, 22, 9)  # the clock starts at the working window
    assert response.started_at is not None and response.started_at.tzinfo == SH
    assert response.due_at == sh(2025, 9, 22, 11)
    # Calendar-hour targets come back in the calendar's zone too, started at the receipt.
    assert resolution.started_at == sh(2025, 9, 22, 7) and resolution.due_at == sh(2025, 9, 23, 7)
    assert resolution.due_at is not None and resolution.due_at.tzinfo == SH
    assert status.at.tzinfo == SH


# -- the lifecycle clocks --------------------------------------------------------------------------------


def worked(at: datetime) -> Ticket:
    tk = opened(at)
    tk.step("triage", AGENT, at)
    tk.assign(AGENT, at, Assignee(AssigneeKind.ENGINEER, "eng-1"))
    tk.step("start_work", ENGINEER, at)
    return tk


def test_resolution_is_met_at_the_acceptance_and_the_callback_counts_from_it() -> None:
    tk = worked(sh(2025, 9, 22, 9))
    targets = SlaTargets((SlaTarget("resolution", 8 * H), SlaTarget("callback", 24 * H, "calendar")))
    tk.resolve(ENGINEER, sh(2025, 9, 22, 15))
    waiting = sla_status(tk.events, targets, CN, sh(2025, 9, 22, 17))
    assert waiting["resolution"].state is SlaState.RUNNING and waiting["resolution"].elapsed == 7 * H
    assert waiting["callback"].state is SlaState.PENDING
    tk.confirm(CUSTOMER, sh(2025, 9, 22, 17))
    accepted = sla_status(tk.events, targets, CN, sh(2025, 9, 23, 10))
    assert accepted["resolution"].state is SlaState.MET
    assert accepted["resolution"].met_at == sh(2025, 9, 22, 17)
    assert accepted["callback"].started_at == sh(2025, 9, 22, 17)
    assert accepted["callback"].due_at == sh(2025, 9, 23, 17)
    late = sla_status(tk.events, targets, CN, sh(2025, 9, 23, 18))
    assert late["callback"].state is SlaState.BREACHED and late["callback"].breach == H


def test_a_rejected_resolution_does_not_stop_the_clock() -> None:
    tk = worked(sh(2025, 9, 22, 9))
    targets = SlaTargets((SlaTarget("resolution", 16 * H),))
    tk.resolve(ENGINEER, sh(2025, 9, 22, 14))
    tk.reject(CUSTOMER, sh(2025, 9, 23, 9, 30), "still leaks")
    status = sla_status(tk.events, targets, CN, sh(2025, 9, 23, 10))["resolution"]
    assert status.elapsed == 8 * H + H  # all of Monday, and Tuesday 09–10
    assert status.due_at == sh(2025, 9, 23, 18)


def test_pauses_are_reported_as_paused_working_time() -> None:
    tk = worked(sh(2025, 9, 22, 9))
    tk.step("await_customer", ENGINEER, sh(2025, 9, 22, 11), reason="not at home")
    targets = SlaTargets((SlaTarget("resolution", 8 * H),))
    paused = sla_status(tk.events, targets, CN, sh(2025, 9, 22, 15))["resolution"]
    assert paused.state is SlaState.PAUSED and paused.phase is ClockPhase.PAUSED
    assert paused.elapsed == 2 * H and paused.paused_time == 3 * H
    tk.step("resume", ENGINEER, sh(2025, 9, 22, 15))
    running = sla_status(tk.events, targets, CN, sh(2025, 9, 22, 16))["resolution"]
    assert running.elapsed == 3 * H and running.due_at == sh(2025, 9, 23, 12)  # 16–18, then Tue 09–12
    # Warning at 80 % of 8 h = 6 h 24 min of clock time: 16:00 + 3 h 24 min.
    assert running.warning_at == sh(2025, 9, 23, 10, 24)


def test_the_dealer_contract_runs_from_the_dispatch_to_the_dealer() -> None:
    tk = opened(sh(2025, 9, 22, 9))
    tk.step("triage", AGENT, sh(2025, 9, 22, 9, 30))
    contract = SlaTarget("resolution", 24 * H, "calendar", extended_to=48 * H, start="dealer_dispatch")
    targets = SlaTargets((contract,))
    assert sla_status(tk.events, targets, CN, sh(2025, 9, 22, 10))["resolution"].state is SlaState.PENDING
    tk.assign(AGENT, sh(2025, 9, 22, 11), Assignee(AssigneeKind.DEALER, "D1"))
    status = sla_status(tk.events, targets, CN, sh(2025, 9, 22, 12))["resolution"]
    assert status.started_at == sh(2025, 9, 22, 11) and status.due_at == sh(2025, 9, 23, 11)
    tk.extend_sla(
        MANAGER, sh(2025, 9, 23, 9), target="resolution", new_limit_seconds=36 * 3600, reason="村镇"
    )
    extended = sla_status(tk.events, targets, CN, sh(2025, 9, 23, 12))["resolution"]
    assert extended.extended and extended.due_at == sh(2025, 9, 23, 23) and not extended.breached
    assert extended.budget == 36 * H


def test_urgent_first_contact_in_minutes_is_met_by_a_call_not_by_triage() -> None:
    tk = opened(sh(2025, 9, 22, 17, 50))
    targets = SlaTargets((SlaTarget("response", 30 * M, "calendar"),))
    tk.step("triage", AGENT, sh(2025, 9, 22, 17, 55))
    assert sla_status(tk.events, targets, CN, sh(2025, 9, 22, 18, 10))["response"].state is SlaState.RUNNING
    tk.contact_customer(
        AGENT,
        sh(2025, 9, 22, 18, 15),
        channel="phone",
        expected_at=sh(2025, 9, 23, 9),
        note="已联系客户，告知预计上门时间",
    )
    status = sla_status(tk.events, targets, CN, sh(2025, 9, 22, 19))["response"]
    assert status.state is SlaState.MET and status.met_at == sh(2025, 9, 22, 18, 15)
    assert status.due_at == sh(2025, 9, 22, 18, 20)  # wall-clock minutes: urgent means now, not tomorrow
    # A pack may name more steps that count as the response.
    wider = SlaTargets((SlaTarget("response", 4 * H),), response_actions={"triage"})
    assert sla_status(tk.events, wider, CN, sh(2025, 9, 22, 19))["response"].met_at == sh(2025, 9, 22, 17, 55)


def test_illegal_steps_name_the_ticket_the_command_and_the_state() -> None:
    tk = worked(sh(2025, 9, 22, 9))
    with pytest.raises(InvalidTransition) as refused:
        tk.close(AGENT, sh(2025, 9, 22, 10))
    assert refused.value.ticket_id == "T-18" and refused.value.command == "close"
    assert refused.value.state == "in_progress"
    assert (
        "T-18" in str(refused.value)
        and "'close'" in str(refused.value)
        and "in_progress" in str(refused.value)
    )
    with pytest.raises(InvalidTransition):
        tk.confirm(CUSTOMER, sh(2025, 9, 22, 10))  # nothing to accept before the work is done


# -- the provisional calendar beyond the official data ----------------------------------------------------


def test_beyond_the_official_data_dues_are_provisional_on_the_statutory_holidays() -> None:
    assert CN.official_until == date(2026, 12, 31) and CN.known_until == date(2027, 12, 31)
    assert len(statutory_holidays(range(2027, 2028))) == 13
    tk = opened(sh(2026, 12, 30, 10))
    targets = SlaTargets(
        (SlaTarget("response", 4 * H), SlaTarget("resolution", timedelta(days=3), "working_days"))
    )
    status = sla_status(tk.events, targets, CN, sh(2026, 12, 30, 10))
    assert not status["response"].provisional and status["response"].due_at == sh(2026, 12, 30, 15)
    resolution = status["resolution"]
    # 30 Dec 10–18 (7 h), 31 Dec (8 h), 1 Jan 2027 (元旦) off, weekend, Mon 4 Jan (8 h): 23 h; 1 h more.
    assert resolution.provisional and resolution.due_at == sh(2027, 1, 5, 10)
    assert status.provisional and due_times(status).provisional
    # Spring Festival 2027 on the statutory days only: 5 and 8 Feb off (no make-up days).
    assert due(sh(2027, 2, 4, 15), SlaTarget("resolution", 8 * H)) == sh(2027, 2, 9, 15)
    assert CN.is_provisional(sh(2027, 2, 9, 15)) and not CN.is_provisional(sh(2026, 12, 31, 15))


def test_with_provisional_is_refused_inside_the_data() -> None:
    with pytest.raises(ValidationError):
        CN.with_provisional([], date(2026, 6, 1))


# -- properties ------------------------------------------------------------------------------------------

windows = st.lists(
    st.tuples(st.integers(0, 23 * 4), st.integers(1, 8 * 4)), min_size=1, max_size=3, unique_by=lambda w: w[0]
)


def _calendar(days: list[list[tuple[int, int]]]) -> BusinessCalendar | None:
    weekly: dict[int, list[tuple[time, time]]] = {}
    for weekday, spec in enumerate(days):
        spans = sorted((start, min(start + length, 96)) for start, length in spec)
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                continue
            merged.append((start, end))
        if merged:
            weekly[weekday] = [
                (time(s // 4, s % 4 * 15), time(0) if e == 96 else time(e // 4, e % 4 * 15))
                for s, e in merged
            ]
    if not weekly:
        return None
    return BusinessCalendar(
        "Asia/Shanghai",
        weekly,
        holidays=[date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3)],
        extra_workdays=[date(2025, 10, 11)],
        known_from=date(2025, 1, 1),
        known_until=date(2026, 12, 31),
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(windows, min_size=7, max_size=7),
    st.integers(0, 60 * 24 * 60),
    st.integers(1, 60 * 40),
)
def test_the_due_is_the_earliest_instant_with_the_target_accrued(
    days: list[list[tuple[int, int]]], start_minutes: int, target_minutes: int
) -> None:
    calendar = _calendar(days)
    if calendar is None:
        return
    start = sh(2025, 9, 1) + timedelta(minutes=start_minutes)
    target = timedelta(minutes=target_minutes)
    status = sla_status(opened(start).events, SlaTargets((SlaTarget("resolution", target),)), calendar, start)
    found = status["resolution"].due_at
    assert found is not None
    assert calendar.between(start, found) == target
    assert calendar.between(start, found - timedelta(microseconds=1)) < target
    assert found == calendar.add(start, target)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 60 * 24 * 20), st.lists(st.integers(1, 60 * 30), max_size=6), st.booleans())
def test_the_stored_due_equals_the_status_due(start_minutes: int, gaps: list[int], urgent: bool) -> None:
    from aftersales.adapters.clock import ManualClock
    from aftersales.domain.contact import Contact
    from aftersales.domain.ids import EngineerId
    from aftersales.domain.parties import Customer, Engineer
    from aftersales.service.actors import Actor
    from aftersales.service.desk import ServiceDesk

    clock = ManualClock(sh(2025, 9, 15, 7) + timedelta(minutes=start_minutes))
    desk = ServiceDesk.open("memory://", pack="office_equipment", clock=clock, calendar=CN)
    agent, engineer = Actor.agent("a1"), Actor.engineer("e1")
    desk.register_customer(
        Actor.manager("m1"), Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13800000000"))
    )
    desk.register_engineer(Actor.manager("m1"), Engineer(EngineerId("e1"), "赵工"))
    tid = desk.open_ticket(agent, customer_id="c1", description="卡纸", urgent=urgent).ticket.id

    def same() -> None:
        view, status = desk.ticket(agent, tid), desk.sla(agent, tid)
        assert view.response_due_at == status["response"].due_at
        assert view.resolution_due_at == status["resolution"].due_at
        for due in (view.response_due_at, view.resolution_due_at):
            assert due is not None and due.tzinfo == SH

    same()
    desk.triage(agent, tid, nature="jam", severity="medium", plan="on_site")  # type: ignore[arg-type]
    desk.dispatch(agent, tid, engineer_id="e1")
    desk.start_work(engineer, tid)
    same()
    for index, gap in enumerate(gaps):
        clock.advance(timedelta(minutes=gap))
        if index % 2 == 0:
            desk.await_customer(engineer, tid, reason="not at home")
        else:
            desk.resume(engineer, tid)
        same()


def test_the_json_of_a_status_carries_the_clock_start_and_the_warning_instant() -> None:
    """Working targets compute ``started_at`` and ``warning_at`` on demand; their JSON still has both, under
    those names, and reads back to the same instants."""
    from aftersales.domain.sla_clock import SlaStatus
    from aftersales.json import from_json, to_dict, to_json

    tk = opened(sh(2025, 9, 21, 20))  # a Sunday evening: the working clock starts on Monday at 09:00
    targets = SlaTargets((SlaTarget("resolution", 8 * H),))
    status = sla_status(tk.events, targets, CN, sh(2025, 9, 22, 10))
    (written,) = to_dict(status)["targets"]
    assert (
        written["started_at"] == "2025-09-22T09:00:00+08:00" and written["started_at_zone"] == "Asia/Shanghai"
    )
    assert written["warning_at"] == "2025-09-22T16:24:00+08:00"  # 6 h 24 min of working time after 09:00
    assert not any(key.startswith("_") for key in written)
    back = from_json(to_json(status), SlaStatus)["resolution"]
    assert back.started_at == sh(2025, 9, 22, 9) and back.warning_at == sh(2025, 9, 22, 16, 24)
