"""Session 23: a ticket whose resolution due lands behind the SLA sweep's mark is still swept, on memory,
SQLite and PostgreSQL.

The jobs' sweep starts past a stored mark, the (due, id) up to which every ticket is settled. A ticket
given a due before it (a call logged late with its real ``received_at``, a due derived late by the
``recompute_due`` job, a calendar's recomputation, an imported backlog) was never read again by the jobs:
its breach went unannounced. Whatever writes such a due now moves the mark back before it
(service/sweep_mark.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from test_jobs_given_s22 import CALENDAR, HOURS

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Category, Channel, Priority, Severity
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment
from aftersales.errors import NotFound
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaAlert, SweepMark
from conftest import STAFF, START, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


def _breach_announced(desk: ServiceDesk, ticket_id: str) -> bool:
    with desk.context.store() as uow:
        try:
            uow.documents.get(SlaAlert, f"{ticket_id}:resolution:sla_breach")
        except NotFound:
            return False
    return True


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_call_logged_late_with_a_due_behind_the_mark_has_its_breach_announced(
    backend: str, tmp_path: Path
) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=CALENDAR) as desk,
    ):
        register(desk, world)
        first = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="整机不开").ticket.id
        desk.triage(world.agent, first, nature="repair", severity=Severity.MEDIUM)
        first_due = desk.ticket(world.manager, first).resolution_due_at
        assert first_due is not None
        clock.set(CALENDAR.add(first_due, timedelta(hours=1)))  # an hour of working time past it
        assert desk.run_due_jobs().failed.keys() <= {"monthly_feedback"}
        assert _breach_announced(desk, first)  # settled: the mark is at its due now
        # A call taken on the Friday before, logged only now with its real time: due before the mark.
        late = desk.open_ticket(
            world.agent,
            customer_id=world.cust_zh.id,
            description="复印机卡纸",
            received_at=START - timedelta(days=3),
        ).ticket.id
        desk.triage(world.agent, late, nature="repair", severity=Severity.MEDIUM)
        late_due = desk.ticket(world.manager, late).resolution_due_at
        assert late_due is not None and late_due < first_due
        with desk.context.store() as uow:
            mark = uow.documents.get(SweepMark, SweepMark.ID)
            assert mark.due_us is not None and mark.cursor is not None
        clock.advance(timedelta(minutes=6))
        desk.run_due_jobs()
        assert _breach_announced(desk, late)
        clock.advance(timedelta(minutes=6))
        assert desk.run_due_jobs().counts["sla_sweep"] == 0  # once


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_sweep_under_way_does_not_step_over_a_mark_moved_back_meanwhile(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sweep reads a page per transaction; a call logged late between two pages moves the mark back
    # behind the pages read. Moving the mark forward after the next page stepped over it again.
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=CALENDAR) as desk,
    ):
        register(desk, world)
        ids = []
        for text in ("整机不开", "复印机卡纸"):
            ids.append(
                desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=text).ticket.id
            )
            desk.triage(world.agent, ids[-1], nature="repair", severity=Severity.MEDIUM)
        dues = [desk.ticket(world.manager, i).resolution_due_at for i in ids]
        assert None not in dues
        clock.set(CALENDAR.add(max(d for d in dues if d is not None), timedelta(hours=1)))
        watch, late = desk.sla_watch, []
        take = watch._take

        def then_a_late_call(*args: object) -> bool:
            more = take(*args)  # type: ignore[arg-type]
            if not late:  # after the first page's commit
                late.append(
                    desk.open_ticket(
                        world.agent, customer_id=world.cust_zh.id, description="传真机不出纸",
                        received_at=START - timedelta(days=3),
                    ).ticket.id
                )  # fmt: skip
                desk.triage(world.agent, late[0], nature="repair", severity=Severity.MEDIUM)
            return more

        monkeypatch.setattr(watch, "_take", then_a_late_call)
        first = watch.sweep(world.system, limit=1)
        assert {f"{i}:resolution" for i in ids} <= set(first.breaches)
        monkeypatch.undo()
        clock.advance(timedelta(minutes=6))
        desk.run_due_jobs()
        assert _breach_announced(desk, late[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_imported_open_ticket_due_behind_the_mark_has_its_breach_announced(
    backend: str, tmp_path: Path
) -> None:
    # A backlog taken over from another system keeps the due times it had there.
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=CALENDAR) as desk,
    ):
        register(desk, world)
        first = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="整机不开").ticket.id
        desk.triage(world.agent, first, nature="repair", severity=Severity.MEDIUM)
        first_due = desk.ticket(world.manager, first).resolution_due_at
        assert first_due is not None
        clock.set(CALENDAR.add(first_due, timedelta(hours=1)))
        desk.run_due_jobs()
        assert _breach_announced(desk, first)
        received = START - timedelta(days=3)
        taken = ActorRef(world.agent.id, Role.AGENT)
        ticket = Ticket.open(
            id=TicketId("IMP-00001"), customer_id=CustomerId(world.cust_zh.id), channel=Channel.PHONE,
            category=Category.REPAIR, description="旧系统工单 复印机卡纸", received_at=received,
            taken_by=taken,
        )  # fmt: skip
        ticket.triage(
            taken, received + timedelta(minutes=5), Assessment("repair", Severity.MEDIUM), Priority.NORMAL
        )
        ticket.resolution_due_at = received + timedelta(days=1)
        desk.import_tickets(world.manager, [ticket])
        clock.advance(timedelta(minutes=6))
        desk.run_due_jobs()
        assert _breach_announced(desk, "IMP-00001")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_due_a_new_calendar_moves_behind_the_mark_has_its_breach_announced(
    backend: str, tmp_path: Path
) -> None:
    # A day off cancelled (Tuesday 3 March works after all): a running ticket's due moves a day earlier,
    # past already and behind the mark, which had passed a breach announced on the old calendar.
    old = BusinessCalendar(
        "Asia/Shanghai", dict.fromkeys(range(5), HOURS), (date(2026, 3, 3),),
        known_from=date(2026, 1, 1), known_until=date(2026, 12, 31), source_name="with a day off",
    )  # fmt: skip
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=old) as desk,
    ):
        register(desk, world)
        ids = []
        for severity in (Severity.MEDIUM, Severity.HIGH):  # the medium one first: the lower id
            ids.append(
                desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
            )
            desk.triage(world.agent, ids[-1], nature="repair", severity=severity)
        medium, high = ids
        high_due = desk.ticket(world.manager, high).resolution_due_at
        assert high_due is not None
        clock.set(old.add(high_due, timedelta(hours=1)))
        desk.run_due_jobs()
        assert _breach_announced(desk, high) and not _breach_announced(desk, medium)
        desk.recompute_provisional_dues(world.manager, CALENDAR)
        moved = desk.ticket(world.manager, medium).resolution_due_at
        assert moved is not None and moved <= high_due
        clock.advance(timedelta(minutes=6))
        desk.run_due_jobs()
        assert _breach_announced(desk, medium)
