"""The company's own engineers and agents: training, monthly appraisal, agents as a KPI group."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, CustomerTier, Engineer
from aftersales.domain.staff_records import AppraisalRating, StaffKind, Trainee
from aftersales.domain.training import TrainingTopic
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.ports.reporting import Period
from aftersales.reports.staff_kpi import agent_kpis
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
MANAGER = Actor.manager("m1")
ALWAYS = BusinessCalendar("Asia/Shanghai", {d: [(time(0), time(0))] for d in range(7)})


@pytest.fixture
def desk() -> Iterator[ServiceDesk]:
    with ServiceDesk.open("memory://", pack="exhibition_services", clock=ManualClock(START)) as d:
        for eid in ("e1", "e2"):
            d.register_engineer(MANAGER, Engineer(EngineerId(eid), eid))
        contact = Contact("c1", phone="13800000000", address="上海市浦东新区 1 号")
        d.register_customer(MANAGER, Customer(CustomerId("c1"), "c1", contact, CustomerTier.REGULAR))
        yield d


def test_own_engineers_and_agents_are_trained_and_tested(desk: ServiceDesk) -> None:
    staff = desk.staff_records
    record = staff.record_staff_training(
        MANAGER,
        held_on=date(2026, 3, 1),
        trainer="李经理",
        topics=[TrainingTopic.REPAIR_SKILLS, "communication"],
        trainees=[Trainee("e1", StaffKind.ENGINEER, 86), Trainee("a7", StaffKind.AGENT, 92)],
        idempotency_key="t-1",
    )
    again = staff.record_staff_training(
        MANAGER,
        held_on=date(2026, 3, 1),
        trainer="李经理",
        topics=[TrainingTopic.REPAIR_SKILLS, "communication"],
        trainees=[Trainee("e1", StaffKind.ENGINEER, 86), Trainee("a7", StaffKind.AGENT, 92)],
        idempotency_key="t-1",
    )
    assert again.id == record.id
    own = staff.staff_record(Actor.agent("a7"), "a7")
    assert [t.id for t in own.trainings] == [record.id]
    assert own.trainings[0].attended_by("a7").score == 92  # type: ignore[union-attr]
    with pytest.raises(NotFound):  # an engineer reads their own record only
        staff.staff_record(Actor.engineer("e2"), "e1")
    with pytest.raises(NotFound):  # nobody registered: not an engineer of ours
        staff.record_staff_training(
            MANAGER, held_on=date(2026, 3, 1), trainer="x", topics=["etiquette"],
            trainees=[Trainee("ghost", StaffKind.ENGINEER)],
        )  # fmt: skip
    for bad in (
        {"topics": []},
        {"trainees": []},
        {"trainees": [Trainee("e1", StaffKind.ENGINEER), Trainee("e1", StaffKind.ENGINEER)]},
        {"topics": ["juggling"]},
    ):
        args = {"topics": ["etiquette"], "trainees": [Trainee("e1", StaffKind.ENGINEER)], **bad}
        with pytest.raises(ValidationError):
            staff.record_staff_training(MANAGER, held_on=date(2026, 3, 1), trainer="x", **args)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Trainee("e1", StaffKind.ENGINEER, 101)
    with pytest.raises(PermissionDenied):
        staff.record_staff_training(
            Actor.customer("c1"), held_on=date(2026, 3, 1), trainer="x", topics=["etiquette"],
            trainees=[Trainee("e1", StaffKind.ENGINEER)],
        )  # fmt: skip


def test_the_after_sales_manager_appraises_each_month(desk: ServiceDesk) -> None:
    staff = desk.staff_records
    first = staff.appraise(
        MANAGER, "a7", "2026-03", kind=StaffKind.AGENT, score=Decimal("91.5"),
        metrics={"satisfaction_rate": "0.95", "response_on_time_rate": Decimal("0.9")},
    )  # fmt: skip
    assert first.rating is AppraisalRating.EXCELLENT and first.metrics["satisfaction_rate"] == Decimal("0.95")
    corrected = staff.appraise(MANAGER, "a7", "2026-03", kind="agent", score=55)
    assert corrected.rating is AppraisalRating.UNQUALIFIED and corrected.version > first.version
    staff.appraise(
        MANAGER, "e1", "2026-03", kind=StaffKind.ENGINEER, score=80, rating=AppraisalRating.EXCELLENT,
        note="带病坚持完成展会抢修",
    )  # fmt: skip
    record = staff.staff_record(Actor.engineer("e1"), "e1")
    assert record.latest_rating is AppraisalRating.EXCELLENT  # the manager's rating stands
    assert [a.month for a in staff.staff_record(MANAGER, "a7").appraisals] == ["2026-03"]
    for bad in ({"score": 101}, {"score": 1.5}, {"month": "2026-13"}, {"metrics": {"x": "abc"}}):
        args = {"score": 70, "month": "2026-02", **bad}
        with pytest.raises(ValidationError):
            staff.appraise(MANAGER, "a7", kind=StaffKind.AGENT, **args)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):  # one person, one kind
        staff.appraise(MANAGER, "a7", "2026-03", kind=StaffKind.ENGINEER, score=70)
    with pytest.raises(PermissionDenied):  # agents do not appraise (seed 001: the manager does)
        staff.appraise(Actor.agent("a8"), "a7", "2026-02", kind=StaffKind.AGENT, score=70)
    with pytest.raises(NotFound):
        staff.appraise(MANAGER, "ghost", "2026-02", kind=StaffKind.ENGINEER, score=70)


def test_agents_are_a_kpi_group(desk: ServiceDesk) -> None:
    fast, slow = Actor.agent("a1"), Actor.agent("a2")
    for agent, n in ((fast, 3), (slow, 1)):
        for _ in range(n):
            tid = desk.open_ticket(agent, customer_id="c1", description="展位灯光故障").ticket.id
            desk.triage(agent, tid, nature="light", severity=Severity.MEDIUM)
    desk.open_ticket(Actor.customer("c1"), customer_id="c1", description="portal")  # no agent's
    period = Period(START - timedelta(days=1), START + timedelta(days=1))
    report = agent_kpis(desk.store, period, ALWAYS)
    rows = {r.group: r for r in report.rows}
    assert set(rows) == {"a1", "a2"}
    assert rows["a1"].counts.tickets == 3 and rows["a2"].counts.tickets == 1
    assert report.total.counts.tickets == 4
    assert rows["a1"].response_on_time_rate is not None
    assert Role.AGENT.value == "agent"
