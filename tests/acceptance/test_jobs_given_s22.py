# mypy: disable-error-code="arg-type"
"""Session 22: the jobs use what they are given — the ``now`` of ``run_due``, the settings' ``limit`` and
lease — on memory, SQLite and PostgreSQL.

``Jobs.run_due(now)`` judged the SLA sweep and the three purges at the desk's clock, not at the ``now``
passed in: a host (or a test suite replaying a month) asking for the jobs at an instant had breaches
unannounced and retention unapplied. The reminder and chargeback jobs ignored the settings' ``limit``
(every line in one run). ``JobSettings`` took a lease (or an interval) over 100 years that
``jobs.configure`` then refused; both refuse it now, at the constructor, naming the field.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from test_materials_s17 import _lend
from test_seed002_money import _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Severity
from aftersales.domain.materials import PartyRef
from aftersales.errors import ValidationError
from aftersales.policies.notification import DefaultNotification, NotificationParams
from aftersales.service.desk import ServiceDesk
from aftersales.service.jobs import JobLease, JobSettings
from conftest import STAFF, START, World, make_world, register, store_url, world_desk

__all__ = ["story"]  # the fixture of the seed-002 money story (memory, SQLite, PostgreSQL)

BACKENDS = ["memory", "sqlite", "postgres"]
Story = tuple[ServiceDesk, ManualClock, World]
HOURS = [(time(9), time(12)), (time(13), time(18))]
CALENDAR = BusinessCalendar(
    "Asia/Shanghai",
    dict.fromkeys(range(5), HOURS),
    (),
    known_from=date(2026, 1, 1),
    known_until=date(2026, 12, 31),
    source_name="company calendar",
)


# -- 1. run_due(now): every job judged at that instant --------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_sla_sweep_judges_the_tickets_at_the_now_given(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=CALENDAR) as desk,
    ):
        register(desk, world)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        due = desk.ticket(world.manager, tid).resolution_due_at
        assert due is not None
        clock.set(due + timedelta(days=7))  # long past the due by the clock (a host catching up)
        report = desk.run_due_jobs(START + timedelta(minutes=5))  # judged before any warning
        assert not report.failed and report.counts["sla_sweep"] == 0
        later = CALENDAR.add(due, timedelta(hours=1))  # an hour of working time past the due
        report = desk.run_due_jobs(later)
        assert not report.failed and report.counts["sla_sweep"] >= 1  # the breach, judged at `later`
        assert desk.run_due_jobs(later + timedelta(minutes=5)).counts["sla_sweep"] == 0  # once


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_sweep_judged_before_a_ticket_came_in_does_not_silence_its_breach(
    backend: str, tmp_path: Path
) -> None:
    # Judged at an instant before the ticket came in, its clocks had not started: the sweep took it as
    # settled, its mark moved past it and its memo kept it quiet, and no later sweep announced its
    # breach. A ticket with steps after the sweep's instant is left to a sweep at or after them.
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=CALENDAR) as desk,
    ):
        register(desk, world)
        clock.advance(timedelta(days=1))
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        assert desk.run_due_jobs(START).counts["sla_sweep"] == 0  # a host catching up from the day before
        due = desk.ticket(world.manager, tid).resolution_due_at
        assert due is not None
        clock.set(CALENDAR.add(due, timedelta(hours=1)))
        assert desk.run_due_jobs().counts["sla_sweep"] >= 1  # the breach (and the warning) announced
        assert desk.sla(world.manager, tid)["resolution"].breached


def _notifying(url: str, clock: ManualClock, notifier: object, **params: int) -> ServiceDesk:
    notification = DefaultNotification(NotificationParams(max_attempts=1, **params))
    return ServiceDesk.open(
        url, pack="office_equipment", clock=clock, staff=STAFF, notifier=notifier,
        overrides={"notification": notification},
    )  # fmt: skip


class _Down:
    def send(self, message: object) -> None:
        raise ConnectionError("gateway down")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_outbox_purges_judge_the_age_at_the_now_given(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        _notifying(url, clock, _Down(), keep_sent_days=30, keep_dead_days=30) as desk,
    ):
        register(desk, world)
        desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="整机不开")
        dead = desk.deliver(limit=1000).dead
        assert dead
        desk.notifier = MemoryNotifier()
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸")
        desk.triage(world.agent, tid.ticket.id, nature="repair", severity=Severity.MEDIUM)
        sent = desk.deliver(limit=1000).sent
        assert sent
        clock.advance(timedelta(days=40))  # the jobs did not run for 40 days: a host catches up
        both = ("purge_sent", "purge_dead")
        report = desk.jobs.run_due(START + timedelta(days=29), only=both)
        assert report.counts == {"purge_sent": 0, "purge_dead": 0}  # 29 days old at that instant: kept
        assert len(desk.outbox.dead_letters(world.manager)) == len(dead)
        report = desk.jobs.run_due(START + timedelta(days=31), only=both)
        assert report.counts["purge_sent"] >= len(sent) and report.counts["purge_dead"] == len(dead)
        assert desk.outbox.dead_letters(world.manager) == []  # 31 days old at that instant: gone


@pytest.mark.parametrize("backend", BACKENDS)
def test_jobs_judged_ahead_of_the_clock_are_refused(backend: str, tmp_path: Path) -> None:
    # Ahead of the clock the jobs would act on what has not happened, once and for good: purge records
    # younger than the pack keeps them (a retention no caller may shorten), charge parts before their
    # deadline, announce breaches, send a month's feedback before it ends. Refused naming the instant;
    # nothing runs, nothing is deleted.
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url, _notifying(url, clock, _Down(), keep_dead_days=30) as desk:
        register(desk, world)
        desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="整机不开")
        dead = desk.deliver(limit=1000).dead
        ahead = START + timedelta(days=31)
        with pytest.raises(ValidationError) as refused:
            desk.run_due_jobs(ahead)
        assert refused.value.field == "now"
        assert desk.jobs.leases() == [] and len(desk.outbox.dead_letters(world.manager)) == len(dead)
        hand = (
            lambda: desk.outbox.purge_dead_letters(world.manager, at=ahead),
            lambda: desk.outbox.purge_sent(world.manager, at=ahead),
            lambda: desk.privacy.purge_expired(world.manager, at=ahead),
            lambda: desk.materials.run_overdue_chargebacks(world.system, ahead),
            lambda: desk.materials.run_return_reminders(world.system, ahead),
            lambda: desk.sla_watch.sweep(world.system, at=ahead),
        )
        for call in hand:
            with pytest.raises(ValidationError) as refused:
                call()
            assert refused.value.field == "at"
        assert len(desk.outbox.dead_letters(world.manager)) == len(dead)
        # Within the clock skew two processes' clocks may differ by, the instant is taken.
        assert desk.run_due_jobs(START + timedelta(minutes=4)).failed.keys() <= {"monthly_feedback"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_idempotency_purge_judges_the_age_at_the_now_given(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):
        desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="复印机卡纸", idempotency_key="k-1"
        )
        first = desk.jobs.run_due(START, only=("purge_idempotency",))  # stamps the key seen at START
        assert first.counts["purge_idempotency"] == 0
        clock.advance(timedelta(days=400))
        report = desk.jobs.run_due(START + timedelta(days=10), only=("purge_idempotency",))
        assert report.counts["purge_idempotency"] == 0  # ten days old at that instant: kept
        report = desk.jobs.run_due(START + timedelta(days=100), only=("purge_idempotency",))
        assert report.counts["purge_idempotency"] >= 1  # past the pack's retention at that instant


class _Watching:
    """A notifier that reads the job leases while the ``deliver`` job sends (the lease it holds)."""

    def __init__(self) -> None:
        self.desk: ServiceDesk | None = None
        self.seen: list[JobLease] = []

    def send(self, message: object) -> None:
        assert self.desk is not None
        self.seen += [lease for lease in self.desk.jobs.leases() if lease.id == "deliver"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_run_at_an_earlier_now_holds_its_lease_by_the_clock(backend: str, tmp_path: Path) -> None:
    # The lease keeps processes apart in real time: taken at a `now` a day behind the clock (a host
    # catching up), it ran out a day before it was taken, and another process could run the same job.
    clock, world, watching = ManualClock(START), make_world(), _Watching()
    with store_url(backend, tmp_path) as url, _notifying(url, clock, watching) as desk:
        watching.desk = desk
        register(desk, world)
        desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="整机不开")
        clock.advance(timedelta(days=1))
        report = desk.jobs.run_due(START, only=("deliver",))
        assert report.ran == ("deliver",) and watching.seen
        held = watching.seen[0]
        assert held.holder is not None and held.until == clock.now() + desk.jobs.settings.lease


def test_a_hand_purge_refuses_a_naive_instant(tmp_path: Path) -> None:
    with world_desk("memory", tmp_path) as (desk, _clock, world):
        with pytest.raises(ValidationError) as refused:
            desk.outbox.purge_sent(world.manager, at=START.replace(tzinfo=None))
        assert refused.value.field == "at"


# -- 3. one bound for the lease and the intervals, at both entry points ---------------------------------


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"lease": timedelta(days=365 * 100 + 1)}, "lease"),
        ({"every": {"deliver": timedelta(days=365 * 100 + 1)}}, "every"),
    ],
)
def test_a_job_setting_over_100_years_is_refused_where_it_is_built(
    given: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        JobSettings(**given)
    assert refused.value.field == field and "100 years" in str(refused.value)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"lease": timedelta(microseconds=1)}, "lease"),  # ran out before any job ended
        ({"every": {"deliver": timedelta(0)}, "disabled": {"deliver"}}, "every"),  # one is ignored
    ],
)
def test_a_job_setting_the_jobs_would_not_honour_is_refused(given: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        JobSettings(**given)  # type: ignore[arg-type]
    assert refused.value.field == field
    kept = JobSettings(every={"sla_sweep": timedelta(0)}, disabled={"deliver"}, lease=timedelta(minutes=1))
    assert kept.interval("sla_sweep") == timedelta(0) and kept.interval("purge_dead") == timedelta(days=1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_100_year_lease_is_taken_by_the_settings_and_the_desk_alike(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, _world):
        settings = JobSettings(lease=timedelta(days=365 * 100), every={"deliver": timedelta(days=365 * 100)})
        desk.jobs.configure(settings)
        assert desk.jobs.settings is settings
        assert desk.jobs.run_due(only=("purge_dead",)).ran == ("purge_dead",)


# -- 4. the reminder and chargeback jobs honour the limit and resume -----------------------------------


def _three_lent(story: Story) -> None:
    desk, clock, world = story
    for _ in range(3):
        _lend(desk, world, _repair(desk, clock, world, "unit-in"))


def test_the_reminder_job_reminds_of_limit_lines_a_run_and_the_rest_next(story: Story) -> None:
    desk, clock, _world = story
    _three_lent(story)
    clock.advance(timedelta(days=27, hours=12))  # within remind_days (3) of the 30-day deadline
    desk.jobs.configure(JobSettings(limit=2))
    counts = [desk.jobs.run_due(only=("return_reminders",)).counts["return_reminders"] for _ in range(3)]
    assert counts == [2, 1, 0]


def test_the_chargeback_job_charges_limit_lines_a_run_and_the_rest_next(story: Story) -> None:
    desk, clock, world = story
    _three_lent(story)
    clock.advance(timedelta(days=31))
    desk.jobs.configure(JobSettings(limit=2))
    counts = [desk.jobs.run_due(only=("chargebacks",)).counts["chargebacks"] for _ in range(3)]
    assert counts == [2, 1, 0]
    ledger = desk.materials.ledger(world.agent, PartyRef.dealer("dealer-sh"))
    assert ledger.charged == 3 and len(ledger.chargebacks) == 3


def test_a_hand_run_refuses_a_limit_it_could_not_use(story: Story) -> None:
    desk, _clock, world = story
    for bad in (0, -1, True, "2"):
        with pytest.raises(ValidationError) as refused:
            desk.materials.run_overdue_chargebacks(world.system, limit=bad)
        assert refused.value.field == "limit"
        with pytest.raises(ValidationError) as refused:
            desk.materials.run_return_reminders(world.system, limit=bad)
        assert refused.value.field == "limit"
