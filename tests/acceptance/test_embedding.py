"""Embedding a desk in a real application: its zone and clock, the jobs a host runs, threads and processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.unit.embedding_world import AGENT, AUDITOR, MANAGER, START, dispatched_ticket, small_desk

from aftersales import JobSettings, to_dict
from aftersales.adapters.clock import ManualClock, SystemClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Category, Severity
from aftersales.errors import ValidationError
from aftersales.policies.notification import DefaultNotification, NotificationParams
from aftersales.service.desk import ServiceDesk
from aftersales.service.jobs import JOB_NAMES, JobLease

SHANGHAI = ZoneInfo("Asia/Shanghai")


# -- the desk's zone ---------------------------------------------------------------------------------


def test_the_zone_comes_from_the_calendar_and_the_default_clock_reads_in_it() -> None:
    desk = ServiceDesk.open("memory://", pack="sanitary_ware")
    assert desk.zone == SHANGHAI
    assert desk.clock.now().utcoffset() == timedelta(hours=8)
    # Without a calendar the books' default zone; settings may name another (and win over the calendar).
    assert ServiceDesk.open("memory://", calendar=None).zone == SHANGHAI
    london = ServiceDesk.open("memory://", settings={"timezone": "Europe/London"})
    assert london.zone == ZoneInfo("Europe/London")
    assert london.clock.now().tzinfo == ZoneInfo("Europe/London")
    assert SystemClock("Asia/Shanghai").now().utcoffset() == timedelta(hours=8)
    with pytest.raises(ValidationError):
        SystemClock("Mars/Olympus")


def test_a_ticket_at_half_past_midnight_on_new_year_takes_the_new_years_number() -> None:
    # 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Beijing; the host's clock reads UTC.
    desk = small_desk(clock=ManualClock(datetime(2025, 12, 31, 16, 30, tzinfo=UTC)))
    ticket = desk.open_ticket(AGENT, customer_id="wang", description="新年第一单").ticket
    assert ticket.id == "SR-2026-000001"
    data = to_dict(desk.ticket(AUDITOR, ticket.id))
    offsets = {value[-6:] for key, value in data.items() if key.endswith("_at") and isinstance(value, str)}
    offsets |= {e["at"][-6:] for e in data["events"]}
    assert offsets == {"+08:00"}  # one ticket, one offset
    assert data["received_at_zone"] == "Asia/Shanghai"


# -- jobs --------------------------------------------------------------------------------------------


def _resolved_with_callback(desk: ServiceDesk, due: datetime) -> str:
    # Technical support (not a repair): resolved by phone without a fault record.
    ticket = desk.open_ticket(
        AGENT, customer_id="wang", description="冲洗无力", category=Category.TECHNICAL_SUPPORT
    ).ticket
    desk.triage(AGENT, ticket.id, nature="weak_flush", severity=Severity.LOW)
    desk.resolve(AGENT, ticket.id, summary="电话指导调整水位", remote=True)
    desk.confirm(AGENT, ticket.id, channel="phone")  # the customer accepts (验收确认) by phone
    desk.callbacks.schedule(AGENT, ticket.id, due_at=due)
    return ticket.id


def test_run_due_jobs_runs_each_job_when_due_and_announces_callbacks_once() -> None:
    clock = ManualClock(START)
    notifier = MemoryNotifier()
    desk = small_desk(clock=clock, notifier=notifier)
    ticket_id = _resolved_with_callback(desk, START + timedelta(minutes=20))
    first = desk.run_due_jobs()
    assert set(first.ran) == set(JOB_NAMES) and first.failed == {}
    # The agent is told while there is time to call (seed 003: 24小时内回访), not once the deadline passed.
    assert first.counts["callbacks_due"] == 1
    assert first.delivery is not None and first.counts["deliver"] == len(first.delivery.sent)
    (told,) = notifier.to("callcentre@venus.example")
    assert ticket_id in told.body and clock.now() < START + timedelta(minutes=20)
    clock.advance(timedelta(minutes=30))
    second = desk.run_due_jobs()
    # Only what is due runs: the sweep (5 min) and callbacks (15 min), delivery at every call.
    assert set(second.ran) == {"sla_sweep", "callbacks_due", "deliver"}
    assert set(second.skipped) == {
        "return_reminders", "chargebacks", "recompute_due", "monthly_feedback", "progress_updates",
        "maintenance_visits", "maintenance_overdue", "contract_reminders", "purge_sent", "purge_dead",
        "purge_idempotency", "purge_access_log", "purge_sla_alerts",
        "purge_job_marks", "money_index", "batch_tallies", "late_afters", "plan_handovers", "store_upkeep",
    }  # fmt: skip
    assert second.counts["callbacks_due"] == 0  # announced once
    later = _resolved_with_callback(desk, clock.now() + timedelta(days=1))
    clock.advance(timedelta(hours=1))
    assert desk.run_due_jobs().counts["callbacks_due"] == 1  # the new one, a day ahead of its deadline
    assert any(later in m.body for m in notifier.to("callcentre@venus.example"))
    assert desk.jobs.run_due(only=("purge_sent",)).ran == ("purge_sent",)


def test_a_job_held_by_another_process_is_skipped_and_a_failure_does_not_stop_the_others() -> None:
    clock = ManualClock(START)
    desk = small_desk(clock=clock)
    with desk.store() as uow:
        uow.documents.add(JobLease("sla_sweep", "other-host:1:x", START + timedelta(minutes=10)))
        uow.commit()

    class Broken:
        def send(self, message: object) -> None:
            raise AssertionError("never reached: a failing job is reported, not raised")

    dispatched_ticket(desk)
    report = desk.run_due_jobs()
    assert "sla_sweep" in report.skipped and "sla_sweep" not in report.ran
    desk.jobs.configure(JobSettings(disabled=frozenset({"deliver"}), every={"sla_sweep": timedelta(0)}))
    clock.advance(timedelta(minutes=11))  # the other process's lease ran out
    assert "sla_sweep" in desk.run_due_jobs().ran
    failing = small_desk(clock=clock)
    failing.outbox  # noqa: B018 - built before it breaks
    failing.materials.run_overdue_chargebacks = None  # type: ignore[assignment,method-assign]
    broken = failing.run_due_jobs()
    assert "chargebacks" in broken.failed and "deliver" in broken.ran
    (lease,) = [x for x in failing.jobs.leases() if x.id == "chargebacks"]
    assert lease.last_error is not None and lease.holder is None
    with pytest.raises(ValidationError):
        JobSettings(every={"sweep_everything": timedelta(minutes=1)})
    with pytest.raises(ValidationError):
        desk.jobs.run_due(only=("nope",))


def test_a_due_time_left_open_is_derived_by_the_jobs_through_the_command_path() -> None:
    desk = small_desk()
    ticket_id, _ = dispatched_ticket(desk)
    with desk.store() as uow:  # as if holiday data had been missing when the ticket last changed
        ticket = uow.tickets.get(ticket_id)
        expected = ticket.resolution_due_at
        ticket.resolution_due_at = None
        uow.tickets.save(ticket)
        uow.commit()
    report = desk.jobs.run_due(only=("recompute_due",))
    assert report.counts == {"recompute_due": 1}
    view = desk.ticket(AUDITOR, ticket_id)
    assert view.resolution_due_at == expected
    assert desk.jobs.run_due(only=("recompute_due",)).counts == {"recompute_due": 0}  # idempotent


def test_dead_letters_are_listed_and_retried_by_a_manager_only() -> None:
    class Down:
        def send(self, message: object) -> None:
            raise ConnectionError("gateway down")

    clock = ManualClock(START)
    one_attempt = DefaultNotification(NotificationParams(max_attempts=1))
    desk = small_desk(clock=clock, notifier=Down(), overrides={"notification": one_attempt})
    dispatched_ticket(desk)
    report = desk.deliver()
    # the three notifications: received and assigned to the customer, assigned to the engineer (ticket
    # events have nothing to send)
    assert len(report.dead) == 3
    dead = desk.outbox.dead_letters(MANAGER)
    assert {m.id for m in dead} == set(report.dead)
    assert all(m.last_error == "ConnectionError: gateway down" for m in dead)
    with pytest.raises(Exception, match="retry_dead_letters"):
        desk.outbox.retry_dead_letters(AGENT, [dead[0].id])
    assert desk.outbox.retry_dead_letters(MANAGER, [m.id for m in dead]) == len(dead)
    desk.notifier = MemoryNotifier()
    assert len(desk.deliver().sent) == len(dead)
    clock.advance(timedelta(days=89))
    assert desk.outbox.purge_sent(MANAGER) == 0  # kept 90 days (the pack's keep_sent_days)
    clock.advance(timedelta(days=2))
    assert desk.outbox.purge_sent(MANAGER) == len(report.sent) + len(dead)  # events and notifications


# -- threads and processes ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["memory://", "sqlite:///{tmp}/shared.db"])
def test_one_desk_shared_by_eight_threads(url: str, tmp_path: Path) -> None:
    desk = small_desk(url.format(tmp=tmp_path))
    errors: list[BaseException] = []
    opened: list[str] = []
    lock = threading.Lock()

    def flows(n: int) -> None:
        try:
            for _ in range(n):
                ticket = desk.open_ticket(AGENT, customer_id="wang", description="并发报修").ticket
                desk.triage(AGENT, ticket.id, nature="leak", severity=Severity.MEDIUM)
                desk.dispatch(AGENT, ticket.id)
                with lock:
                    opened.append(ticket.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=flows, args=(25,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [repr(e) for e in errors] == []
    assert len(opened) == len(set(opened)) == 200  # 200 flows × 3 commands, distinct numbers
    states = Counter(desk.ticket(AUDITOR, t).state for t in opened)
    assert states == {"assigned": 200}


_WORKER = textwrap.dedent(
    """
    import sys
    from aftersales.adapters.clock import ManualClock
    from aftersales.domain.classification import Category, Severity
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    sys.path.insert(0, sys.argv[2])
    from aftersales.adapters.notifiers import MemoryNotifier
    from aftersales.errors import ConcurrencyConflict
    from aftersales.service.desk import ServiceDesk
    from tests.unit.embedding_world import AGENT, STAFF

    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    desk = ServiceDesk.open(
        sys.argv[1], pack="sanitary_ware", clock=clock, staff=STAFF, notifier=MemoryNotifier()
    )
    for _ in range(15):
        for attempt in range(20):  # the runner re-runs lost races; under heavy contention a host retries too
            try:
                t = desk.open_ticket(AGENT, customer_id="wang", description="多进程").ticket
                break
            except ConcurrencyConflict:
                continue
        desk.triage(AGENT, t.id, nature="leak", severity=Severity.MEDIUM)
        print(t.id, flush=True)
    report = desk.run_due_jobs()
    print("JOBS", ",".join(report.ran), flush=True)
    """
)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/shared.db"
        return
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    schema = f"e_{uuid.uuid4().hex[:16]}"
    yield f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_several_processes_on_one_store(shared_url: str) -> None:
    url = shared_url
    small_desk(url).shutdown()  # the reference data, once
    root = str(Path(__file__).resolve().parents[2])
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, url, root],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [w.communicate(timeout=180)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0]
    ids = [line for out in outputs for line in out.splitlines() if line.startswith("SR-")]
    assert len(ids) == len(set(ids)) == 45
    ran = Counter(
        job
        for out in outputs
        for line in out.splitlines()
        if line.startswith("JOBS ")
        for job in line[5:].split(",")
        if job
    )
    # Interval jobs ran in one process only (the others found them leased or just done).
    assert all(ran[name] == 1 for name in ("sla_sweep", "callbacks_due", "chargebacks", "purge_sent"))


# -- a host's own policy ----------------------------------------------------------------------------------


class _FailingDispatch:
    """A host's dispatch policy with a bug: it raises its own error for every request."""

    name = "host.dispatch"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def decide(self, request: object, roster: object, on_duty: object = None) -> object:
        raise self.error


@pytest.mark.parametrize("url", ["memory://", "sqlite:///{tmp}/host.db"])
def test_a_host_policy_that_raises_rolls_the_command_back_and_its_error_reaches_the_host(
    url: str, tmp_path: Path
) -> None:
    bug = KeyError("region table")
    desk = small_desk(url.format(tmp=tmp_path), overrides={"dispatch": _FailingDispatch(bug)})
    ticket = desk.open_ticket(AGENT, customer_id="wang", description="马桶漏水").ticket
    desk.triage(AGENT, ticket.id, nature="leak", severity=Severity.MEDIUM)
    before = desk.ticket(AUDITOR, ticket.id)
    queued = len(desk.deliver().sent)
    with pytest.raises(KeyError) as raised:
        desk.dispatch(AGENT, ticket.id)
    assert raised.value is bug  # the host's own error, not re-dressed
    after = desk.ticket(AUDITOR, ticket.id)
    assert (after.state, after.version) == (before.state, before.version)
    assert len(after.events) == len(before.events)
    assert queued > 0 and desk.deliver().sent == ()  # nothing queued by the failed command
    assert desk.open_ticket(AGENT, customer_id="wang", description="又漏了").ticket.id != ticket.id


def test_a_process_whose_clock_runs_a_little_behind_still_writes_after_the_last_event(
    shared_url: str,
) -> None:
    """Two processes on one store, the first's clock 2 s ahead (different machines): the second's note a
    moment later reads an instant before the first's event. Skew, not a wrong clock: it is stamped at
    that event's instant. A clock 10 minutes behind is refused as before."""
    ahead = small_desk(shared_url, clock=ManualClock(START + timedelta(seconds=2)))
    behind = small_desk(shared_url, clock=ManualClock(START))
    wrong = small_desk(shared_url, clock=ManualClock(START - timedelta(minutes=10)))
    ticket_id, _ = dispatched_ticket(ahead)
    ahead.note_to_customer(AGENT, ticket_id, text="工程师已出发")
    last = ahead.ticket(AUDITOR, ticket_id).events[-1].at
    result = behind.note_to_customer(AGENT, ticket_id, text="预计十点到")
    assert [e.at for e in result.events] == [last] and result.events[0].at.tzinfo == START.tzinfo
    assert behind.ticket(AUDITOR, ticket_id).events[-2:][0].at == last
    with pytest.raises(ValidationError, match="time order") as refused:
        wrong.note_to_customer(AGENT, ticket_id, text="时钟错了")
    assert refused.value.field is not None
    assert len(ahead.ticket(AUDITOR, ticket_id).events) == len(result.ticket.events)
