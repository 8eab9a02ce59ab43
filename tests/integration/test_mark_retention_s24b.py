"""The SLA sweep's alerts and the jobs' marks are dropped once no step needs them (session 24, task b).

An ``SlaAlert`` per announced warning or breach and a ``JobMark`` per callback announced and month's
feedback sent were never dropped: over years they grew with every ticket and callback. Now the daily
``purge_sla_alerts`` and ``purge_job_marks`` jobs drop them, oldest first, a page a transaction from a
cursor kept in the store: an alert once its ticket is closed or cancelled (an open ticket's is read by
the sweep: dropped, its breach would be announced twice), a callback's mark once the callback is no
longer pending, a month's mark once a later month was sent. A closed ticket reopened is announced for
its new clocks, once, whether or not its earlier alerts are still stored.

Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hostile import AGENT as HOSTILE_AGENT
from hostile import DSN, Opened, opened, seed
from test_lifecycle_sla import AGENT, CUSTOMER, ENGINEER, MANAGER, SH, STORES, SYSTEM, _clock, _open, _worked

from aftersales.errors import PermissionDenied, ValidationError
from aftersales.service.desk import ServiceDesk
from aftersales.service.index_backfill import RECHECK
from aftersales.service.jobs import JobMark
from aftersales.service.mark_retention import PurgeCursor
from aftersales.service.sla_watch import SlaAlert

H = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    with _open(str(request.param), tmp_path, "office_equipment", datetime(2025, 9, 22, 9, tzinfo=SH)) as d:
        yield d


def _alerts(desk: ServiceDesk, ticket_id: str | None = None) -> list[str]:
    with desk.jobs.context.store() as uow:
        found = (
            uow.documents.query(SlaAlert)
            if ticket_id is None
            else uow.documents.query(SlaAlert, ticket_id=ticket_id)
        )
    return sorted(a.id for a in found)


def _marks(desk: ServiceDesk) -> list[str]:
    with desk.jobs.context.store() as uow:
        return sorted(m.id for m in uow.documents.query(JobMark))


def _purge(desk: ServiceDesk, job: str) -> int:
    report = desk.jobs.run_due(only=(job,))
    assert report.ran == (job,) and not report.failed and not report.unsupported
    return report.counts[job]


def _breached(desk: ServiceDesk) -> str:
    """A ticket whose response and resolution breaches the sweep announced."""
    tid = _worked(desk)
    _clock(desk).advance(30 * DAY)
    report = desk.sla_watch.sweep(SYSTEM)
    assert f"{tid}:resolution" in report.breaches
    return tid


def _closed(desk: ServiceDesk, tid: str) -> None:
    desk.resolve(ENGINEER, tid)
    desk.confirm(CUSTOMER, tid)
    desk.record_callback(AGENT, tid, problem_back=False, satisfaction=5)
    assert desk.close(AGENT, tid).ticket.state == "closed"


def test_a_tickets_alerts_are_kept_while_it_is_open_and_dropped_once_closed(desk: ServiceDesk) -> None:
    clock = _clock(desk)
    tid = _breached(desk)
    alerts = _alerts(desk, tid)
    assert f"{tid}:resolution:sla_breach" in alerts
    clock.advance(2 * DAY)
    assert _purge(desk, "purge_sla_alerts") == 0  # open: the sweep still reads them
    assert _alerts(desk, tid) == alerts
    _closed(desk, tid)
    clock.advance(DAY)
    assert _purge(desk, "purge_sla_alerts") == len(alerts)
    assert _alerts(desk, tid) == []


def test_a_closed_ticket_reopened_after_its_alerts_went_is_announced_once_for_its_new_clock(
    desk: ServiceDesk,
) -> None:
    clock = _clock(desk)
    tid = _breached(desk)
    _closed(desk, tid)
    clock.advance(DAY)
    assert _purge(desk, "purge_sla_alerts") > 0
    # The problem is back: a new cycle, every clock from the reopen. Its breach is a new announcement,
    # keyed by the new clock's start: the first cycle's message is still in the outbox under its own key.
    reopened = desk.record_callback(AGENT, tid, problem_back=True, satisfaction=1, comment="又卡纸了")
    assert reopened.ticket.state == "rework"
    clock.advance(30 * DAY)
    report = desk.sla_watch.sweep(SYSTEM)
    assert f"{tid}:resolution" in report.breaches
    assert desk.sla_watch.sweep(SYSTEM, full=True).breaches == ()  # once
    assert f"{tid}:resolution:sla_breach" in _alerts(desk, tid)


def test_a_cancelled_tickets_alerts_go_and_an_open_ones_are_passed_by_the_cursor(desk: ServiceDesk) -> None:
    clock = _clock(desk)
    kept = _breached(desk)
    gone = _worked(desk)
    clock.advance(30 * DAY)
    desk.sla_watch.sweep(SYSTEM)
    desk.cancel(AGENT, gone, reason="客户撤销")
    clock.advance(DAY)
    open_alerts, cancelled_alerts = _alerts(desk, kept), _alerts(desk, gone)
    assert open_alerts and cancelled_alerts
    marks = desk.jobs.marks
    passes = [marks.purge_sla_alerts(MANAGER, limit=1) for _ in open_alerts + cancelled_alerts]
    # One alert a pass, oldest first: the open ticket's (announced first) are passed over, not dropped.
    assert [p.dropped for p in passes] == [0] * len(open_alerts) + [1] * len(cancelled_alerts)
    assert all(p.more for p in passes)
    last = marks.purge_sla_alerts(MANAGER, limit=1)
    assert (last.dropped, last.more) == (0, False)  # the newest reached: the next round starts over
    with desk.jobs.context.store() as uow:
        assert uow.documents.get(PurgeCursor, "purge_sla_alerts").value is None
    assert _alerts(desk, kept) == open_alerts and _alerts(desk, gone) == []


def test_a_callbacks_mark_goes_once_the_callback_is_made(desk: ServiceDesk) -> None:
    clock = _clock(desk)
    tid = _worked(desk)
    desk.resolve(ENGINEER, tid)
    desk.confirm(CUSTOMER, tid)
    clock.advance(H)
    assert desk.jobs.run_due(only=("callbacks_due",)).counts["callbacks_due"] == 1
    assert [m for m in _marks(desk) if m.startswith("callback_due:")]
    clock.advance(2 * DAY)
    assert _purge(desk, "purge_job_marks") == 0  # still pending: announced once, not again
    assert desk.jobs.run_due(only=("callbacks_due",)).counts["callbacks_due"] == 0
    desk.record_callback(AGENT, tid, problem_back=False, satisfaction=5)
    clock.advance(DAY)
    assert _purge(desk, "purge_job_marks") == 1
    assert [m for m in _marks(desk) if m.startswith("callback_due:")] == []


def test_only_the_latest_months_feedback_mark_is_kept_and_an_earlier_month_is_not_sent_again(
    desk: ServiceDesk,
) -> None:
    clock = _clock(desk)
    with desk.jobs.context.store() as uow:
        uow.documents.add(JobMark("monthly_feedback:2025-07", datetime(2025, 8, 1, 9, tzinfo=SH)))
        uow.documents.add(JobMark("monthly_feedback:2025-08", datetime(2025, 9, 1, 9, tzinfo=SH)))
        uow.commit()
    assert _purge(desk, "purge_job_marks") == 1
    assert _marks(desk) == ["monthly_feedback:2025-08"]
    # A host catching up runs the jobs at an instant in August: July's feedback is before the latest sent.
    report = desk.jobs.run_due(datetime(2025, 8, 20, 9, tzinfo=SH), only=("monthly_feedback",))
    assert report.counts["monthly_feedback"] == 0 and not report.failed
    assert clock.now() > datetime(2025, 9, 1, tzinfo=SH)


def test_bad_calls_are_refused_and_drop_nothing(desk: ServiceDesk) -> None:
    clock = _clock(desk)
    tid = _breached(desk)
    desk.cancel(AGENT, tid, reason="客户撤销")
    clock.advance(DAY)
    alerts = _alerts(desk)
    marks = desk.jobs.marks
    for purge in (marks.purge_sla_alerts, marks.purge_job_marks):
        with pytest.raises(ValidationError) as ahead:
            purge(MANAGER, at=clock.now() + DAY)
        assert ahead.value.field == "at"
        for limit in (0, 100_001, "5"):
            with pytest.raises(ValidationError) as bad:
                purge(MANAGER, limit=limit)  # type: ignore[arg-type]
            assert bad.value.field == "limit"
        with pytest.raises(PermissionDenied):
            purge(AGENT)
    for job in ("purge_sla_alerts", "purge_job_marks"):
        with pytest.raises(ValidationError) as ahead:
            desk.jobs.run_due(clock.now() + DAY, only=(job,))
        assert ahead.value.field == "now"
    assert _alerts(desk) == alerts
    # Judged at an earlier instant, the alerts written after its day are not looked at.
    assert marks.purge_sla_alerts(MANAGER, at=clock.now() - 10 * DAY).dropped == 0
    assert _alerts(desk) == alerts
    assert marks.purge_sla_alerts(MANAGER).dropped == len(alerts)


def _as_an_older_release_stored(store: Opened) -> None:
    """Alerts and marks as an older release wrote them: no ``day`` in them, no day (nor job) index row."""
    kinds = "('sla_alert', 'job_mark')"
    forget = f"DELETE FROM document_index WHERE kind IN {kinds} AND field IN ('day', 'job')"
    if store.kind == "sqlite":
        conn = sqlite3.connect(store.path or "")
        with conn:
            conn.execute(forget)
            conn.execute(
                f"UPDATE documents SET data = json_remove(data, '$.day', '$.job') WHERE kind IN {kinds}"
            )
        conn.close()
        return
    import psycopg

    with psycopg.connect(DSN or "", options=f"-c search_path={store.schema}", autocommit=True) as conn:
        conn.execute(forget)
        conn.execute(f"UPDATE documents SET data = data - 'day' - 'job' WHERE kind IN {kinds}")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_an_older_stores_alerts_and_marks_are_indexed_then_purged(kind: str, tmp_path: Path) -> None:
    for store in opened(kind, tmp_path):
        tid = seed(store.desk, store.clock)
        store.clock.advance(30 * DAY)
        assert store.desk.sla_watch.sweep(SYSTEM).breaches
        store.desk.cancel(HOSTILE_AGENT, tid, reason="客户撤销")
        with store.desk.jobs.context.store() as uow:
            uow.documents.add(JobMark("monthly_feedback:2026-02", store.clock.now() - 20 * DAY))
            uow.documents.add(JobMark("monthly_feedback:2026-03", store.clock.now() - 2 * DAY))
            uow.commit()
        alerts = _alerts(store.desk, tid)
        assert alerts
        _as_an_older_release_stored(store)
        store.clock.advance(DAY)
        marks = store.desk.jobs.marks
        assert (marks.purge_sla_alerts(MANAGER).dropped, marks.purge_job_marks(MANAGER).dropped) == (0, 0)
        assert marks.index_marks(MANAGER) == len(alerts) + 2
        assert marks.index_marks(MANAGER) == 0
        _as_an_older_release_stored(store)
        # Found complete, the kinds are scanned again once RECHECK ran out (session 25).
        store.clock.advance(RECHECK)
        report = store.desk.jobs.run_due(only=("purge_sla_alerts", "purge_job_marks"))
        assert report.counts == {"purge_sla_alerts": len(alerts), "purge_job_marks": 1}
        assert _alerts(store.desk, tid) == [] and _marks(store.desk) == ["monthly_feedback:2026-03"]
