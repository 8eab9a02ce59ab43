# mypy: disable-error-code="arg-type"
"""The designated repair point of a depot repair (session 21).

Seed 000 售后维护服务流程 4.派工处理: 根据问题评估结果,售后维护管理部门安排合适的售后维护人员前往客户现场或
要求客户将产品送至指定维修地点进行处理. Before, a depot repair (``Plan.DEPOT``) only lost its arrival target:
no point existed and the customer was told nowhere to bring the product. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.repair_points import RepairPoint
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from conftest import noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PUDONG = RepairPoint(
    "rp-pudong", "浦东维修点", "SH", "上海市浦东新区张江路 1 号", "周一至周六 9:00-18:00", "021-50000000"
)
XUHUI = RepairPoint("rp-xuhui", "徐汇维修点", "SH", "上海市徐汇区漕溪北路 2 号")
CHAOYANG = RepairPoint("rp-chaoyang", "朝阳维修点", "BJ", "北京市朝阳区建国路 3 号")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_depot_repair_is_told_its_regions_repair_point(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world, notifier):
        for point in (PUDONG, CHAOYANG):
            desk.repair_points.register(world.manager, point)
        with pytest.raises(PermissionDenied):
            desk.repair_points.register(world.customer_zh, XUHUI)
        assert [p.id for p in desk.repair_points.points(world.customer_zh, "SH")] == ["rp-pudong"]
        depot = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="面板损坏").ticket.id
        desk.triage(world.agent, depot, nature="panel", severity=Severity.MEDIUM, plan=Plan.DEPOT)
        # The customer reads where to bring the product, and is told.
        progress = desk.progress(world.customer_zh, depot)
        assert progress.repair_point is not None
        assert (progress.repair_point.name, progress.repair_point.address) == (PUDONG.name, PUDONG.address)
        assert progress.next_step == "bring_to_repair_point"
        desk.deliver()
        told = [m for m in notifier.to("13912345678") if m.subject == f"工单 {depot}：请将产品送至浦东维修点"]
        assert told and PUDONG.address in told[0].body and "021-50000000" in told[0].body
        # An on-site repair has no repair point to be brought to.
        on_site = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        desk.triage(world.agent, on_site, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        assert desk.progress(world.customer_zh, on_site).repair_point is None
        with pytest.raises(ValidationError) as not_depot:
            desk.repair_points.designate(world.agent, on_site, point_id=PUDONG.id)
        assert not_depot.value.field == "ticket_id"
        # The point told stays with the ticket when the customer is erased: it is not their data.
        desk.privacy.erase_customer(world.manager, world.cust_zh.id, "客户要求删除", cancel_open_tickets=True)
        kept = desk.progress(world.manager, depot).repair_point
        assert kept is not None and kept.address == PUDONG.address


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_office_names_the_point_where_the_region_has_several(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world, _):
        for point in (PUDONG, XUHUI, CHAOYANG):
            desk.repair_points.register(world.manager, point)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="面板损坏").ticket.id
        desk.triage(world.agent, tid, nature="panel", severity=Severity.MEDIUM, plan=Plan.DEPOT)
        assert desk.progress(world.customer_zh, tid).repair_point is None  # two in SH: nobody chose yet
        before = len(desk.ticket(world.auditor, tid).events)
        for point_id in (None, CHAOYANG.id):
            with pytest.raises(ValidationError) as refused:
                desk.repair_points.designate(world.agent, tid, point_id=point_id)
            assert refused.value.field == "point_id"
        with pytest.raises(NotFound):
            desk.repair_points.designate(world.agent, tid, point_id="rp-nowhere")
        with pytest.raises(PermissionDenied):
            desk.repair_points.designate(world.customer_zh, tid, point_id=XUHUI.id)
        with pytest.raises(NotFound):  # another region's dealer does not see the ticket
            desk.repair_points.designate(world.dealer_bj_staff, tid, point_id=XUHUI.id)
        assert len(desk.ticket(world.auditor, tid).events) == before
        desk.repair_points.designate(world.dealer_sh_staff, tid, point_id=XUHUI.id)
        told = desk.progress(world.customer_zh, tid).repair_point
        assert told is not None and told.point_id == XUHUI.id
        # A point that closes is designated no more; the ticket keeps what it was told.
        desk.repair_points.register(world.manager, attrs.evolve(XUHUI, active=False))
        assert [p.id for p in desk.repair_points.points(world.auditor, "SH")] == [PUDONG.id]
        assert desk.progress(world.customer_zh, tid).repair_point == told
        desk.repair_points.designate(world.agent, tid)
        moved = desk.progress(world.customer_zh, tid).repair_point
        assert moved is not None and moved.point_id == PUDONG.id
