"""The SLA clock, hand-checked on the China mainland calendar (2025: National Day 1–8 Oct off, make-up working
days Sun 28 Sep and Sat 11 Oct). Office hours 09:00–12:00 and 13:00–18:00."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.instants import end_of_local_days
from aftersales.domain.sla_clock import (
    SLA_EXTENSION_KEY,
    ClockPhase,
    SlaTarget,
    SlaTargets,
    due_times,
    rederive,
    sla_status,
)
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.work import CustomerNote, Visit
from aftersales.errors import NaiveDatetimeError, ValidationError

SH = ZoneInfo("Asia/Shanghai")
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("eng-1", Role.ENGINEER)
CUSTOMER = ActorRef("cust-1", Role.CUSTOMER)
SYSTEM = ActorRef("sys", Role.SYSTEM)
H = timedelta(hours=1)
M = timedelta(minutes=1)


def t(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in 2025, Shanghai time."""
    return datetime(2025, month, day, hour, minute, tzinfo=SH)


@pytest.fixture(scope="module")
def cn() -> BusinessCalendar:
    return china_mainland_calendar()


def ticket(received: datetime) -> Ticket:
    return Ticket.open(
        id=TicketId("T-1"),
        customer_id=CustomerId("c-1"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="no water",
        received_at=received,
        taken_by=AGENT,
    )


def only(name: str, duration: timedelta, basis: str = "working", **kw: object) -> SlaTargets:
    return SlaTargets((SlaTarget(name, duration, basis),), **kw)  # type: ignore[arg-type]


def work_until_paused(tk: Ticket, triaged: datetime) -> None:
    tk.step("triage", AGENT, triaged)
    tk.step("assign", AGENT, triaged)
    tk.step("start_work", ENGINEER, triaged)


# -- hand-checked due times --------------------------------------------------------------------------------


def test_friday_1730_four_working_hours_is_due_monday_1330(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 19, 17, 30))  # Friday
    status = sla_status(tk.events, only("response", 4 * H), cn, t(9, 19, 17, 45)).get("response")
    assert status is not None
    # Fri 17:30–18:00 is 30 min, Mon 09:00–12:00 is 3 h, the last 30 min after lunch.
    assert status.due_at == t(9, 22, 13, 30)
    assert status.deadline == t(9, 22, 13, 30)
    assert status.phase is ClockPhase.RUNNING
    assert status.elapsed == 15 * M
    assert status.remaining == 3 * H + 45 * M


def test_warning_at_eighty_percent_and_breach_size(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 19, 17, 30))
    targets = only("response", 4 * H)

    def at(moment: datetime) -> tuple[bool, bool, timedelta]:
        found = sla_status(tk.events, targets, cn, moment).get("response")
        assert found is not None
        return found.warning, found.breached, found.breach

    # 80 % of 4 h is 3 h 12 min: reached on Monday at 11:42 (30 min on Friday + 2 h 42 min).
    assert at(t(9, 22, 11, 41)) == (False, False, timedelta(0))
    assert at(t(9, 22, 11, 42)) == (True, False, timedelta(0))
    assert at(t(9, 22, 13, 30)) == (True, False, timedelta(0))  # exactly used up: not yet breached
    assert at(t(9, 22, 14, 0)) == (False, True, 30 * M)
    assert at(t(9, 23, 9, 30)) == (False, True, 5 * H)  # Mon 13:30–18:00 and Tue 09:00–09:30


def test_warn_share_is_configurable(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    targets = only("response", 4 * H, warn_at=Decimal("0.5"))
    assert sla_status(tk.events, targets, cn, t(9, 22, 10, 59)).warning is False
    assert sla_status(tk.events, targets, cn, t(9, 22, 11, 0)).warning is True


def test_received_during_lunch_starts_at_one(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 23, 12, 20))  # Tuesday
    status = sla_status(tk.events, only("response", 2 * H), cn, t(9, 23, 12, 50)).get("response")
    assert status is not None
    assert status.due_at == t(9, 23, 15, 0)
    assert status.elapsed == timedelta(0)
    assert not status.breached


def test_received_on_national_day_counts_from_the_ninth(cn: BusinessCalendar) -> None:
    tk = ticket(t(10, 1, 10, 0))
    status = sla_status(tk.events, only("response", 4 * H), cn, t(10, 5, 12, 0)).get("response")
    assert status is not None
    assert status.due_at == t(10, 9, 14, 0)
    assert status.elapsed == timedelta(0)
    assert not status.breached  # no "failed" before the clock really started


def test_make_up_sunday_is_a_working_day(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 27, 10, 0))  # Saturday; Sunday 28 Sep is a make-up working day
    status = sla_status(tk.events, only("response", 4 * H), cn, t(9, 27, 11, 0)).get("response")
    assert status is not None
    assert status.due_at == t(9, 28, 14, 0)


def test_three_working_days_over_national_day_include_the_make_up_saturday(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 30, 10, 0))
    status = sla_status(tk.events, only("resolution", timedelta(days=3), "working_days"), cn, t(9, 30, 11, 0))
    found = status.get("resolution")
    assert found is not None
    # 3 working days = 24 working hours: Tue 30 Sep 10–18 (7 h), Thu 9 (8 h), Fri 10 (8 h), and one hour of
    # the make-up Saturday 11 Oct.
    assert found.deadline == found.due_at == t(10, 11, 10, 0)
    assert found.budget == 24 * H
    eod = sla_status(tk.events, only("resolution", timedelta(days=3), "end_of_day"), cn, t(9, 30, 11, 0))
    other = eod.get("resolution")
    assert other is not None
    # The other reading: by the end of the third following working day (Thu 9, Fri 10, Sat 11 Oct), exactly.
    assert other.deadline == other.due_at == t(10, 11, 18, 0)
    assert other.budget == 7 * H + 24 * H  # the rest of Tuesday (10–12, 13–18) plus three whole days


def test_twenty_four_calendar_hours_versus_three_working_days(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 19, 17, 30))  # Friday
    wall = sla_status(tk.events, only("resolution", 24 * H, "calendar"), cn, t(9, 20, 18, 0)).get(
        "resolution"
    )
    days = sla_status(
        tk.events, only("resolution", timedelta(days=3), "working_days"), cn, t(9, 20, 18, 0)
    ).get("resolution")
    assert wall is not None and days is not None
    assert wall.due_at == t(9, 20, 17, 30)  # wall-clock: Saturday 17:30, not moved to working hours
    assert wall.breached and wall.breach == 30 * M
    assert days.deadline == days.due_at == t(9, 24, 17, 30)  # 24 working hours: ½ h Fri, Mon, Tue, 7½ h Wed
    assert not days.breached


# -- pauses ------------------------------------------------------------------------------------------------


def test_pause_over_a_weekend(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 18, 9, 0))  # Thursday
    work_until_paused(tk, t(9, 18, 9, 30))
    tk.step("await_customer", ENGINEER, t(9, 19, 16, 0), reason="customer away")
    targets = only("resolution", 16 * H)
    during = sla_status(tk.events, targets, cn, t(9, 20, 12, 0)).get("resolution")
    assert during is not None
    assert during.paused and during.phase is ClockPhase.PAUSED
    assert during.elapsed == 14 * H  # Thursday 8 h, Friday 09–12 and 13–16
    assert during.due_at == t(9, 22, 11, 0)  # projected as if it resumed now: 2 h from Monday 09:00
    tk.step("resume", ENGINEER, t(9, 22, 11, 0))
    after = sla_status(tk.events, targets, cn, t(9, 22, 11, 30)).get("resolution")
    assert after is not None
    assert not after.paused
    assert after.elapsed == 14 * H + 30 * M
    assert after.due_at == t(9, 22, 14, 0)  # 1 h before lunch, 1 h after
    assert after.paused_time == 4 * H  # Fri 16–18, then Monday 09–11 (the weekend is not working time)
    unpaused = sla_status(ticket(t(9, 18, 9, 0)).events, targets, cn, t(9, 22, 11, 30)).get("resolution")
    # Exact: a target that runs out at 18:00 is due at 18:00, not at the next working start.
    assert unpaused is not None and unpaused.deadline == unpaused.due_at == t(9, 19, 18, 0)


def test_awaiting_parts_pauses_only_when_configured(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    work_until_paused(tk, t(9, 22, 9, 0))
    tk.step("await_parts", ENGINEER, t(9, 22, 10, 0))
    plain = only("resolution", 8 * H)
    parts = only(
        "resolution", 8 * H, pause_states={TicketState.AWAITING_CUSTOMER, TicketState.AWAITING_PARTS}
    )
    at = t(9, 22, 15, 0)
    assert sla_status(tk.events, plain, cn, at).targets[0].elapsed == 5 * H
    paused = sla_status(tk.events, parts, cn, at).targets[0]
    assert paused.elapsed == 1 * H and paused.paused


def test_resolve_from_paused_closes_the_pause(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    work_until_paused(tk, t(9, 22, 9, 0))
    tk.step("await_customer", ENGINEER, t(9, 22, 10, 0), reason="waiting")
    tk.resolve(ENGINEER, t(9, 22, 11, 0))
    tk.confirm(CUSTOMER, t(9, 22, 11, 0))
    status = sla_status(tk.events, only("resolution", 8 * H), cn, t(9, 24, 9, 0)).get("resolution")
    assert status is not None
    assert status.phase is ClockPhase.MET and status.met_at == t(9, 22, 11, 0)
    assert status.elapsed == 1 * H
    assert status.due_at == t(9, 23, 10, 0)  # 7 h left from the resolve (1 + 5 + 1), kept as history


# -- met, rework, reopen, cancel ---------------------------------------------------------------------------


def test_response_is_the_first_customer_facing_contact(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    tk.note_to_customer(AGENT, t(9, 22, 9, 30), CustomerNote("internal", visible_to_customer=False))
    targets = only("response", 4 * H)
    assert sla_status(tk.events, targets, cn, t(9, 22, 10, 0)).targets[0].phase is ClockPhase.RUNNING
    tk.step("triage", AGENT, t(9, 22, 10, 15))  # internal: not a response (seed 003: contact the customer)
    assert sla_status(tk.events, targets, cn, t(9, 22, 10, 20)).targets[0].phase is ClockPhase.RUNNING
    tk.note_to_customer(AGENT, t(9, 22, 10, 45), CustomerNote("工程师明天上午上门"))
    status = sla_status(tk.events, targets, cn, t(9, 23, 10, 0)).targets[0]
    assert status.met_at == t(9, 22, 10, 45)
    assert status.elapsed == 105 * M and not status.breached and not status.warning
    assert status.due_at == t(9, 22, 14, 0)


def test_system_actions_are_not_a_response(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    tk.contact_customer(SYSTEM, t(9, 22, 9, 0), channel="sms", note="短信告知客户已受理")
    assert sla_status(tk.events, only("response", 4 * H), cn, t(9, 22, 9, 5)).targets[0].met_at is None
    tk.contact_customer(
        AGENT, t(9, 22, 9, 10), channel="phone", expected_at=t(9, 22, 14), note="已联系客户，告知预计上门时间"
    )
    assert sla_status(tk.events, only("response", 4 * H), cn, t(9, 22, 9, 15)).targets[0].met_at == t(
        9, 22, 9, 10
    )
    tk2 = ticket(t(9, 22, 9, 0))
    tk2.step("cancel", CUSTOMER, t(9, 22, 9, 30), reason="solved it myself")
    status = sla_status(tk2.events, only("response", 4 * H), cn, t(9, 23, 9, 0)).targets[0]
    assert status.phase is ClockPhase.STOPPED and status.met_at is None
    assert status.elapsed == 30 * M and not status.breached
    assert sla_status(tk2.events, only("response", 4 * H), cn, t(9, 23, 9, 0)).closed


def test_arrival_uses_the_visits_arrival_instant(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    tk.step("triage", AGENT, t(9, 22, 9, 0))
    tk.step("assign", AGENT, t(9, 22, 9, 10))
    tk.add_visit(ENGINEER, t(9, 22, 16, 0), Visit(t(9, 22, 14, 0), "eng-1"))  # planned only
    targets = only("arrival", 4 * H)
    assert sla_status(tk.events, targets, cn, t(9, 22, 16, 0)).targets[0].met_at is None
    tk.add_visit(ENGINEER, t(9, 22, 17, 0), Visit(t(9, 22, 14, 0), "eng-1", arrived_at=t(9, 22, 14, 30)))
    status = sla_status(tk.events, targets, cn, t(9, 22, 17, 30)).targets[0]
    assert status.met_at == t(9, 22, 14, 30)
    assert status.elapsed == 4 * H + 30 * M
    assert status.breached and status.breach == 30 * M
    assert status.deadline == t(9, 22, 14, 0)


def test_rework_resumes_the_resolution_clock(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))  # Monday
    work_until_paused(tk, t(9, 22, 9, 0))
    tk.resolve(ENGINEER, t(9, 22, 13, 0))
    targets = only("resolution", 16 * H)
    waiting = sla_status(tk.events, targets, cn, t(9, 23, 9, 30)).targets[0]
    # Work done is not accepted: the clock runs while the customer's answer is awaited.
    assert waiting.phase is ClockPhase.RUNNING and waiting.elapsed == 8 * H + 30 * M
    tk.reject(CUSTOMER, t(9, 23, 10, 0), "still leaking")
    status = sla_status(tk.events, targets, cn, t(9, 23, 11, 0)).targets[0]
    # Monday 8 h (the rejected resolution stopped nothing), then 2 h on Tuesday.
    assert status.elapsed == 10 * H and status.phase is ClockPhase.RUNNING
    assert status.due_at == t(9, 23, 18, 0)


def test_breached_rework_finds_the_crossing_past_the_resolved_gap(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    work_until_paused(tk, t(9, 22, 9, 0))
    tk.resolve(ENGINEER, t(9, 22, 13, 0))
    tk.reject(CUSTOMER, t(9, 23, 10, 0), "still leaking")
    status = sla_status(tk.events, only("resolution", 4 * H), cn, t(9, 23, 14, 0)).targets[0]
    assert status.breached and status.breach == 8 * H  # Monday 8 h + Tuesday 4 h, against 4 h
    assert status.deadline == t(9, 22, 14, 0)  # 3 h before lunch, 1 h after: the rejection moved nothing


def test_callback_starts_at_acceptance(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 19, 9, 0))
    targets = SlaTargets((SlaTarget("callback", 24 * H, "calendar"),))
    assert sla_status(tk.events, targets, cn, t(9, 19, 10, 0)).targets[0].phase is ClockPhase.PENDING
    work_until_paused(tk, t(9, 19, 9, 0))
    tk.resolve(ENGINEER, t(9, 19, 17, 0))
    assert sla_status(tk.events, targets, cn, t(9, 19, 17, 10)).targets[0].phase is ClockPhase.PENDING
    tk.confirm(CUSTOMER, t(9, 19, 17, 30))  # the callback counts from the customer's acceptance
    running = sla_status(tk.events, targets, cn, t(9, 20, 9, 0)).targets[0]
    assert running.started_at == t(9, 19, 17, 30) and running.due_at == t(9, 20, 17, 30)
    tk.record_callback(AGENT, t(9, 20, 10, 0), problem_back=False)
    met = sla_status(tk.events, targets, cn, t(9, 21, 9, 0)).targets[0]
    assert met.phase is ClockPhase.MET and met.met_at == t(9, 20, 10, 0) and not met.breached


def test_a_callback_in_calendar_days_runs_through_the_end_of_the_last_local_day(cn: BusinessCalendar) -> None:
    # Seed 004: 投诉处理后的七天内 — accepted Friday 17:30, on time through Friday 26 September, 24:00.
    tk = ticket(t(9, 19, 9, 0))
    targets = SlaTargets((SlaTarget("callback", timedelta(days=7), "calendar_days"),))
    work_until_paused(tk, t(9, 19, 9, 0))
    tk.resolve(ENGINEER, t(9, 19, 17, 0))
    tk.confirm(CUSTOMER, t(9, 19, 17, 30))
    running = sla_status(tk.events, targets, cn, t(9, 26, 23, 59)).targets[0]
    assert running.due_at == t(9, 27, 0, 0) and not running.breached
    assert sla_status(tk.events, targets, cn, t(9, 27, 0, 1)).targets[0].breached
    tk.record_callback(AGENT, t(9, 26, 22, 0), problem_back=False)
    met = sla_status(tk.events, targets, cn, t(9, 30, 9, 0)).targets[0]
    assert met.phase is ClockPhase.MET and met.due_at == t(9, 27, 0, 0) and not met.breached
    with pytest.raises(ValidationError):
        SlaTarget("callback", timedelta(days=7, hours=1), "calendar_days")


def test_whole_local_days_end_at_local_midnight_across_a_clock_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # summer time starts on Sunday 30 March 2025
    end = end_of_local_days(datetime(2025, 3, 28, 15, 0, tzinfo=berlin), 2, berlin)
    assert end == datetime(2025, 3, 31, 0, 0, tzinfo=berlin)
    assert end - datetime(2025, 3, 28, 15, 0, tzinfo=berlin) == timedelta(days=2, hours=9)  # wall clock
    assert end.astimezone(SH) == datetime(2025, 3, 31, 6, 0, tzinfo=SH)  # 23 h on the Sunday


def test_reopen_measures_the_new_targets_from_the_reopen(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    work_until_paused(tk, t(9, 22, 9, 0))
    tk.resolve(ENGINEER, t(9, 22, 11, 0))
    tk.confirm(CUSTOMER, t(9, 22, 11, 30))
    tk.reopen(AGENT, t(9, 24, 10, 0), "problem back at the callback")
    reopened = SlaTargets((SlaTarget("resolution", 4 * H),))
    status = sla_status(tk.events, reopened, cn, t(9, 24, 11, 0))
    found = status.get("resolution")
    assert found is not None and not status.closed
    assert found.started_at == t(9, 24, 10, 0)
    assert found.elapsed == 1 * H
    assert found.due_at == t(9, 24, 15, 0)


def test_approved_extension_of_the_dealer_contract(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 19, 10, 0))
    work_until_paused(tk, t(9, 19, 10, 0))
    contract = SlaTargets((SlaTarget("resolution", 24 * H, "calendar", extended_to=48 * H),))
    assert sla_status(tk.events, contract, cn, t(9, 20, 12, 0)).targets[0].breached
    assert (
        not sla_status(tk.events, contract, cn, t(9, 20, 12, 0), extensions={"resolution"})
        .targets[0]
        .breached
    )
    # The service records the maker's approval on an event; the clock reads it from the log.
    tk.step(
        "note_to_customer",
        ActorRef("mgr", Role.MANAGER),
        t(9, 20, 9, 0),
        payload={SLA_EXTENSION_KEY: "resolution"},
    )
    status = sla_status(tk.events, contract, cn, t(9, 20, 12, 0)).targets[0]
    assert status.extended and not status.breached
    assert status.due_at == t(9, 21, 10, 0)


# -- policy change, helpers, errors ------------------------------------------------------------------------


def test_rederive_gives_open_tickets_new_due_times_and_closed_ones_keep_theirs(cn: BusinessCalendar) -> None:
    old, new = only("resolution", 16 * H), only("resolution", 8 * H)
    open_ticket = ticket(t(9, 22, 9, 0))
    work_until_paused(open_ticket, t(9, 22, 9, 0))
    closed = ticket(t(9, 22, 9, 0))
    work_until_paused(closed, t(9, 22, 9, 0))
    closed.resolve(ENGINEER, t(9, 22, 12, 0))
    closed.confirm(CUSTOMER, t(9, 22, 13, 0))
    closed.record_callback(AGENT, t(9, 22, 13, 30), problem_back=False)
    closed.close(AGENT, t(9, 22, 13, 30))
    at = t(9, 22, 15, 0)
    renewed = rederive(open_ticket.events, old, new, cn, at).targets[0]
    assert renewed.deadline == renewed.due_at == t(9, 22, 18, 0)
    assert renewed.elapsed == 5 * H  # the time already used carries over
    assert sla_status(open_ticket.events, old, cn, at).targets[0].deadline == t(9, 23, 18, 0)
    kept = rederive(closed.events, old, new, cn, at)
    assert kept.closed and kept.targets[0].budget == 16 * H
    assert kept.targets[0].deadline == t(9, 23, 18, 0)  # 3 h used by the resolve at noon, 13 h left


def test_due_times_for_the_ticket_fields(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    targets = SlaTargets(
        (
            SlaTarget("resolution", 8 * H),
            SlaTarget("response", 2 * H),
            SlaTarget("callback", 24 * H, "calendar"),
        )
    )
    dues = due_times(sla_status(tk.events, targets, cn, t(9, 22, 9, 0)))
    assert dues.response_due_at == t(9, 22, 11, 0)
    assert dues.resolution_due_at == t(9, 22, 18, 0)  # exact: the window's end, not the next working start
    assert dues.callback_due_at is None and dues.arrival_due_at is None


def test_status_before_the_ticket_was_opened_is_pending(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    status = sla_status(tk.events, only("response", 1 * H), cn, t(9, 21, 9, 0)).targets[0]
    assert status.phase is ClockPhase.PENDING and status.due_at is None and not status.breached


def test_bad_input_is_refused(cn: BusinessCalendar) -> None:
    tk = ticket(t(9, 22, 9, 0))
    targets = only("response", 1 * H)
    with pytest.raises(NaiveDatetimeError):
        sla_status(tk.events, targets, cn, datetime(2025, 9, 22, 10))
    with pytest.raises(ValidationError):
        sla_status([], targets, cn, t(9, 22, 10))
    with pytest.raises(ValidationError):
        SlaTarget("lunch", 1 * H)
    with pytest.raises(ValidationError):
        SlaTarget("response", timedelta(0))
    with pytest.raises(ValidationError):
        SlaTarget("resolution", timedelta(days=1, hours=2), "working_days")
    with pytest.raises(ValidationError):
        SlaTarget("resolution", 24 * H, "fortnights")
    with pytest.raises(ValidationError):
        SlaTarget("resolution", 48 * H, "calendar", extended_to=24 * H)
    with pytest.raises(ValidationError):
        SlaTargets((SlaTarget("response", H), SlaTarget("response", 2 * H)))
    with pytest.raises(ValidationError):
        SlaTargets((), pause_states={"resolved"})
    with pytest.raises(ValidationError):
        SlaTargets((), pause_states={"sleeping"})
    with pytest.raises(ValidationError):
        SlaTargets((), warn_at=1.5)


def test_a_warn_share_that_is_no_number_is_refused_typed() -> None:
    """A host's ``SlaTargets(warn_at=...)`` that is not a number is a ValidationError naming warn_at
    (session 38, hostile input): "abc" and NaN escaped as decimal.InvalidOperation, a huge int as
    ValueError from the message; typed text reads as money's does (number_text)."""
    for bad in ["abc", "NaN", float("nan"), "5e-1", " 0.5", "٠.٥", 10**5000]:
        with pytest.raises(ValidationError) as refused:
            SlaTargets((), warn_at=bad)
        assert refused.value.field == "warn_at"
    assert SlaTargets((), warn_at="０.５").warn_at == Decimal("0.5")


def test_a_target_no_clock_can_add_is_refused_naming_it() -> None:
    """Session 39: a host's ``SlaTarget(duration=timedelta.max)`` was taken, then its due time on the wall
    clock raised Python's OverflowError; the bound of every duration (100 years) now holds here too."""
    for given in ({"duration": timedelta.max}, {"duration": H, "extended_to": timedelta(days=365 * 101)}):
        with pytest.raises(ValidationError) as refused:
            SlaTarget("resolution", **{"basis": "calendar", **given})  # type: ignore[arg-type]
        assert refused.value.field == next(reversed(given))
    assert SlaTarget("resolution", timedelta(days=365 * 100), "calendar").duration.days == 36500
