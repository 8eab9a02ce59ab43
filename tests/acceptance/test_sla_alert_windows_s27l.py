# mypy: disable-error-code="arg-type"
"""``desk.sla_alerts`` read through its day index answers as the whole list does (session 27, task l).

Why: the list reads a window of up to 62 days day by day through the alerts' UTC-day index and a wider
or open one by reading all (:mod:`aftersales.service.sla_alert_list`); both paths, the keyset pages
and the three stores must give one answer. The hostile windows: bounds exactly on an announcement
(``since`` inclusive, ``until`` exclusive), one microsecond either side, 61, 62 and 63 days wide, bounds
in a zone far from UTC (a day there straddles two UTC days), and pages of one, two and three alerts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from aftersales.domain.classification import Category, Severity
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaAlert
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
FAR_WEST = timezone(timedelta(hours=-11, minutes=-30))
DAY = timedelta(days=1)
US = timedelta(microseconds=1)


def _opened_and_swept(desk: ServiceDesk, clock: object, w: World) -> None:
    """Tickets opened a month apart, each swept past its response and resolution due times."""
    for n, month in enumerate((1, 2, 4)):
        clock.set(datetime(2026, month, 5 + n, 9, 0, tzinfo=SHANGHAI))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        for hours in (6, 9, 30, 80, 200):
            clock.set(datetime(2026, month, 5 + n, 9, 0, tzinfo=SHANGHAI) + timedelta(hours=hours))
            desk.sla_watch.sweep(w.system)


def _key(alert: SlaAlert) -> tuple[str, datetime, str]:
    return alert.id, alert.at, alert.kind


def _windows(alerts: list[SlaAlert]) -> list[tuple[datetime | None, datetime | None]]:
    first, last = min(a.at for a in alerts), max(a.at for a in alerts)
    found: list[tuple[datetime | None, datetime | None]] = [(None, None), (first, None), (None, last)]
    for alert in alerts:
        at = alert.at
        found += [(at, at + US), (at - US, at), (at + US, at + DAY), (at - DAY, at + US)]
    for width in (61, 62, 63):
        found += [(first, first + width * DAY), (first - US, first + width * DAY + US)]
    west = first.astimezone(FAR_WEST).replace(hour=0, minute=0, second=0, microsecond=0)
    found += [(west, west + DAY), (west + 20 * DAY, west + 90 * DAY)]
    return found


def _answers(backend: str, tmp_path: Path) -> list[object]:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        _opened_and_swept(desk, clock, w)
        every = list(desk.sla_alerts(w.manager, limit=1000).items)
        assert len(every) >= 6 and len({a.day for a in every}) >= 3  # several days, several months
        assert [_key(a) for a in every] == sorted(
            (_key(a) for a in every), key=lambda k: (k[1], k[0]), reverse=True
        )
        answers: list[object] = [[_key(a) for a in every]]
        for since, until in _windows(every):
            got = desk.sla_alerts(w.manager, since=since, until=until, limit=1000).items
            expected = [
                a for a in every if (since is None or a.at >= since) and (until is None or a.at < until)
            ]
            assert [_key(a) for a in got] == [_key(a) for a in expected], (since, until)
            answers.append([a.id for a in got])
        for size in (1, 2, 3):
            seen: list[str] = []
            cursor = None
            while True:
                page = desk.sla_alerts(w.manager, limit=size, cursor=cursor)
                seen += [a.id for a in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert seen == [a.id for a in every]
        return answers


def test_windows_and_pages_answer_as_the_whole_list_on_every_store(tmp_path: Path) -> None:
    answers = {}
    for backend in BACKENDS:
        (tmp_path / backend).mkdir()
        answers[backend] = _answers(backend, tmp_path / backend)
    assert answers["sqlite"] == answers["memory"]
    assert answers["postgres"] == answers["memory"]
