"""``desk.sla_alerts`` reads a page of a full day from the alerts' instant index (issue 21, session 29).

Why: the day walk (session 28) orders days, not the alerts of a day: after the first sweep of a 1 M-ticket
file 461,647 alerts fall on one UTC day, and the first page read and sorted all of them (~3.5 s). Alerts
are now also indexed by their instant (fixed-width µs), and a page reads that index backwards from its
cursor: about a page of alerts built, whatever the day holds. The list promises (announced µs, id)
newest first, so instants shared by several alerts are read whole (a page may end among them).

Alerts an older release stored have no such index row: the list walks days until the catch-up
(``index_marks``, run by the daily jobs) found none left. Same answers on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.service.sla_watch import SlaAlert
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
DAY = datetime(2026, 3, 2, 8, 30, tzinfo=SHANGHAI)  # 00:30 UTC: the whole day below is one UTC day
ALERTS = 1200
SHARED = 4  # alerts announced at one instant (one sweep page announces many in one transaction)


def _stored(desk: Any) -> list[SlaAlert]:
    """1,200 alerts on one UTC day, four to an instant, their ids in no instant's order; and three the
    day before."""
    alerts = [
        SlaAlert(
            f"T-{(n * 7919) % ALERTS:05d}:{kind}",
            f"T-{(n * 7919) % ALERTS:05d}",
            "resolution",
            kind,
            DAY + timedelta(seconds=30 * (n // SHARED)),
            due_at=DAY,
        )
        for n in range(ALERTS)
        for kind in ["sla_breach" if n % 5 else "sla_warning"]
    ] + [
        SlaAlert(f"Y-{n}:sla_breach", f"Y-{n}", "response", "sla_breach", DAY - timedelta(hours=9 + n))
        for n in range(3)
    ]
    with desk.store() as uow:
        for alert in alerts:
            uow.documents.add(alert)
        uow.commit()
    return sorted(alerts, key=lambda a: (a.at, a.id), reverse=True)


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per SlaAlert built (read and parsed from the store)."""
    counted: list[int] = []
    made = SlaAlert.__init__

    def counting(self: SlaAlert, *args: Any, **kwargs: Any) -> None:
        counted.append(1)
        made(self, *args, **kwargs)

    monkeypatch.setattr(SlaAlert, "__init__", counting)
    return counted


def _walk(desk: Any, actor: Any, limit: int, **filters: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page = desk.sla_alerts(actor, limit=limit, cursor=cursor, **filters)
        seen += [a.id for a in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_page_of_a_full_day_builds_about_a_page(backend: str, tmp_path: Path, built: list[int]) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        every = _stored(desk)
        clock.set(DAY + timedelta(hours=12))
        assert desk.jobs.marks.index_marks(w.manager) == 0  # all indexed as written: found complete
        for since, until in ((None, None), (DAY, None), (None, DAY + timedelta(hours=1))):
            built.clear()
            page = desk.sla_alerts(w.manager, limit=7, since=since, until=until)
            wanted = [
                a for a in every if (since is None or a.at >= since) and (until is None or a.at < until)
            ]
            assert [a.id for a in page.items] == [a.id for a in wanted[:7]]
            assert len(built) <= 8 + SHARED, (since, until, len(built))  # not the day's 1,200
            built.clear()
            later = desk.sla_alerts(w.manager, limit=7, since=since, until=until, cursor=page.next_cursor)
            assert [a.id for a in later.items] == [a.id for a in wanted[7:14]]
            assert len(built) <= 2 * SHARED + 8, (since, until, len(built))


@pytest.mark.parametrize("backend", BACKENDS)
def test_pages_ending_among_alerts_of_one_instant_list_every_alert_once(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        every = _stored(desk)
        clock.set(DAY + timedelta(hours=12))
        desk.jobs.marks.index_marks(w.manager)
        # pages of 3 and 5 end among the four alerts of an instant; a window and a kind filter
        assert _walk(desk, w.manager, 3) == [a.id for a in every]
        since, until = DAY - timedelta(hours=10), DAY + timedelta(minutes=20)
        assert _walk(desk, w.manager, 5, since=since, until=until) == [
            a.id for a in every if since <= a.at < until
        ]
        assert _walk(desk, w.manager, 50, kind="sla_warning") == [
            a.id for a in every if a.kind == "sla_warning"
        ]


def _as_an_older_release_stored(desk: Any, backend: str, path: Path) -> None:
    """The alerts as a release before the instant index wrote them: no ``moment`` row (the document is
    the same: the instant is derived, never stored)."""
    forget = "DELETE FROM document_index WHERE kind = 'sla_alert' AND field = 'moment'"
    if backend == "sqlite":
        conn = sqlite3.connect(path)
        with conn:
            conn.execute(forget)
        conn.close()
        return
    with desk.store() as uow:  # PostgreSQL: the same statement in the store's own transaction
        uow.run(forget, ())
        uow.commit()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_older_releases_alerts_are_listed_by_day_until_the_catch_up_indexed_them(
    backend: str, tmp_path: Path, built: list[int]
) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        every = _stored(desk)
        clock.set(DAY + timedelta(hours=12))
        _as_an_older_release_stored(desk, backend, tmp_path / "desk.db")
        assert _walk(desk, w.manager, 400) == [a.id for a in every]  # by day: every alert, none missed
        assert desk.jobs.marks.index_marks(w.manager, limit=1000) == 1000
        assert _walk(desk, w.manager, 400) == [a.id for a in every]  # not complete yet: still by day
        assert desk.jobs.marks.index_marks(w.manager, limit=1000) == len(every) - 1000
        assert desk.jobs.marks.index_marks(w.manager) == 0
        built.clear()
        page = desk.sla_alerts(w.manager, limit=7)
        assert [a.id for a in page.items] == [a.id for a in every[:7]]
        assert len(built) <= 8 + SHARED
        assert _walk(desk, w.manager, 400) == [a.id for a in every]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_instant_is_not_stored_so_an_older_release_reads_the_alert(backend: str, tmp_path: Path) -> None:
    # An older release's converter refuses a key it does not know: a rolling upgrade's last old process, or
    # a rollback, reads every alert this release wrote.
    with world_desk(backend, tmp_path) as (desk, _clock, _w):
        _stored(desk)
        with desk.store() as uow:
            stored = uow.documents.query_data("sla_alert", day="2026-03-02")
    assert len(stored) == ALERTS
    assert {key for data in stored for key in data} == {
        "id", "ticket_id", "target", "kind", "at", "due_at", "version", "day", "withdrawn_at",
    }  # fmt: skip
