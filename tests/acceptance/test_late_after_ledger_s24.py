# mypy: disable-error-code="arg-type"
"""Seed 003 二 3 响应时效 (Y个工作小时内响应) and 三 以…响应速度…为核心指标的绩效考核: a due on a working-time
clock at a working window's end is met by an answer before the next window starts. Session 23 stored that
last on-time instant on the ticket (``Ticket.*_late_after``) and the reports judged by it; two readers
still judged by the raw due:

- the ledger's breached filter (``TicketFilter.breached_at``) listed a VIP's urgent call of Friday 09:00,
  its 8 working hours due at 18:00, as breached on Saturday, while ``desk.sla()``, the sweep and the
  reports had it on time until Monday 09:00;
- a ticket stored without the instants (by an older release, or closed before it: a closed ticket's due
  times are never derived again) was judged by its raw due: a VIP's Friday-17:30 urgent call answered on
  Monday at 09:00 counted late on an upgraded store and on time on a new one. The ``late_afters``
  back-fill (``desk.late_afters.backfill``, the hourly job) gives such tickets their instants.

On memory, SQLite and PostgreSQL alike (office-equipment pack, Shanghai working calendar).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Severity
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.sla import sla_breaches
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _vip_call(desk: ServiceDesk, world: World, text: str) -> str:
    return desk.open_ticket(
        world.agent, customer_id=world.cust_en.id, description=text, urgent=True
    ).ticket.id


def _breached(desk: ServiceDesk, world: World, at: datetime) -> tuple[set[str], int]:
    listed = desk.ledger(world.manager, TicketFilter(breached_at=at), PageRequest(100, None, Sort.DUE))
    return {t.id for t in listed.items}, desk.count(world.manager, TicketFilter(breached_at=at))


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_breached_filter_lists_what_desk_sla_calls_breached(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        clock.set(_at(5, 9, 0))
        thursday = _vip_call(desk, world, "Copier down")
        clock.set(_at(6, 9, 0))
        friday = _vip_call(desk, world, "Printer jammed on floor 3")
        view = desk.ticket(world.manager, friday)
        assert (view.resolution_due_at, view.resolution_late_after) == (_at(6, 18), _at(9, 9))
        clock.set(_at(7, 10, 0))  # Saturday: no working time since Friday 18:00
        sla = {tid: desk.sla(world.manager, tid)["resolution"].breached for tid in (thursday, friday)}
        assert sla == {thursday: True, friday: False}
        assert _breached(desk, world, clock.now()) == ({thursday}, 1)
        # the instant itself is still on time; a moment past it is late
        assert _breached(desk, world, _at(9, 9, 0)) == ({thursday}, 1)
        clock.set(_at(9, 9, 1))
        assert desk.sla(world.manager, friday)["resolution"].breached
        assert _breached(desk, world, clock.now()) == ({thursday, friday}, 2)


def _strip_late_afters(desk: ServiceDesk, ticket_id: str, resolution_due: datetime | None = None) -> None:
    """The ticket as a release before the late-after instants stored it (the store's rows with it), its
    resolution due ``resolution_due`` when given."""
    with desk.store() as uow:
        ticket = uow.tickets.get_for_update(ticket_id)
        ticket.response_late_after = ticket.resolution_late_after = None
        if resolution_due is not None:
            ticket.resolution_due_at = resolution_due
        uow.tickets.save(ticket)
        uow.commit()


def _closed_vip_call(desk: ServiceDesk, world: World, clock: object) -> str:
    """A VIP's urgent call of Friday 17:30 (response due 18:00), answered on Monday at 09:00, closed."""
    clock.set(_at(6, 17, 30))  # type: ignore[attr-defined]
    tid = _vip_call(desk, world, "Printer jammed on floor 3")
    clock.set(_at(9, 9, 0))  # type: ignore[attr-defined]
    desk.contact_customer(world.agent, tid, note="Engineer on the way")
    clock.set(_at(9, 10, 0))  # type: ignore[attr-defined]
    desk.triage(world.agent, tid, nature="paper_path", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, tid)
    desk.resolve(world.senior, tid, summary="Feed roller replaced")
    desk.confirm(world.agent, tid, channel="service_slip", note="Signed")
    clock.set(_at(9, 15, 0))  # type: ignore[attr-defined]
    desk.record_callback(world.agent, tid, problem_back=False, satisfaction=5, attitude=5)
    desk.close(world.agent, tid)
    return tid


def _response_judged(desk: ServiceDesk, world: World, as_of: datetime) -> tuple[int, Decimal | None, int]:
    """The KPI's responses on time and their rate, and the breach report's responses breached."""
    assert desk.calendar is not None
    kpi = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=as_of).total
    breaches = sla_breaches(desk, world.manager, MARCH, as_of=as_of).total
    return kpi.response_met, kpi.response_on_time_rate, breaches.response_breached


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_upgraded_stores_closed_ticket_is_judged_as_a_new_stores(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        tid = _closed_vip_call(desk, world, clock)
        assert desk.ticket(world.manager, tid).state == "closed"
        assert desk.ticket(world.manager, tid).response_late_after == _at(9, 9)
        assert _response_judged(desk, world, clock.now()) == (1, Decimal(1), 0)  # a new store: on time
        _strip_late_afters(desk, tid)
        assert _response_judged(desk, world, clock.now()) == (0, Decimal(0), 1)  # as an older release left it
        assert not desk.sla(world.manager, tid)["response"].breached  # desk.sla() always said on time
        clock.set(_at(9, 16, 0))
        report = desk.jobs.run_due(only=("late_afters",))
        assert report.failed == {} and report.counts["late_afters"] == 1
        assert desk.ticket(world.manager, tid).response_late_after == _at(9, 9)
        assert _response_judged(desk, world, clock.now()) == (1, Decimal(1), 0)
        # the pass is complete: a later run reads its progress only, a stripped ticket stays as it is
        assert desk.late_afters.backfill(world.manager) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_backfill_fills_an_open_ticket_for_the_ledger(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        clock.set(_at(6, 9, 0))
        tid = _vip_call(desk, world, "Printer jammed on floor 3")
        plain = _vip_call(desk, world, "Copier down")  # keeps its own instant
        assert desk.ticket(world.manager, plain).resolution_late_after == _at(9, 9)
        _strip_late_afters(desk, tid)
        clock.set(_at(7, 10, 0))
        assert _breached(desk, world, clock.now()) == ({tid}, 1)  # judged by its raw due
        assert desk.late_afters.backfill(world.manager, batch=1, max_batches=1) == 1  # page 1: tid
        assert desk.late_afters.backfill(world.manager, batch=1) == 0  # the rest: plain has its own
        assert desk.ticket(world.manager, tid).resolution_late_after == _at(9, 9)
        assert _breached(desk, world, clock.now()) == (set(), 0)


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_backfill_never_moves_a_due_nor_judges_one_the_log_does_not_give(
    backend: str, tmp_path: Path
) -> None:
    # A stored due the log does not give (held at the due a breach passed, a policy changed since) keeps
    # no late-after instant: the due stands, as late_after reads a due stored without one.
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        clock.set(_at(6, 9, 0))
        tid = _vip_call(desk, world, "Printer jammed on floor 3")
        _strip_late_afters(desk, tid, resolution_due=_at(7, 10, 0))  # Saturday: outside working time
        assert desk.late_afters.backfill(world.manager) == 0
        view = desk.ticket(world.manager, tid)
        assert (view.resolution_due_at, view.resolution_late_after) == (_at(7, 10, 0), None)


@pytest.mark.parametrize("backend", ["memory"])
def test_the_backfill_is_the_heads_and_bounded(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, _, world, _):
        with pytest.raises(PermissionDenied):
            desk.late_afters.backfill(world.agent)
        for bad in ({"batch": 0}, {"batch": 1001}, {"max_batches": 0}, {"max_batches": True}):
            with pytest.raises(ValidationError):
                desk.late_afters.backfill(world.manager, **bad)  # type: ignore[arg-type]
        assert desk.late_afters.backfill(Actor.system()) == 0
