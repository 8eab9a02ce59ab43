# mypy: disable-error-code="arg-type"
"""The written report of an out-of-box fault is the service side's, on memory, SQLite and PostgreSQL.

Seed 002 asks it of the sales and service units, as their feedback to the maker: 对各级销售单位提出以下
要求 … 关于第一阶段(开箱期)的产品,在发现问题时,需立即提供书面报告,必要时还需要提供现场实物图片 (and in
售后服务质量反馈系统的建设, 产品的信息反馈). The sanitary-ware pack holds the completion (resolve,
close) until it is attached (the dispatch too until session 30).
A customer could attach any PDF as ``written_report`` and so release the job without the report; a
customer's upload is a photo, a signed slip, an invoice — not the report.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import attrs
import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.attachments import Attachment
from aftersales.domain.classification import Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.errors import AttachmentRequired, PermissionDenied
from aftersales.policies.attachments import written_report_missing
from aftersales.service.desk import ServiceDesk
from conftest import START, World, world_desk

PDF = b"%PDF-1.4\n" + b"0" * 200


@attrs.frozen
class Desk:
    desk: ServiceDesk
    world: World


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as (desk, _clock, world):
        yield Desk(desk, world)


def _out_of_box_fault(shop: Desk) -> str:
    desk, world = shop.desk, shop.world
    unit = Asset(
        AssetId("asset-oob"),
        world.product.id,
        "SN-2026-0100",
        customer_id=world.cust_zh.id,
        shipment_date=date(2026, 2, 20),  # shipped, installation not yet accepted: 开箱期
        dealer_id=world.dealer_sh.id,
    )
    desk.register_asset(world.manager, unit)
    tid = desk.open_ticket(
        world.agent, customer_id="cust-zh", asset_id="asset-oob", description="开箱发现裂纹"
    )
    desk.triage(world.agent, tid.ticket.id, nature="quality", severity=Severity.MEDIUM)
    return tid.ticket.id


def test_a_customer_attaches_no_written_report(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    tid = _out_of_box_fault(shop)
    customer = world.customer_zh
    # Before: accepted, and the job went ahead on the customer's upload.
    with pytest.raises(PermissionDenied):
        desk.attachments.attach(customer, tid, kind="written_report", name="书面报告.pdf", content=PDF)
    assert desk.attachments.list(world.agent, tid) == ()
    dealer = world.dealer_sh_staff
    desk.dispatch(world.agent, tid)
    desk.start_work(dealer, tid)
    desk.add_fault_record(dealer, tid, symptom="cracked_body", cause="transport_damage", action="replace")
    desk.attachments.attach(customer, tid, kind="photo", name="裂纹.pdf", content=PDF)  # theirs to give
    with pytest.raises(AttachmentRequired):
        desk.resolve(dealer, tid, summary="更换")
    desk.attachments.attach(dealer, tid, kind="written_report", name="书面报告.pdf", content=PDF)
    assert desk.resolve(dealer, tid, summary="更换").ticket.state == "resolved"


def test_a_stored_report_a_customer_attached_does_not_count() -> None:
    def report(by: ActorRef) -> Attachment:
        return Attachment("att-1", "written_report", "r.pdf", "application/pdf", 9, "0" * 64, START, by)

    assert written_report_missing([report(ActorRef("cust-zh", Role.CUSTOMER))])
    assert not written_report_missing([report(ActorRef("agent-1", Role.AGENT))])
