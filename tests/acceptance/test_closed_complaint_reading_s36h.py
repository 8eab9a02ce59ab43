"""Seed 003 二 5 (并在规定时限内给出解决方案) on a store an older release wrote, session 36 (h).

Session 35 timed an ``office_equipment`` complaint's resolution to the solution given. A complaint closed
before (an older release's store, or a pack that timed it to the result told) records no solution steps:
it was judged, its breach announced and counted in that month's appraisal (seed 003 三 2 考核结果与薪酬、
晋升挂钩) to the feedback, and the KPI and the breach report still read it so. ``desk.sla()`` decided its
targets from today's pack and said the same closed complaint was met in time at the solution. The live
reading of a closed ticket now takes the steps it stored: all three say breached at the feedback. An open
complaint follows the pack: the ``sla_sweep`` job's recompute after the upgrade now stores its steps too
(it saved only tickets whose due times moved), so the ledger's breached filter and the KPI stop counting
a solution given in time as late. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales import ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.policies.registry import resolve_policies
from aftersales.ports.calendars import open_calendar
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import Period
from aftersales.ports.storage_registry import open_storage
from aftersales.reports import sla_breaches
from aftersales.reports.kpi import kpi_report
from conftest import SHANGHAI, STAFF, START, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _desk(store: object, pack: str, clock: ManualClock) -> ServiceDesk:
    calendar = open_calendar("china_mainland")
    return ServiceDesk(store, policies=resolve_policies(pack), clock=clock, calendar=calendar, staff=STAFF)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_closed_before_the_solution_clock_reads_breached_live_as_in_the_reports(
    backend: str, tmp_path: Path
) -> None:
    before = tmp_path / "before_s35.toml"  # office_equipment as releases before session 35 timed it
    before.write_text(
        '[pack]\nname = "before_s35"\nextends = "office_equipment"\n\n'
        '[sla]\ncomplaint_resolved_by = "feedback"\n',
        encoding="utf-8",
    )
    clock, w = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url:
        first = open_storage(url)
        old = _desk(first, str(before), clock)
        register(old, w)
        # Monday 09:00 registered, the solution given at 10:00, the result told on Thursday: the feedback is
        # past the due, breached then; called back and closed.
        cid = old.complaints.open_complaint(w.agent, w.cust_zh.id, "工程师上门迟到两小时").ticket.id
        still = old.complaints.open_complaint(w.agent, w.cust_zh.id, "客服电话无人接听").ticket.id
        clock.set(_at(2, 10))
        for complaint in (cid, still):  # both solved in an hour; the second still carried out
            old.complaints.investigate(w.agent, complaint)
            old.complaints.propose_solution(w.agent, complaint, solution="致歉，并免费上门保养一次")
            old.complaints.agree_solution(w.customer_zh, complaint)
        clock.set(_at(5, 10))
        old.complaints.give_feedback(w.agent, cid, outcome="已上门保养，客户接受致歉")
        assert old.sla(w.manager, cid)["resolution"].breached
        clock.set(_at(5, 15))
        old.record_callback(w.agent, cid, problem_back=False, satisfaction=5)
        old.complaints.review(w.manager, cid, root_cause="late_arrival", improvement="上门前提醒")
        old.complaints.close(w.manager, cid)
        # The upgrade: today's office_equipment times a complaint to its solution.
        desk = _desk(first if backend == "memory" else open_storage(url), "office_equipment", clock)
        assert desk.ticket(w.manager, cid).resolution_steps == ()
        status = desk.sla(w.manager, cid)["resolution"]
        assert (status.met_at, status.breached) == (_at(5, 10), True)
        past = desk.sla(w.manager, cid, _at(5, 12))["resolution"]  # asked about an instant before the close
        assert (past.met_at, past.breached) == (_at(5, 10), True)
        assert desk.calendar is not None
        # The open one, past its due on Thursday afternoon: met at its solution, once the sweep has run.
        assert desk.health().dues_stale
        desk.run_due_jobs()
        assert not desk.health().dues_stale
        assert desk.ticket(w.manager, still).resolution_steps == ("decide", "propose_solution")
        assert not desk.sla(w.manager, still)["resolution"].breached
        late = {t.id for t in desk.ledger(w.manager, TicketFilter(breached_at=clock.now())).items}
        assert late == set()  # the closed one is no longer open
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (total.resolution_met, total.resolution.count) == (1, 2)
        breaches = sla_breaches(desk, w.manager, MARCH, as_of=clock.now()).total
        assert (breaches.resolution_breached, breaches.resolution_judged) == (1, 2)
