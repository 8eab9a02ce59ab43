# mypy: disable-error-code="arg-type"
"""A callback scheduled again without a date is the pack's, whichever desk entry schedules it.

Seed 003 二 5 (工程师将处理结果录入系统,客服专员在24小时内对客户进行回访): the callback is due 24 hours after
the result's entry. A callback scheduled again after a failed attempt (再次回访) without a date is still due
by that rule — a date nobody gave is the pack's, and a pack swap moves it with the pack; a date agreed with
the customer (客户约定的回访时间) is theirs and stays. ``desk.callbacks.schedule`` recorded it so; the
ticket desk's ``desk.schedule_callback`` recorded the pack's date as if a person had given it, so a pack
swap left it on the old pack's date while ``desk.sla()`` counted from the new one. Memory, SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category, Severity
from aftersales.domain.ticket import PLANNED_KEY
from aftersales.policies.registry import resolve_policies
from aftersales.ports.calendars import open_calendar
from aftersales.ports.storage_registry import open_storage
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _acceptance_pack(tmp_path: Path) -> str:
    path = tmp_path / "from_acceptance.toml"
    path.write_text(
        '[pack]\nname = "from_acceptance"\nextends = "office_equipment"\n\n'
        '[callback]\nservice_from = "acceptance"\n\n[sla]\ncallback_from = "acceptance"\n',
        encoding="utf-8",
    )
    return str(path)


def _desk(store: StoreFactory, pack: str, clock: ManualClock) -> ServiceDesk:
    return ServiceDesk(
        store, policies=resolve_policies(pack), clock=clock, calendar=open_calendar("china_mainland"),
        staff=STAFF,
    )  # fmt: skip


@contextlib.contextmanager
def _stores(backend: str, tmp_path: Path) -> Iterator[tuple[StoreFactory, StoreFactory]]:
    with store_url(backend, tmp_path) as url:
        first = open_storage(url)
        yield first, first if backend == "memory" else open_storage(url)


def _accepted(desk: ServiceDesk, w: World, clock: ManualClock) -> str:
    clock.set(_at(2, 10))
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="更换搓纸轮")
    clock.set(_at(2, 12))
    desk.confirm(w.junior, tid, channel="service_slip")
    return tid


def _pending(desk: ServiceDesk, w: World, tid: str) -> list[datetime]:
    return [t.due_at for t in desk.callbacks.pending(w.agent) if t.ticket_id == tid]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callback_scheduled_again_without_a_date_follows_a_pack_swap(backend: str, tmp_path: Path) -> None:
    clock, w = ManualClock(_at(2, 10)), make_world()
    with _stores(backend, tmp_path) as (first, second), _desk(first, "office_equipment", clock) as old:
        register(old, w)
        by_ticket_desk = _accepted(old, w, clock)
        by_callback_desk = _accepted(old, w, clock)
        clock.set(_at(2, 15))
        for tid in (by_ticket_desk, by_callback_desk):
            old.record_callback_attempt(w.agent, tid, note="无人接听")
        old.schedule_callback(w.agent, by_ticket_desk)  # 再次回访, no date given: the pack's
        old.callbacks.schedule(w.agent, by_callback_desk)
        for tid in (by_ticket_desk, by_callback_desk):
            last = [e for e in old.ticket(w.auditor, tid).events if e.action == "schedule_callback"][-1]
            assert last.payload[PLANNED_KEY] is True
            assert _pending(old, w, tid) == [_at(3, 10)]  # 24 hours from the result's entry
        assert not old.run_due_jobs().failed
        with _desk(second, _acceptance_pack(tmp_path), clock) as new:
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed  # the sweep moves the store to the new pack
            for tid in (by_ticket_desk, by_callback_desk):
                assert _pending(new, w, tid) == [_at(3, 12)] == [new.sla(w.manager, tid)["callback"].due_at]
