"""The PDCA loop of seed 002 (反馈信息的处理): once a quality incident's corrective action is in and it is
closed, a later fault of the same problem on the product — in its batch or in a batch made after the
fix — shows up against it (再跟踪相关项及目标, 对后续的反馈信息再进行相关的分类统计和分析), on memory,
SQLite and PostgreSQL.

Before, a fault after the close was counted silently as one more unit of the batch (or not at all when
the unit was counted before, or the batch was another), and nothing on the incident said the problem
was back.
"""

from __future__ import annotations

from datetime import date

from test_quality_incidents import AGENT, ENGINEER, MANAGER, _build, _fault, url

from aftersales.domain.actors import Role
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.products import Asset
from aftersales.domain.quality_incidents import IncidentState
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

__all__ = ["url"]  # the fixture: memory, SQLite, PostgreSQL


def _closed(desk: ServiceDesk) -> str:
    for n in range(5):  # five of the hundred units of batch B-7: the incident is raised
        _fault(desk, n)
    (incident,) = desk.quality_incidents.incidents(MANAGER)
    qi = desk.quality_incidents
    qi.confirm(MANAGER, incident.id, note="质检确认")
    qi.contain(MANAGER, incident.id, note="停止发货")
    qi.record_root_cause(MANAGER, incident.id, root_cause="密封圈材料批次不良")
    qi.record_corrective_action(MANAGER, incident.id, action="更换密封圈供应商")
    assert qi.close(MANAGER, incident.id, note="整改完成").state is IncidentState.CLOSED
    return incident.id


def _new_batch_unit(desk: ServiceDesk) -> None:
    """A unit of batch B-8 of the same product, made after the fix, sold to a customer in SH."""
    contact = Contact("c200", phone="13800000000", address="上海市浦东新区 2 号")
    desk.register_customer(
        MANAGER, Customer(CustomerId("c200"), "c200", contact, CustomerTier.REGULAR, region="SH")
    )
    desk.register_asset(
        MANAGER,
        Asset(
            AssetId("A-200"), ProductId("P-1"), "SN-200", CustomerId("c200"), batch="B-8",
            purchase_date=date(2026, 2, 1), dealer_id=DealerId("d-sh"),
        ),
    )  # fmt: skip


def test_the_same_problem_after_the_close_shows_up_against_the_incident(url: str) -> None:
    with _build(url) as desk:
        iid = _closed(desk)
        assert desk.quality_incidents.incident(MANAGER, iid).recurrences == []
        in_batch = _fault(desk, 60)  # another unit of the batch, sold in BJ
        _new_batch_unit(desk)
        tid = desk.open_ticket(AGENT, customer_id="c200", description="漏水", asset_id="A-200").ticket.id
        desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
        desk.dispatch(AGENT, tid, engineer_id="e1")
        desk.start_work(ENGINEER, tid)
        desk.add_fault_record(ENGINEER, tid, symptom="leak", cause="seal_defect", action="replace_seal")
        desk.add_fault_record(ENGINEER, tid, symptom="leak", cause="misuse_against_manual", action="explain")

        incident = desk.quality_incidents.incident(MANAGER, iid)
        assert incident.state is IncidentState.CLOSED  # the loop's check is recorded, not a reopening
        seen = [
            (e.payload["ticket_id"], e.payload["batch"], e.payload["cause"]) for e in incident.recurrences
        ]
        assert seen == [(in_batch, "B-7", "seal_defect"), (tid, "B-8", "seal_defect")]
        assert all(e.actor.role is Role.SYSTEM for e in incident.recurrences)

        # A dealer reads the follow-up on its part: another dealer's ticket and unit are not named.
        sh = Actor.dealer_staff("s-sh", "d-sh", {"SH"})
        theirs = desk.quality_incidents.incident(sh, iid).recurrences
        assert [e.payload.get("ticket_id") for e in theirs] == [None, tid]
        assert [e.payload.get("asset_id") for e in theirs] == [None, "A-200"]


def test_an_open_incident_records_no_follow_up(url: str) -> None:
    with _build(url) as desk:
        for n in range(5):
            _fault(desk, n)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        _fault(desk, 10)
        assert desk.quality_incidents.incident(MANAGER, incident.id).recurrences == []
