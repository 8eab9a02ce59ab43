# mypy: disable-error-code="arg-type"
"""Seed 000 (投诉受理: 立即在售后管理系统中进行登记, 记录投诉的基本信息、投诉内容; 总结改进) and seed 001
(问题台账): the complaint log with remedies, escalations taken up — through the service desk, on memory,
SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.complaints import CrisisFacts, CrisisProblem, Recourse, RemedyKind
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, EngineerId, ProductId
from aftersales.domain.materials import PartyRef
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, CustomerTier, Engineer, EngineerLevel
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
AGENT = Actor.agent("a1", "王客服")
MANAGER = Actor.manager("m1")
HEAD = Actor.department_head("h1")
BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "log.db") as url,
        ServiceDesk.open(url, pack="service_centre", clock=ManualClock(START)) as desk,
    ):
        desk.register_product(
            MANAGER, Product(ProductId("P-1"), "WC-100", "连体马桶", "toilet", (WarrantyTerm(12),))
        )
        contact = Contact("Alice", email="alice@example.co.uk", address="1 Bund Road")
        desk.register_customer(MANAGER, Customer(CustomerId("c1"), "Alice", contact, CustomerTier.VIP))
        desk.register_asset(
            MANAGER,
            Asset(AssetId("A-1"), ProductId("P-1"), "SN-1", CustomerId("c1"), purchase_date=date(2025, 4, 1)),
        )
        yield desk


@pytest.mark.parametrize("backend", BACKENDS)
def test_remedies_in_two_currencies_keep_the_complaint_log_readable(backend: str, tmp_path: Path) -> None:
    # A customer abroad is compensated in its own currency beside a free accessory costed in yuan: the log
    # (投诉登记表) shows one total per currency — it raised CurrencyMismatch for every reader before.
    with _desk(backend, tmp_path) as desk:
        complaints = desk.complaints
        cid = complaints.open_complaint(AGENT, "c1", "Seat cracked twice", asset_id="A-1").ticket.id
        complaints.investigate(AGENT, cid)
        complaints.propose_solution(AGENT, cid, solution="Replace the seat and compensate the visit")
        # The free seat goes to the engineer who fits it (the remedy's pick slip is theirs): without a
        # dealer serving the customer, the handler names who receives it (session 20).
        fitter = Engineer(EngineerId("E-1"), "Li", EngineerLevel.SENIOR, frozenset({"plumbing"}), "SH")
        desk.register_engineer(MANAGER, fitter)
        complaints.grant_remedy(
            AGENT, cid, kind=RemedyKind.FREE_ACCESSORY, cost=Money("180", "CNY"), item="seat",
            party=PartyRef.engineer("E-1"),
        )  # fmt: skip
        complaints.grant_remedy(AGENT, cid, kind=RemedyKind.COMPENSATION, cost=Money("20", "GBP"))
        complaints.grant_remedy(AGENT, cid, kind=RemedyKind.GIFT, cost=Money("20", "CNY"))
        (entry,) = complaints.complaint_log(MANAGER)
        assert entry.remedy_cost == (Money("200", "CNY"), Money("20", "GBP"))
        file = complaints.complaint_file(MANAGER, cid)
        assert file.remedy_cost("CNY") == Money("200", "CNY") and file.remedy_cost("GBP") == Money(
            "20", "GBP"
        )
        assert file.remedy_cost("USD") == Money("0", "USD")


@pytest.mark.parametrize("backend", BACKENDS)
def test_refusals_name_the_argument_the_caller_wrote(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        complaints = desk.complaints
        crisis = CrisisFacts(
            problems={CrisisProblem.PERSONAL_INJURY}, economic_loss=True, recourse={Recourse.PRESS}
        )
        cid = complaints.open_complaint(
            AGENT, "c1", "水箱爆裂致人受伤", asset_id="A-1", crisis=crisis
        ).ticket.id
        complaints.investigate(AGENT, cid)
        # Major: the solution is the general manager's instruction (seed 004 第八条 2(4), session 33).
        complaints.propose_solution(Actor.general_manager("gm1"), cid, solution="赔偿医药费并延长保修")
        for bad in (0, 5000):
            with pytest.raises(ValidationError) as refused:
                complaints.grant_remedy(
                    AGENT, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=Money("0", "CNY"), extend_by=bad
                )
            assert refused.value.field == "extend_by"
        assert complaints.complaint_file(MANAGER, cid).remedies == []
        assert complaints.warranty_extensions(MANAGER, "A-1") == ()
        # The crisis escalation went to the service-centre head and the general manager, not the
        # department head: its acknowledgement is refused naming the complaint, and nothing is taken up.
        with pytest.raises(ValidationError) as refused:
            complaints.acknowledge_escalation(HEAD, cid)
        assert refused.value.field == "complaint_id"
        assert [e.acknowledged_at for e in complaints.complaint_file(MANAGER, cid).escalations] == [None]
        complaints.acknowledge_escalation(MANAGER, cid)
        assert [e.acknowledged_by for e in complaints.complaint_file(MANAGER, cid).escalations] == [
            MANAGER.ref
        ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_review_feeds_the_improvement_back_to_a_registered_department(
    backend: str, tmp_path: Path
) -> None:
    # Seed 000: 售后维护管理部门 … 负责客户售后信息的收集、整理、分析和反馈, 为产品研发、生产…提供决策支持;
    # 研发部门根据售后维护管理部门反馈的客户问题和需求, 对产品进行持续改进 (总结改进 of the complaint flow).
    from aftersales.adapters.notifiers import MemoryNotifier
    from aftersales.domain.departments import Department, DepartmentKind

    with _desk(backend, tmp_path) as desk:
        notifier = MemoryNotifier()
        desk.notifier = notifier
        rnd = Department(
            "rnd",
            "研发部",
            DepartmentKind.ENGINEERING,
            (Contact("研发部", email="rnd@example.cn", locale="zh_Hans"),),
        )
        desk.coordination.save_department(MANAGER, rnd)
        complaints = desk.complaints
        reviewed = {}
        for feedback_to in ("rnd", "hr"):  # hr is a code, not a registered department: recorded as given
            cid = complaints.open_complaint(AGENT, "c1", "水箱盖三个月内开裂两次", asset_id="A-1").ticket.id
            complaints.investigate(AGENT, cid)
            complaints.propose_solution(AGENT, cid, solution="免费更换新款水箱盖")
            complaints.agree_solution(AGENT, cid)
            complaints.give_feedback(AGENT, cid, outcome="已更换")
            complaints.review(
                MANAGER,
                cid,
                root_cause="lid_material",
                improvement="水箱盖改用加厚 ABS",
                feedback_to=feedback_to,
            )
            reviewed[feedback_to] = cid
        assert desk.coordination.assigned(MANAGER, reviewed["rnd"]) == ("rnd",)
        assert desk.coordination.assigned(MANAGER, reviewed["hr"]) == ()
        assert complaints.complaint_file(MANAGER, reviewed["hr"]).review.feedback_to == "hr"  # type: ignore[union-attr]
        assert desk.deliver().failed == ()
        (told,) = notifier.to("rnd@example.cn")
        assert reviewed["rnd"] in told.subject and "lid_material: 水箱盖改用加厚 ABS" in told.body


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_log_filter_reads_codes_and_refuses_a_window_that_ends_before_it_starts(
    backend: str, tmp_path: Path
) -> None:
    from datetime import timedelta

    from aftersales.domain.complaints import ComplaintSeverity
    from aftersales.service.complaint_desk import ComplaintLogFilter

    with _desk(backend, tmp_path) as desk:
        complaints = desk.complaints
        cid = complaints.open_complaint(AGENT, "c1", "上门迟到").ticket.id
        with pytest.raises(ValidationError) as refused:
            ComplaintLogFilter(received_from=START + timedelta(days=1), received_to=START)
        assert refused.value.field == "received_to"
        by_code = ComplaintLogFilter(severity="general", states="received")  # type: ignore[arg-type]
        assert (by_code.severity, by_code.states) == (ComplaintSeverity.GENERAL, ("received",))
        assert [e.complaint_id for e in complaints.complaint_log(MANAGER, by_code)] == [cid]
        with pytest.raises(ValidationError) as refused:
            ComplaintLogFilter(severity="grave")  # type: ignore[arg-type]
        assert refused.value.field == "severity"
        window = ComplaintLogFilter(received_from=START, received_to=START + timedelta(seconds=1))
        assert [e.complaint_id for e in complaints.complaint_log(MANAGER, window)] == [cid]
        ended = ComplaintLogFilter(received_from=START - timedelta(days=1), received_to=START)  # exclusive
        assert complaints.complaint_log(MANAGER, ended) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_is_linked_to_service_tickets_not_to_complaints(backend: str, tmp_path: Path) -> None:
    # 投诉登记 records what the complaint is about: the customer's service tickets. Linking it to itself,
    # to another complaint, or to nothing at all is refused and nothing is recorded.
    with _desk(backend, tmp_path) as desk:
        complaints = desk.complaints
        repair = desk.open_ticket(AGENT, customer_id="c1", description="座圈开裂", asset_id="A-1").ticket.id
        first = complaints.open_complaint(AGENT, "c1", "座圈三个月开裂").ticket.id
        before = len(desk.ticket(MANAGER, first).events)
        for about in ([], [first]):
            with pytest.raises(ValidationError) as refused:
                complaints.link_tickets(AGENT, first, about)
            assert refused.value.field == "about"
        with pytest.raises(ValidationError) as refused:
            complaints.open_complaint(AGENT, "c1", "投诉处理太慢", about=[first])
        assert refused.value.field == "about"
        assert len(desk.ticket(MANAGER, first).events) == before
        assert [e.complaint_id for e in complaints.complaint_log(MANAGER)] == [first]
        linked = complaints.link_tickets(AGENT, first, [repair, repair])
        assert complaints.complaint_file(MANAGER, first).about == (repair,)
        assert linked.ticket.state == "received"
