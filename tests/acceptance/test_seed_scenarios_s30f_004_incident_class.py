# mypy: disable-error-code="arg-type"
"""Seed 004 第七条 5(2) 批量质量事故, walked again by a peer tester (session 30), on the three stores.

A complaint about a ticket of a batch quality incident is major (重大投诉). The office may find the incident
was no batch problem after all and dismiss it (the detector's figures were a coding error, the installer's
mistake): a complaint opened afterwards is judged on its own facts, general — but complaints the incident
had already made major stayed major, counted among the month's major complaints, listed as major in the
log, their callbacks owing the survey of a major complaint. Now the dismissal classifies them again (an
event on each says so); one that is major for its own reasons (a crisis) stays major.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.classification import Severity
from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, EngineerId, ProductId
from aftersales.domain.parties import Customer, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.service.actors import Actor
from aftersales.service.complaint_desk import ComplaintLogFilter
from aftersales.service.desk import ServiceDesk
from conftest import START, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
AGENT, MANAGER, ENGINEER = Actor.agent("a1"), Actor.manager("m1"), Actor.engineer("e1")
STAFF = {
    Role.MANAGER: [Contact("客服中心主任", email="centre@example.cn", locale="zh_Hans")],
    Role.GENERAL_MANAGER: [Contact("总经理", email="gm@example.cn", locale="zh_Hans")],
}


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    """A batch of 40 toilets among four customers: 2 units with the same fault are 5 % (an incident)."""
    with (
        store_url(backend, tmp_path, "incident.db") as url,
        ServiceDesk.open(
            url, pack="service_centre", clock=ManualClock(START), notifier=MemoryNotifier(), staff=STAFF
        ) as desk,
    ):
        desk.register_product(
            MANAGER, Product(ProductId("P-1"), "WC-9", "连体马桶", "toilet", (WarrantyTerm(12),))
        )
        desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工"))
        for n in range(4):
            contact = Contact(f"客户{n}", phone=f"1380000000{n}", address=f"合肥市蜀山区 {n} 号")
            desk.register_customer(MANAGER, Customer(CustomerId(f"c{n}"), f"客户{n}", contact))
        for n in range(40):
            desk.register_asset(
                MANAGER,
                Asset(
                    AssetId(f"A-{n:02d}"), ProductId("P-1"), f"SN-{n:02d}", CustomerId(f"c{n % 4}"),
                    batch="B-9", purchase_date=date(2025, 6, 1),
                ),
            )  # fmt: skip
        yield desk


def _repair(desk: ServiceDesk, unit: int) -> str:
    tid = desk.open_ticket(
        AGENT, customer_id=f"c{unit % 4}", description="漏水", asset_id=f"A-{unit:02d}"
    ).ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, engineer_id="e1")
    desk.start_work(ENGINEER, tid)
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=10))
    desk.add_fault_record(ENGINEER, tid, symptom="leak", cause="seal_defect", action="replace_seal")
    return tid


def _handled(desk: ServiceDesk, cid: str) -> None:
    desk.complaints.investigate(MANAGER, cid)
    # The general manager gives the solution: a major one waits for his instruction (seed 004 第八条 2(4)).
    desk.complaints.propose_solution(Actor.general_manager("gm1"), cid, solution="免费更换密封件")
    desk.complaints.agree_solution(MANAGER, cid)
    desk.complaints.give_feedback(MANAGER, cid, outcome="已更换")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dismissed_incident_leaves_its_complaints_general_and_owing_no_survey(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        first, second = _repair(desk, 0), _repair(desk, 1)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        handled = desk.complaints.open_complaint(AGENT, "c0", "三天两头漏水", [first]).ticket.id
        pending = desk.complaints.open_complaint(AGENT, "c1", "漏水修不好", [second]).ticket.id
        for cid in (handled, pending):
            assert desk.complaints.complaint_file(MANAGER, cid).severity is ComplaintSeverity.MAJOR
        _handled(desk, handled)
        (task,) = desk.callbacks.pending(MANAGER)
        assert task.survey

        desk.quality_incidents.dismiss(MANAGER, incident.id, reason="安装方错误，非批次问题")

        for cid in (handled, pending):
            file = desk.complaints.complaint_file(MANAGER, cid)
            assert file.severity is ComplaintSeverity.GENERAL and file.batch_incident is None
            assert desk.ticket(MANAGER, cid).events[-1].action == "classify"
        major = desk.complaints.complaint_log(MANAGER, ComplaintLogFilter(severity=ComplaintSeverity.MAJOR))
        assert major == []
        (task,) = desk.callbacks.pending(MANAGER)
        assert not task.survey


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_major_for_its_own_crisis_stays_major_when_the_incident_is_dismissed(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        first = _repair(desk, 0)
        _repair(desk, 1)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        crisis = CrisisFacts(
            problems={CrisisProblem("property_loss")}, economic_loss=True, recourse={Recourse.PRESS}
        )
        cid = desk.complaints.open_complaint(AGENT, "c0", "漏水泡坏地板, 已找报社", [first], crisis=crisis)
        desk.quality_incidents.dismiss(MANAGER, incident.id, reason="安装方错误，非批次问题")
        file = desk.complaints.complaint_file(MANAGER, cid.ticket.id)
        assert file.severity is ComplaintSeverity.MAJOR and file.batch_incident is None
        assert "crisis_event" in {r.code for r in file.severity_reasons}
