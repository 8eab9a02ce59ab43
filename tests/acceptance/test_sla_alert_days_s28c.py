"""``desk.sla_alerts`` over a wide or open window reads the newest days until its page is full (issue 21).

Why: a window wider than 62 days, or one without bounds, read every alert ever announced, parsed them
all and sorted them for each page (some 190k after one sweep of a 1 M-ticket file, again for every next
page). The list now walks the alerts' UTC-day index from the newest day back and stops once the days read
fill the page. Same answers on memory, SQLite and PostgreSQL (the windows' agreement with the whole list
is tested in test_sla_alert_windows_s27l); here: how many alerts a page builds, and the pages' answers
over alerts many days apart, a clock set back before the newest, and a forged cursor.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.errors import ValidationError
from aftersales.service.sla_watch import SlaAlert
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
FIRST = datetime(2026, 1, 5, 10, 0, tzinfo=SHANGHAI)
DAYS = 150  # a day every third day over 450 days: windows widen over the gaps
PER_DAY = 4


def _stored(desk: Any) -> list[SlaAlert]:
    alerts = [
        SlaAlert(
            f"T-{d:03d}-{n}:resolution:sla_breach",
            f"T-{d:03d}-{n}",
            "resolution",
            "sla_breach",
            at,
            due_at=at,
        )
        for d in range(DAYS)
        for n in range(PER_DAY)
        for at in [FIRST + timedelta(days=3 * d, hours=n)]
    ]
    with desk.store() as uow:
        for alert in alerts:
            uow.documents.add(alert)
        uow.commit()
    return sorted(alerts, key=lambda a: (a.at, a.id), reverse=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_page_builds_the_newest_days_alerts_not_every_alert(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        every = _stored(desk)
        clock.set(FIRST + timedelta(days=3 * DAYS + 20))
        built = []
        made = SlaAlert.__init__

        def counted(self: SlaAlert, *args: Any, **kwargs: Any) -> None:
            built.append(1)
            made(self, *args, **kwargs)

        monkeypatch.setattr(SlaAlert, "__init__", counted)
        for since, until in ((None, None), (FIRST - timedelta(days=400), None), (None, clock.now())):
            built.clear()
            page = desk.sla_alerts(w.manager, limit=5, since=since, until=until)
            assert [a.id for a in page.items] == [a.id for a in every[:5]]
            assert len(built) <= 1 + 3 * PER_DAY, (since, until, len(built))  # a few probes and days; not 600
        monkeypatch.setattr(SlaAlert, "__init__", made)
        # Page after page, a window of 200 days and an open one: the whole list, in order.
        for since, until in ((None, None), (FIRST + timedelta(days=100), FIRST + timedelta(days=300))):
            seen: list[str] = []
            cursor = None
            while True:
                page = desk.sla_alerts(w.manager, limit=7, since=since, until=until, cursor=cursor)
                seen += [a.id for a in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
            wanted = [
                a.id for a in every if (since is None or a.at >= since) and (until is None or a.at < until)
            ]
            assert seen == wanted


@pytest.mark.parametrize("backend", BACKENDS)
def test_alerts_after_a_clock_set_back_and_a_forged_cursor(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        every = _stored(desk)
        clock.set(FIRST + timedelta(days=10))  # before most announcements (a clock set back)
        page = desk.sla_alerts(w.manager, limit=3)
        assert [a.id for a in page.items] == [a.id for a in every[:3]]
        forged = base64.urlsafe_b64encode(json.dumps([10**22, "x"]).encode()).decode()  # past any date
        with pytest.raises(ValidationError) as refused:
            desk.sla_alerts(w.manager, cursor=forged.rstrip("="))
        assert refused.value.field == "cursor"
