# mypy: disable-error-code="arg-type"
"""Dealer and end-user archives over the ledger, on both stores, and who may read them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.domain.training import Attendee, TrainingKind, TrainingTopic
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.archives import ArchiveDesk
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
ENGINEER = Actor.engineer("e1")
STAFF_D1 = Actor.dealer_staff("s1", "D1", {"SH"})
STAFF_D2 = Actor.dealer_staff("s2", "D2", {"BJ"})


def _serve(
    desk: ServiceDesk, customer: str, part: str | None, satisfaction: int | None, back: bool = False
) -> str:
    clock: ManualClock = desk.clock  # type: ignore[assignment]
    tid = desk.open_ticket(AGENT, customer_id=customer, description="转换开关漏水").ticket.id
    clock.advance(timedelta(minutes=10))
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, engineer_id="e1")
    desk.start_work(ENGINEER, tid)
    desk.add_fault_record(
        ENGINEER, tid, symptom="leak", cause="switch_loose", action="tighten_switch", part=part
    )
    desk.resolve(ENGINEER, tid)
    clock.advance(timedelta(hours=1))
    desk.confirm(AGENT, tid, channel="service_slip")
    desk.record_callback(AGENT, tid, problem_back=back, satisfaction=satisfaction, answers={"on_time": True})
    if not back:
        desk.close(AGENT, tid)
    clock.advance(timedelta(hours=1))
    return tid


@pytest.fixture(params=["memory", "sqlite"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'archives.db'}"
    with ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(T0)) as d:
        d.register_dealer(MANAGER, Dealer("D1", "上海经销商", "SH", frozenset({"SH-PD"})))
        d.register_dealer(MANAGER, Dealer("D2", "北京经销商", "BJ"))
        d.register_engineer(MANAGER, Engineer("e1", "王工", region="SH"))
        d.register_customer(
            MANAGER, Customer("c1", "张伟", Contact("张伟", phone="13800000001"), region="SH", dealer_id="D1")
        )
        d.register_customer(
            MANAGER, Customer("c2", "李娜", Contact("李娜", phone="13800000002"), region="BJ", dealer_id="D2")
        )
        d.register_product(MANAGER, Product("TOILET-A1", "A1", "智能马桶", "toilet"))
        d.register_asset(
            MANAGER, Asset("A1", "TOILET-A1", "SN-001", customer_id="c1", purchase_date=date(2025, 6, 1))
        )
        yield d


@pytest.fixture
def archives(desk: ServiceDesk) -> ArchiveDesk:
    _serve(desk, "c1", "switch_valve", 5)
    _serve(desk, "c1", "switch_valve", 3)
    _serve(desk, "c2", "seal", 4)
    desk.clock.set(datetime(2026, 4, 8, 9, 0, tzinfo=SH))  # type: ignore[attr-defined]
    _serve(desk, "c1", None, None, back=True)
    a = desk.archives
    a.record_training(
        MANAGER,
        kind=TrainingKind.ON_SITE,
        held_on=date(2026, 3, 20),
        trainer="技术部 陈工",
        dealer_ids=["D1"],
        topics=[TrainingTopic.PRODUCT_KNOWLEDGE, TrainingTopic.WARRANTY_RULES],
        attendees=[Attendee("小赵", "D1")],
    )
    a.record_training(
        MANAGER,
        kind=TrainingKind.CENTRAL,
        held_on=date(2026, 4, 2),
        trainer="售后部",
        dealer_ids=["D1", "D2"],
        topics=["etiquette", "communication"],
    )
    return a


def test_the_dealer_archive_counts_per_month(archives: ArchiveDesk) -> None:
    archive = archives.dealer_archive(MANAGER, "D1", start=date(2026, 3, 1), end=date(2026, 5, 1))
    assert archive.region == "SH"
    march, april = archive.periods
    assert (march.month, march.calls, march.repairs, march.resolved) == ("2026-03", 2, 2, 2)
    assert march.parts_replaced == (("switch_valve", 2),)
    assert (march.callbacks, march.satisfaction_count, march.satisfaction) == (2, 2, Decimal("4.00"))
    assert march.trainings == 1
    assert (april.calls, april.callbacks, april.problem_back, april.rework, april.satisfaction) == (
        1,
        1,
        1,
        1,
        None,
    )
    assert april.trainings == 1
    assert archive.total.calls == 3 and archive.total.trainings == 2
    assert [t.kind for t in archive.training] == [TrainingKind.ON_SITE, TrainingKind.CENTRAL]


def test_a_dealer_reads_its_own_archive_but_not_another_dealers(archives: ArchiveDesk) -> None:
    own = archives.dealer_archive(STAFF_D2, "D2", start=date(2026, 3, 1), end=date(2026, 4, 1))
    assert own.total.calls == 1 and own.total.parts_replaced == (("seal", 1),)
    with pytest.raises(PermissionDenied):
        archives.dealer_archive(STAFF_D2, "D1", start=date(2026, 3, 1), end=date(2026, 4, 1))
    with pytest.raises(PermissionDenied):
        archives.dealer_archive(Actor.customer("c1"), "D1", start=date(2026, 3, 1), end=date(2026, 4, 1))
    with pytest.raises(ValidationError):
        archives.dealer_archive(MANAGER, "D1", start=date(2026, 4, 1), end=date(2026, 3, 1))
    with pytest.raises(NotFound):
        archives.dealer_archive(MANAGER, "D9", start=date(2026, 3, 1), end=date(2026, 4, 1))


def test_the_end_user_archive_has_assets_tickets_callbacks_and_surveys(archives: ArchiveDesk) -> None:
    archive = archives.customer_archive(AGENT, "c1")
    assert [a.id for a in archive.assets] == ["A1"]
    assert len(archive.tickets) == 3
    assert archive.tickets[0].faults == (("leak", "switch_loose", "tighten_switch"),)
    assert len(archive.callbacks) == 3
    assert [s.satisfaction for s in archive.surveys] == [5, 3]
    assert archive.callbacks[0].answers == (("on_time", True),)
    assert [c.problem_back for c in archive.callbacks] == [False, False, True]


def test_the_end_user_archive_is_scoped(archives: ArchiveDesk) -> None:
    assert archives.customer_archive(Actor.customer("c1"), "c1").customer.id == "c1"
    assert archives.customer_archive(STAFF_D1, "c1").customer.id == "c1"
    with pytest.raises(NotFound):
        archives.customer_archive(Actor.customer("c2"), "c1")
    with pytest.raises(NotFound):
        archives.customer_archive(STAFF_D2, "c1")
    with pytest.raises(PermissionDenied):
        archives.customer_archive(ENGINEER, "c1")


def test_training_records_are_checked(archives: ArchiveDesk) -> None:
    with pytest.raises(ValidationError):  # on-site training is at one dealer
        archives.record_training(
            MANAGER,
            kind=TrainingKind.ON_SITE,
            held_on=date(2026, 3, 1),
            trainer="x",
            dealer_ids=["D1", "D2"],
            topics=["etiquette"],
        )
    with pytest.raises(ValidationError):
        archives.record_training(
            MANAGER,
            kind=TrainingKind.CORRESPONDENCE,
            held_on=date(2026, 3, 1),
            trainer="x",
            dealer_ids=["D1"],
            topics=["cooking"],
        )
    with pytest.raises(NotFound):
        archives.record_training(
            MANAGER,
            kind=TrainingKind.CORRESPONDENCE,
            held_on=date(2026, 3, 1),
            trainer="x",
            dealer_ids=["D9"],
            topics=["etiquette"],
        )
    with pytest.raises(PermissionDenied):
        archives.record_training(
            STAFF_D1,
            kind=TrainingKind.CORRESPONDENCE,
            held_on=date(2026, 3, 1),
            trainer="x",
            dealer_ids=["D1"],
            topics=["etiquette"],
        )


def test_the_dealer_archive_counts_as_resolved_what_the_customer_accepted(desk: ServiceDesk) -> None:
    # Resolved = the customer's acceptance (维修记录经客户确认): an accepted ticket still waiting for its
    # callback is resolved; work marked done that the customer has not accepted yet is not.
    accepted = [desk.open_ticket(AGENT, customer_id="c1", description="漏水").ticket.id for _ in "ab"]
    awaiting = desk.open_ticket(AGENT, customer_id="c1", description="下水堵").ticket.id
    for tid in (*accepted, awaiting):
        desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
        desk.dispatch(AGENT, tid, engineer_id="e1")
        desk.start_work(ENGINEER, tid)
        desk.add_fault_record(ENGINEER, tid, symptom="leak", cause="switch_loose", action="tighten_switch")
        desk.resolve(ENGINEER, tid)
    for tid in accepted:
        desk.confirm(AGENT, tid, channel="service_slip")
        assert desk.ticket(AGENT, tid).state == "accepted"
    assert desk.ticket(AGENT, awaiting).state == "resolved"
    archive = desk.archives.dealer_archive(MANAGER, "D1", start=date(2026, 3, 1), end=date(2026, 4, 1))
    assert (archive.total.calls, archive.total.resolved) == (3, 2)
