# mypy: disable-error-code="arg-type"
"""Two desks: ``desk.sla_alerts`` listing while the sweep announces a reopened ticket's breach again (s28 g).

Seed 003 二 3 (超时升级) and seeds 003/004 考核: a service manager reads back the warnings and breaches the
sweep announced (session 27, :mod:`aftersales.service.sla_alert_list`). A breach announced again for a
reopened ticket's new clock moves its alert's ``at`` and ``day``. A list over a range of days reads the
alerts day by day; it read each day as its own statement (a reader without a snapshot), so an alert moved
by a sweep committing between two days' reads was listed twice (on its old day as it was, on its new day
as it is), or, read newest day first (session 28 c's day walk), not at all (its new day read before
the sweep, its old day after). The list now reads one snapshot: each alert once, as it stood before or
after the sweep.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import aftersales.service.sla_alert_list as sla_alert_list
from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, two_desks

Pair = tuple[ServiceDesk, ServiceDesk, World]


@pytest.fixture(params=["sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of the office-equipment pack on one store (the memory store's one lock serialises them)."""
    with two_desks(request.param, tmp_path, "office_equipment") as desks:
        yield desks


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _reopened_after_breaches(desk: ServiceDesk, w: World) -> str:
    """A repair whose breaches were announced on Thursday 5 March, done, closed and reopened that day."""
    clock: Any = desk.context.clock
    clock.set(_at(2, 9))
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    clock.set(_at(5, 9, 5))
    assert desk.sla_watch.sweep(Actor.system()).breaches
    desk.contact_customer(w.junior, tid, note="电话联系客户")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="清理搓纸轮")
    clock.set(_at(5, 10))
    desk.confirm(w.customer_zh, tid)
    desk.callbacks.record(w.agent, tid, checklist=CallbackChecklist(), problem_back=False, satisfaction=5)
    desk.close(w.agent, tid)
    clock.set(_at(5, 11))
    desk.reopen(w.agent, tid, reason="又卡纸了")
    return tid


class _Documents:
    """A unit of work's documents whose first query by equality runs ``then`` once it has answered (the
    day walk's first day read: the sweep commits between it and the older days' reads)."""

    def __init__(self, documents: Any, then: Any) -> None:
        self._documents, self._then = documents, then

    def query(self, *args: Any, **kwargs: Any) -> Any:
        found = list(self._documents.query(*args, **kwargs))
        if self._then is not None:
            then, self._then = self._then, None
            then()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._documents, name)


class _Unit:
    def __init__(self, uow: Any, then: Any) -> None:
        self._uow, self.documents = uow, _Documents(uow.documents, then)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)


def test_an_alert_announced_again_between_two_days_reads_is_listed_once(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, w = pair
    tid = _reopened_after_breaches(first, w)
    clock: Any = first.context.clock
    clock.set(_at(10, 10))  # the reopened cycle's arrival and resolution are breached
    announced: list[object] = []

    def sweep_on_the_other_desk() -> None:
        thread = threading.Thread(target=lambda: announced.append(second.sla_watch.sweep(Actor.system())))
        thread.start()
        thread.join(timeout=20)

    read = sla_alert_list._alerts
    monkeypatch.setattr(
        sla_alert_list, "_alerts", lambda uow, *args: read(_Unit(uow, sweep_on_the_other_desk), *args)
    )
    listed = first.sla_alerts(w.manager, ticket_id=None, since=_at(5, 0), until=_at(11, 0), limit=100).items
    assert announced, "the sweep ran while the list was read"
    ids = [a.id for a in listed]
    assert len(ids) == len(set(ids)), ids  # an alert moved to its new day was listed on both
    assert {a.id for a in listed} >= {f"{tid}:arrival:sla_breach", f"{tid}:resolution:sla_breach"}
    # Read again after the sweep: each alert once, the moved ones on their new day.
    monkeypatch.setattr(sla_alert_list, "_alerts", read)
    after = {a.id: a.at for a in first.sla_alerts(w.manager, since=_at(5, 0), until=_at(11, 0)).items}
    assert after[f"{tid}:resolution:sla_breach"] == _at(10, 10)
