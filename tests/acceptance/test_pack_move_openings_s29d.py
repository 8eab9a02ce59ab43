# mypy: disable-error-code="arg-type"
"""Two desks on one store, one left on the old calendar or pack after the other began the move (a rolling
restart; seeds 003 二 3-5 响应/解决时限 and 24小时内回访, 001 响应时间, 000 服务结束后一定时间内回访).

Session 28 left an opening unchecked: a ticket (a call, a complaint) opened on the desk still on the old
calendar or ``[sla]`` after the other desk had moved the store kept the old pack's due times, under a stamp
saying the new pack's, until a current desk's command re-derived them; the sweep had already passed. And a
bulk import (``desk.import_tickets``) decided each history's close by the old ``[callback]`` and wrote its
batch whatever the stamp said. Now both are refused as every other command writing due times is: a
``ConfigurationError`` naming ``calendar``, ``sla`` or ``callback``, nothing written. The desk on the
store's pack opens and imports as before. Memory (one store object shared by two desks), SQLite (one file)
and PostgreSQL (one database).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Category, Channel, Priority, Severity
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment
from aftersales.errors import ConfigurationError, NotFound
from aftersales.policies.registry import resolve_policies
from aftersales.ports.calendars import open_calendar
from aftersales.ports.queries import TicketFilter
from aftersales.ports.storage_registry import open_storage
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.service.desk import ServiceDesk
from aftersales.service.late_after_backfill import PROGRESS_ID, LateAfterBackfill
from conftest import SHANGHAI, STAFF, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
HOURS = [(time(9), time(12)), (time(13), time(18))]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _calendar(*holidays: date) -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Shanghai", dict.fromkeys(range(5), HOURS), holidays, known_from=date(2026, 1, 1),
        known_until=date(2026, 12, 31), source_name="company calendar",
    )  # fmt: skip


def _pack(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[pack]\nname = "{name}"\nextends = "office_equipment"\n\n{body}', encoding="utf-8")
    return str(path)


def _desk(store: StoreFactory, pack: str, clock: ManualClock, calendar: BusinessCalendar) -> ServiceDesk:
    return ServiceDesk(store, policies=resolve_policies(pack), clock=clock, calendar=calendar, staff=STAFF)


@contextlib.contextmanager
def _stores(backend: str, tmp_path: Path) -> Iterator[tuple[StoreFactory, StoreFactory]]:
    """Two handles on one store (one object for memory, two connections elsewhere)."""
    with store_url(backend, tmp_path) as url:
        first = open_storage(url)
        yield (first, first) if backend == "memory" else (first, open_storage(url))


def _count(desk: ServiceDesk, w: World) -> int:
    return desk.count(w.manager, TicketFilter())


def _refused_openings(old: ServiceDesk, new: ServiceDesk, w: World, key: str) -> None:
    """The old desk's openings (a call, a complaint) are refused naming ``key``; nothing is written."""
    before = _count(new, w)
    with pytest.raises(ConfigurationError) as refused:
        old.open_ticket(w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR)
    assert refused.value.key == key
    with pytest.raises(ConfigurationError) as refused:
        old.complaints.open_complaint(w.agent, w.cust_zh.id, "上门太晚")
    assert refused.value.key == key
    assert _count(new, w) == before
    # The desk on the store's pack opens as before.
    new.open_ticket(w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR)
    assert _count(new, w) == before + 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_desk_left_on_the_old_calendar_opens_no_ticket_on_it(backend: str, tmp_path: Path) -> None:
    clock, w = ManualClock(_at(2, 10)), make_world()
    with (
        _stores(backend, tmp_path) as (first, second),
        _desk(first, "office_equipment", clock, _calendar()) as old,
    ):
        register(old, w)
        old.open_ticket(w.agent, customer_id=w.cust_zh.id, description="卡纸", category=Category.REPAIR)
        assert not old.run_due_jobs().failed  # the store stamped with the old calendar
        with _desk(second, "office_equipment", clock, _calendar(date(2026, 3, 3))) as new:
            # Opened on a calendar the store is not on yet: it opens (its sweep moves the store).
            new.open_ticket(w.agent, customer_id=w.cust_zh.id, description="卡纸", category=Category.REPAIR)
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed
            _refused_openings(old, new, w, "calendar")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_desk_left_on_the_old_sla_section_opens_no_ticket_by_it(backend: str, tmp_path: Path) -> None:
    clock, w = ManualClock(_at(2, 10)), make_world()
    calendar = open_calendar("china_mainland")
    faster = _pack(tmp_path, "faster_callbacks", "[sla]\ncallback_hours = 12\n")
    with (
        _stores(backend, tmp_path) as (first, second),
        _desk(first, "office_equipment", clock, calendar) as old,
    ):
        register(old, w)
        assert not old.run_due_jobs().failed
        with _desk(second, faster, clock, calendar) as new:
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed  # the new desk's sweep moves the store
            _refused_openings(old, new, w, "sla")
            # Restarted on the store's pack, the desk opens again.
            with _desk(first, faster, clock, calendar) as restarted:
                restarted.open_ticket(w.agent, customer_id=w.cust_zh.id, description="卡纸")


def _repair(n: int, customer: str, *, closed: bool) -> Ticket:
    """A repair call of another system, triaged (and with ``closed`` worked through to closed without any
    callback)."""
    agent, engineer = ActorRef("agent-1", Role.AGENT), ActorRef("E1", Role.ENGINEER)
    at = _at(2, 9, n)
    ticket = Ticket.open(
        id=TicketId(f"IMP-{n:05d}"), customer_id=CustomerId(customer), channel=Channel.PHONE,
        category=Category.REPAIR, description=f"旧系统工单 {n} 复印机卡纸", received_at=at, taken_by=agent,
    )  # fmt: skip
    ticket.triage(agent, at + timedelta(minutes=5), Assessment("paper_feed", Severity.LOW), Priority.NORMAL)
    if closed:
        ticket.resolve(engineer, at + timedelta(minutes=30), summary="更换搓纸轮")
        ticket.confirm(agent, at + timedelta(minutes=40), channel="service_slip")
        ticket.close(agent, at + timedelta(hours=6))
    return ticket


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_desk_left_on_the_old_callback_section_imports_no_batch_by_it(backend: str, tmp_path: Path) -> None:
    # The old pack owes no callback on a repair; the store moved to one that does (seed 003 二 5 回访):
    # the old desk's import would store closes the store's pack refuses.
    clock, w = ManualClock(_at(4, 10)), make_world()
    calendar = open_calendar("china_mainland")
    none_owed = _pack(tmp_path, "no_repair_callbacks", '[callback]\nnot_needed_for = ["repair"]\n')
    with _stores(backend, tmp_path) as (first, second), _desk(first, none_owed, clock, calendar) as old:
        register(old, w)
        assert not old.run_due_jobs().failed  # the store stamped with the old pack's callback policy
        with _desk(second, "office_equipment", clock, calendar) as new:
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed  # the new desk's sweep moves the store
            with pytest.raises(ConfigurationError) as refused:
                old.import_tickets(w.manager, [_repair(1, w.cust_zh.id, closed=True)])
            assert refused.value.key == "callback"
            assert _count(new, w) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_desk_left_on_the_old_calendar_imports_no_batch(backend: str, tmp_path: Path) -> None:
    clock, w = ManualClock(_at(4, 10)), make_world()
    with (
        _stores(backend, tmp_path) as (first, second),
        _desk(first, "office_equipment", clock, _calendar()) as old,
    ):
        register(old, w)
        assert not old.run_due_jobs().failed
        with _desk(second, "office_equipment", clock, _calendar(date(2026, 3, 3))) as new:
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed
            with pytest.raises(ConfigurationError) as refused:
                old.import_tickets(w.manager, [_repair(1, w.cust_zh.id, closed=False)])
            assert refused.value.key == "calendar"
            assert _count(new, w) == 0
            # The desk on the store's calendar imports as before.
            assert new.import_tickets(w.manager, [_repair(2, w.cust_zh.id, closed=False)]).tickets == 1
            assert _count(new, w) == 1


def _lacking(store: StoreFactory, tid: str) -> None:
    """Make ``tid`` one stored without its late-after instants, and the back-fill's pass not done."""
    with store() as uow:
        ticket = uow.tickets.get_for_update(tid)
        ticket.response_late_after = ticket.resolution_late_after = None
        uow.tickets.save(ticket)
        try:
            progress = uow.documents.get(LateAfterBackfill, PROGRESS_ID)
        except NotFound:
            pass
        else:
            progress.cursor, progress.done = None, False
            uow.documents.save(progress)
        uow.commit()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_desk_left_on_the_old_calendar_back_fills_no_late_after_instant(
    backend: str, tmp_path: Path
) -> None:
    # The late-after back-fill writes tickets outside the ticket commands' path: each instant it gives is
    # worked out on the desk's calendar and [sla], so a desk the store moved past gives none.
    # The first response is due at 18:00 on both calendars; on time until the next working morning: the 5th
    # on the old calendar, the 6th on the store's (the 5th a day off). The old desk wrote the 5th.
    clock, w = ManualClock(_at(4, 14)), make_world()
    with (
        _stores(backend, tmp_path) as (first, second),
        _desk(first, "office_equipment", clock, _calendar()) as old,
    ):
        register(old, w)
        assert not old.run_due_jobs().failed
        tid = old.open_ticket(w.agent, customer_id=w.cust_zh.id, description="卡纸").ticket.id
        with _desk(second, "office_equipment", clock, _calendar(date(2026, 3, 5))) as new:
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed  # the new desk's sweep moves the store
            assert new.health().dues_stale is False
            _lacking(first, tid)  # as a store mid-upgrade: the pass to do again, the ticket without instants
            with pytest.raises(ConfigurationError) as refused:
                old.late_afters.backfill(w.manager)
            assert refused.value.key == "calendar"
            stored = new.ticket(w.manager, tid)
            assert (stored.response_late_after, stored.resolution_late_after) == (None, None)
            assert new.late_afters.backfill(w.manager) == 1  # the desk on the store's calendar fills it
            assert new.ticket(w.manager, tid).response_late_after == _at(6, 9)
