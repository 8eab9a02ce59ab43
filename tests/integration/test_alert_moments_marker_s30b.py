"""The alert list trusts the instants' index only while the catch-up's marker holds (session 30, task b).

``desk.sla_alerts`` reads pages of the SLA alerts' instant index once the catch-up (``index_marks``)
found every alert indexed (:mod:`aftersales.service.sla_alert_moments`). That marker runs out after
``RECHECK`` because an older release may still write alerts without the index row
(:mod:`aftersales.service.index_backfill`); the list trusted it for ever, so such alerts were left out of
every page, although the day walk it used before lists them. Past the marker's ``until`` the list walks
days until a check finds none left again; so that a desk running its daily jobs never walks days for
that, the catch-up checks a kind again from ``RENEW_BEFORE`` (a day) before its marker runs out.

SQLite and PostgreSQL (the stores that index as they write); memory indexes every field as it writes.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hostile import DSN, Opened, opened, seed
from test_lifecycle_sla import MANAGER, SYSTEM

from aftersales.service.index_backfill import RECHECK, RENEW_BEFORE, IndexFilled
from aftersales.service.sla_alert_moments import moments_complete

DAY = timedelta(days=1)


def _strip_moments(store: Opened) -> None:
    """The SLA alerts as an older release wrote them: no ``moment`` index row."""
    forget = "DELETE FROM document_index WHERE kind = 'sla_alert' AND field = 'moment'"
    if store.kind == "sqlite":
        conn = sqlite3.connect(store.path or "")
        with conn:
            conn.execute(forget)
        conn.close()
        return
    import psycopg

    with psycopg.connect(DSN or "", options=f"-c search_path={store.schema}", autocommit=True) as conn:
        conn.execute(forget)


def _listed(store: Opened) -> list[str]:
    return [alert.id for alert in store.desk.sla_alerts(MANAGER, limit=200).items]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_alerts_an_older_release_wrote_are_listed_once_the_marker_ran_out(kind: str, tmp_path: Path) -> None:
    for store in opened(kind, tmp_path):
        seed(store.desk, store.clock)
        store.clock.advance(30 * DAY)
        assert store.desk.sla_watch.sweep(SYSTEM).breaches
        every = _listed(store)
        assert every
        marks = store.desk.jobs.marks
        while marks.index_marks(MANAGER):
            pass  # found complete: the marker says so for RECHECK
        assert _listed(store) == every  # read from the instants' index
        _strip_moments(store)  # an older release rewrote them since the check
        store.clock.advance(RECHECK + DAY)
        assert _listed(store) == every  # the marker ran out: the days are walked, nothing left out
        assert marks.index_marks(MANAGER) > 0  # the next check indexes them again
        assert marks.index_marks(MANAGER) == 0
        assert _listed(store) == every


def _moment_marker(store: Opened) -> object:
    with store.desk.jobs.context.store() as uow:
        markers = {m.id: m.until for m in uow.documents.query(IndexFilled)}
    return markers["sla_alert:moment:ticket_id+day+moment"]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_daily_catch_up_renews_the_marker_before_the_list_stops_trusting_it(
    kind: str, tmp_path: Path
) -> None:
    for store in opened(kind, tmp_path):
        seed(store.desk, store.clock)
        store.clock.advance(30 * DAY)
        assert store.desk.sla_watch.sweep(SYSTEM).breaches
        marks = store.desk.jobs.marks
        while marks.index_marks(MANAGER):
            pass
        checked = store.clock.now()
        assert _moment_marker(store) == checked + RECHECK
        store.clock.advance(DAY)
        assert marks.index_marks(MANAGER) == 0
        assert _moment_marker(store) == checked + RECHECK  # not scanned: the marker holds for days yet
        store.clock.advance(RECHECK - DAY - RENEW_BEFORE / 2)  # the marker's last day: the daily run
        renewed = store.clock.now()
        assert marks.index_marks(MANAGER) == 0
        assert _moment_marker(store) == renewed + RECHECK  # scanned again, found complete, renewed
        store.clock.advance(RENEW_BEFORE)  # past the first marker's until
        context = store.desk.jobs.context
        with context.reader() as uow:
            assert moments_complete(uow, context.now())  # the list still reads pages by instant
