# mypy: disable-error-code="arg-type"
"""Session 30's merged surfaces fed hostile sequences by a tester (developer l), on the three stores.

- Seed 004 第八条 2(5) (当接到危机事件的单位或部门、个人要立即通知客户服务中心; (4) 向总经理报告): a crisis
  escalation owed is owed whatever class an agent gives the complaint; reclassified general it stays in the
  overdue list (f's doubt: the list reads both classes — it agrees, kept as a test). Session 38: the
  centre's head finding it general takes it up (test_seed_leftovers_s38f.py); an agent's finding does not.
- A departed, erased engineer was put back to work: ``reactivate_engineer`` took them (dispatch then sent
  tickets to ``[erased]``), and the heads could plan them desk shifts after the day they left. Both are
  refused now, naming the field, and nothing changes; nor is a departure dated before a training the person
  attended or a month they were appraised for.
- Races with two desks (SQLite, PostgreSQL): erasure vs reactivation; an incident's dismissal vs the
  handler's classification of its complaint (agrees: both commit, the complaint ends major by judgement,
  the dismissed incident gone from it).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from test_seed_scenarios_s30f_004_incident_class import AGENT, STAFF, _repair
from test_seed_scenarios_s30f_004_incident_class import MANAGER as CENTRE
from test_seed_scenarios_s30f_004_incident_class import _desk as _complaint_desk
from test_staff_erasure_s30h import DPO, MANAGER, NOW, SHANGHAI, _desk, _kept
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.agent_shifts import AgentShift
from aftersales.domain.classification import Severity
from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, EngineerId, ProductId
from aftersales.domain.parties import Customer, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import ConcurrencyConflict, PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import START, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_crisis_escalation_owed_stays_overdue_when_the_complaint_is_reclassified_general(
    backend: str, tmp_path: Path
) -> None:
    with _complaint_desk(backend, tmp_path) as desk:
        first = _repair(desk, 0)
        crisis = CrisisFacts(
            problems={CrisisProblem("property_loss")}, economic_loss=True, recourse={Recourse.PRESS}
        )
        cid = desk.complaints.open_complaint(AGENT, "c0", "漏水泡坏地板, 已找报社", [first], crisis=crisis)
        cid_ = cid.ticket.id
        for _ in range(2):  # back and forth: one escalation, never dropped
            desk.complaints.classify(
                AGENT, cid_, crisis=CrisisFacts(problems={CrisisProblem("property_loss")})
            )
            file = desk.complaints.complaint_file(CENTRE, cid_)
            assert file.severity is ComplaintSeverity.GENERAL and len(file.escalations) == 1
            desk.complaints.classify(AGENT, cid_, crisis=crisis)
            assert len(desk.complaints.complaint_file(CENTRE, cid_).escalations) == 1
        desk.complaints.classify(AGENT, cid_, crisis=CrisisFacts(problems={CrisisProblem("property_loss")}))
        clock = desk.clock
        assert isinstance(clock, ManualClock)
        clock.advance(timedelta(days=1))
        [overdue] = desk.complaints.overdue_escalations(CENTRE)
        assert overdue.complaint_id == cid_ and overdue.escalation.reason.code == "crisis_event"


def _engineer(desk: ServiceDesk) -> tuple[bool, str]:
    """e1's record as its export shows it: (active, name)."""
    record = json.loads(desk.staff_records.export_staff(MANAGER, "e1"))["data"]["engineer"]
    return record["active"], record["name"]


def _erased(desk: ServiceDesk) -> str:
    """e1 left on 2026-03-30, deactivated and erased; returns a ticket waiting for an engineer."""
    tid = _kept(desk)
    agent = Actor.agent("a1")
    desk.dispatch(agent, tid, engineer_id="e2", reason="赵工离职")
    desk.staff_records.record_departure(MANAGER, "e1", date(2026, 3, 30))
    desk.master_data.deactivate_engineer(MANAGER, "e1", reason="离职")
    desk.staff_records.erase_staff(DPO, "e1", "left the company")
    waiting = desk.open_ticket(agent, customer_id="c1", description="又断电").ticket.id
    desk.triage(agent, waiting, nature="network", severity=Severity.MEDIUM)
    return waiting


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_departed_engineer_is_not_reactivated_nor_dispatched(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, _):
        waiting = _erased(desk)
        history = desk.master_data_history(MANAGER, "engineer", "e1")
        with pytest.raises(ValidationError) as refused:
            desk.master_data.reactivate_engineer(MANAGER, "e1", reason="回来了")
        assert refused.value.field == "engineer_id" and "2026-03-30" in str(refused.value)
        assert _engineer(desk) == (False, "[erased]")
        assert desk.master_data_history(MANAGER, "engineer", "e1") == history  # nothing recorded
        with pytest.raises(ValidationError) as refused:
            desk.dispatch(Actor.agent("a1"), waiting, engineer_id="e1")
        assert refused.value.field == "engineer_id"
        # a departed engineer not deactivated yet is refused the same way (the reactivation, not the state)
        desk.staff_records.record_departure(MANAGER, "e2", date(2026, 3, 31))
        with pytest.raises(ValidationError) as refused:
            desk.master_data.reactivate_engineer(MANAGER, "e2", reason="x")
        assert refused.value.field == "engineer_id"
        for role in (Role.AGENT, Role.ENGINEER, Role.CUSTOMER, Role.AUDITOR, Role.PRIVACY_OFFICER):
            with pytest.raises(PermissionDenied):
                desk.master_data.reactivate_engineer(Actor(id="x1", role=role), "e1", reason="x")


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_desk_shift_is_planned_after_the_day_a_person_left(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, _):
        _erased(desk)
        last = datetime(2026, 3, 30, 9, tzinfo=SHANGHAI)  # the day they left: still theirs
        later = datetime(2026, 4, 1, 9, tzinfo=SHANGHAI)
        window = (datetime(2026, 3, 30, tzinfo=SHANGHAI), datetime(2026, 4, 3, tzinfo=SHANGHAI))
        before = desk.agent_shifts.plan(
            MANAGER, *window, [AgentShift("a1", later, later + timedelta(hours=8))]
        )
        with pytest.raises(ValidationError) as refused:
            desk.agent_shifts.plan(
                MANAGER, *window,
                [AgentShift("e1", last, last + timedelta(hours=8)),
                 AgentShift("e1", later, later + timedelta(hours=8))],
            )  # fmt: skip
        assert refused.value.field == "shifts" and "e1" in str(refused.value)
        assert desk.agent_shifts.plan(MANAGER, *window, before.shifts).shifts == before.shifts  # unchanged
        # an instant after midnight in Shanghai is the next day, though UTC still reads the day they left
        utc_day = datetime(2026, 3, 31, 0, 30, tzinfo=SHANGHAI)
        with pytest.raises(ValidationError):
            desk.agent_shifts.plan(
                MANAGER, *window, [AgentShift("e1", utc_day, utc_day + timedelta(hours=4))]
            )
        roster = desk.agent_shifts.plan(MANAGER, *window, [AgentShift("e1", last, last + timedelta(hours=8))])
        assert [s.agent_id for s in roster.shifts if s.starts_at >= window[0]] == ["e1"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_desks_erasing_and_reactivating_at_once_leave_no_erased_engineer_at_work(
    backend: str, tmp_path: Path
) -> None:
    clock = ManualClock(NOW)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path, "erase-reactivate.db"))
        first = stack.enter_context(ServiceDesk.open(url, pack="exhibition_services", clock=clock))
        second = stack.enter_context(ServiceDesk.open(url, pack="exhibition_services", clock=clock))
        tid = _kept(first)
        first.dispatch(Actor.agent("a1"), tid, engineer_id="e2", reason="赵工离职")
        first.staff_records.record_departure(MANAGER, "e1", date(2026, 3, 30))
        first.master_data.deactivate_engineer(MANAGER, "e1", reason="离职")
        told = race(
            first,
            second,
            lambda d: d.staff_records.erase_staff(DPO, "e1", "left the company"),
            lambda d: d.master_data.reactivate_engineer(MANAGER, "e1", reason="回来了"),
        )
        erased, reactivated = told
        assert erased.ok, erased.error
        assert isinstance(reactivated.error, ValidationError | ConcurrencyConflict), reactivated.error
        assert _engineer(second) == (False, "[erased]")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_departure_is_not_dated_before_a_training_or_month_the_person_had(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as (desk, _):
        _kept(desk)  # e1: trained on 2026-03-10 (scored 85), appraised for 2026-03
        staff = desk.staff_records
        with pytest.raises(ValidationError) as refused:
            staff.record_departure(MANAGER, "e1", date(2026, 2, 27))  # before the month appraised
        assert refused.value.field == "left_on" and "2026-03" in str(refused.value)
        with pytest.raises(ValidationError) as refused:
            staff.record_departure(MANAGER, "e1", date(2026, 3, 5))  # before the training
        assert refused.value.field == "left_on" and "2026-03-10" in str(refused.value)
        assert json.loads(staff.export_staff(MANAGER, "e1"))["data"]["departure"] is None  # nothing kept
        staff.record_departure(MANAGER, "e1", date(2026, 3, 30))
        with pytest.raises(ValidationError) as refused:  # corrected to a day before them: the same
            staff.record_departure(MANAGER, "e1", date(2026, 3, 9))
        assert refused.value.field == "left_on"
        assert staff.record_departure(MANAGER, "e1", date(2026, 3, 10)).left_on == date(2026, 3, 10)
        with pytest.raises(ValidationError) as refused:  # no day for a person trained in 2026
            staff.record_departure(MANAGER, "e2", date(1900, 1, 1))
        assert refused.value.field == "left_on"
        staff.record_departure(MANAGER, "e2", date(2026, 3, 10))  # the training's day is still theirs


@contextlib.contextmanager
def _two_incident_desks(backend: str, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ServiceDesk]]:
    """Two desks on one store, the batch of :func:`_complaint_desk` registered through the first."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path, "incident-race.db"))
        clock = ManualClock(START)  # one clock: the two desks' events in time order

        def opened() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(
                    url,
                    pack="service_centre",
                    clock=clock,
                    notifier=MemoryNotifier(),
                    staff=STAFF,
                )
            )

        first = opened()
        first.register_product(
            CENTRE, Product(ProductId("P-1"), "WC-9", "连体马桶", "toilet", (WarrantyTerm(12),))
        )
        first.register_engineer(CENTRE, Engineer(EngineerId("e1"), "赵工"))
        for n in range(2):
            contact = Contact(f"客户{n}", phone=f"1380000000{n}", address=f"合肥市蜀山区 {n} 号")
            first.register_customer(CENTRE, Customer(CustomerId(f"c{n}"), f"客户{n}", contact))
        for n in range(40):
            first.register_asset(
                CENTRE,
                Asset(
                    AssetId(f"A-{n:02d}"), ProductId("P-1"), f"SN-{n:02d}", CustomerId(f"c{n % 2}"),
                    batch="B-9", purchase_date=date(2025, 6, 1),
                ),
            )  # fmt: skip
        yield first, opened()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_dismissal_racing_a_classification_leaves_the_complaint_as_its_facts_say(
    backend: str, tmp_path: Path
) -> None:
    with _two_incident_desks(backend, tmp_path) as (first, second):
        ticket = _repair(first, 0)
        _repair(first, 1)
        (incident,) = first.quality_incidents.incidents(CENTRE)
        cid = first.complaints.open_complaint(AGENT, "c0", "漏水", [ticket]).ticket.id
        assert first.complaints.complaint_file(CENTRE, cid).severity is ComplaintSeverity.MAJOR
        told = race(
            first,
            second,
            lambda d: d.quality_incidents.dismiss(CENTRE, incident.id, reason="安装方错误，非批次问题"),
            lambda d: d.complaints.classify(CENTRE, cid, major_by_judgement="媒体已关注"),
        )
        for outcome in told:
            assert outcome.ok or isinstance(outcome.error, ConcurrencyConflict), outcome.error
        file = second.complaints.complaint_file(CENTRE, cid)
        dismissed = told[0].ok
        # the dismissed incident no longer makes it major; the handler's judgement, if it was recorded, does
        assert file.batch_incident is None or not dismissed
        codes = {r.code for r in file.severity_reasons}
        assert "batch_incident" not in codes or not dismissed
        assert (file.severity is ComplaintSeverity.MAJOR) == (file.judgement is not None or not dismissed)
