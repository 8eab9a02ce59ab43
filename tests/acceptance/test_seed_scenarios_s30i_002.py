"""Seed 002 walked again by a peer tester (session 30, developer i): out of box × dispatch × materials.

卫浴行业售后服务流程与外包合同, through the ServiceDesk of the ``sanitary_ware`` pack, on memory, SQLite and
PostgreSQL (skipped without ``AFTERSALES_PG_DSN``):

- 开箱期 “在发现问题时,需立即提供书面报告,必要时还需要提供现场实物图片” with 分工 5
  “乙方在产品交付的同时派人上门安装调试” and 分工 6 “24小时之内给用户解决问题”: the report is
  the feedback to the maker of a problem found (这段时间发现的问题对于及时调整我们体系的瑕疵
  作用巨大), made on site with the site's photos; it holds the job's completion (resolve, close),
  not the dealer's going there. **Fixed in session 30** (the pack refused the dispatch and the start
  of work until a report was attached: a unit found cracked at the unboxing could not be visited —
  so no on-site photo taken — before someone wrote its report);
- 分工 3 “保修期内甲方免费向乙方提供维修材料,但乙方需按时退回换下的配件” in the out-of-box phase: the part for
  the maker's fault goes free on a pick slip at once, before the report, and the cracked part is owed back;
- 设计隐患 “按第一阶段的方式处理” × 发料 2 a): a design hazard's part out of warranty goes free on a pick
  slip, as the charge sheet gives it (agrees);
- 材料收费 1 b ② in the out-of-box phase: charged, quoted without 款到发货, the report still owed (agrees);
- 分工 4 × 退料 2–5: a part the dealer bought at cost and sent back unused is 盘盈 for review, read on the
  dealer's ledger and closed by the office. **Fixed in session 30** (no public read listed a surplus under
  review).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.domain.surplus_review import SurplusOutcome
from aftersales.errors import AttachmentRequired
from aftersales.policies.fees import DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

SH = ZoneInfo("Asia/Shanghai")
BACKENDS = ["memory", "sqlite", "postgres"]
VALVE = "WN-CB-01"
CNY = "CNY"
PDF = b"%PDF-1.4\n% report\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200

FEES = DefaultFeesPolicy(
    FeesParams(currency=CNY, parts={VALVE: PartPriceEntry(cost="75.00", retail="120.00")})
)
# Left the factory on 20 February 2026, bought on 1 March, its installation not yet accepted: 开箱期.
BOXED = Asset(
    AssetId("unit-box"), "wc-100", "SN-BOX-30", customer_id="cust-zh", shipment_date=date(2026, 2, 20),
    purchase_date=date(2026, 3, 1), dealer_id="dealer-sh",
)  # fmt: skip

Host = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=BACKENDS)
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The maker's desk with the valve's price and one boxed unit of the Shanghai dealer's customer."""
    with world_desk(
        request.param, tmp_path, pack="sanitary_ware", overrides={"fees": FEES},
        notifier=MemoryNotifier(), attachments=MemoryAttachmentStore(),
    ) as (desk, clock, world):  # fmt: skip
        desk.register_asset(world.manager, BOXED)
        yield desk, clock, world


def _call(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    """The customer's call at 10:00 on Monday 9 March 2026: the new toilet leaks at the valve."""
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SH))
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="新马桶开箱安装时进水阀漏水", asset_id=BOXED.id
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    return ticket_id


def _on_site(desk: ServiceDesk, clock: ManualClock, world: World, ticket_id: str) -> None:
    """The office passes the job to the dealer at once; its fitter is on site at 14:00, photographs the
    valve (现场实物图片) and records the fault: no report is written yet."""
    dealer = world.dealer_sh_staff
    assert desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh").ticket.state == "assigned"
    clock.set(datetime(2026, 3, 9, 14, 0, tzinfo=SH))
    assert desk.start_work(dealer, ticket_id).ticket.state == "in_progress"
    desk.attachments.attach(dealer, ticket_id, kind="photo", name="现场.jpg", content=JPEG)
    desk.add_fault_record(
        dealer, ticket_id, symptom="valve_leaking", cause="factory_defect", action="replace_flush_valve"
    )


def _report(desk: ServiceDesk, world: World, ticket_id: str) -> None:
    """The dealer's written report (书面报告) of the problem found."""
    desk.attachments.attach(
        world.dealer_sh_staff, ticket_id, kind="written_report", name="书面报告.pdf", content=PDF
    )


def test_an_out_of_box_fault_is_visited_at_once_and_its_report_holds_the_completion(host: Host) -> None:
    # Before: the dispatch was refused (AttachmentRequired, step assign) until a report was attached.
    desk, clock, world = host
    ticket_id = _call(desk, clock, world)
    _on_site(desk, clock, world, ticket_id)
    dealer = world.dealer_sh_staff
    sheet = desk.charges.assess(dealer, ticket_id)
    assert sheet.phase == "out_of_box" and sheet.customer_total == Money(0, CNY)
    codes = {r.code for r in sheet.reasons}
    assert {"out_of_box_maker_responsibility", "out_of_box_report_required"} <= codes
    # 需立即提供书面报告: the job is not recorded done without it; nothing changes on the refusal.
    clock.set(datetime(2026, 3, 9, 16, 0, tzinfo=SH))
    events = len(desk.ticket(world.agent, ticket_id).events)
    with pytest.raises(AttachmentRequired) as refused:
        desk.resolve(dealer, ticket_id, summary="更换进水阀")
    assert (refused.value.kind, refused.value.step) == ("written_report", "resolve")
    after = desk.ticket(world.agent, ticket_id)
    assert (after.state, len(after.events)) == ("in_progress", events)
    _report(desk, world, ticket_id)
    assert desk.resolve(dealer, ticket_id, summary="更换进水阀").ticket.state == "resolved"
    desk.confirm(world.customer_zh, ticket_id)  # 分工 7: the repair record confirmed by the customer
    # 分工 6: solved six hours after the maker's notice, within the dealer's 24 hours.
    resolution = desk.sla(world.manager, ticket_id).get("resolution")
    assert resolution is not None and resolution.state == "met"
    assert resolution.target.duration == timedelta(hours=24)


def test_the_report_taken_away_after_the_repair_holds_the_close(host: Host) -> None:
    # Before: the dispatch already waited for the report. The report removed after the repair (a wrong
    # file) is owed again before the job closes.
    desk, clock, world = host
    ticket_id = _call(desk, clock, world)
    _on_site(desk, clock, world, ticket_id)
    dealer = world.dealer_sh_staff
    _report(desk, world, ticket_id)
    desk.resolve(dealer, ticket_id, summary="更换进水阀")
    desk.confirm(world.customer_zh, ticket_id)
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    desk.record_callback(dealer, ticket_id, problem_back=False, satisfaction=5)
    attached = desk.attachments.list(world.agent, ticket_id)
    report = next(a for a in attached if a.kind.value == "written_report")
    desk.attachments.remove(dealer, ticket_id, report.id, reason="传错文件")
    state = desk.ticket(world.agent, ticket_id).state
    with pytest.raises(AttachmentRequired) as refused:
        desk.close(world.agent, ticket_id)
    assert refused.value.step == "close"
    assert desk.ticket(world.agent, ticket_id).state == state
    _report(desk, world, ticket_id)
    assert desk.close(world.agent, ticket_id).ticket.state == "closed"


def test_the_out_of_box_part_goes_free_before_the_report_and_the_old_one_is_owed_back(host: Host) -> None:
    # 分工 3 and 发料 2 a): the maker's fault is free material on a pick slip, shipped at once (urgent) while
    # the report is still to come; the cracked valve is owed back like any free part (退料).
    desk, clock, world = host
    ticket_id = _call(desk, clock, world)
    _on_site(desk, clock, world, ticket_id)
    materials, dealer = desk.materials, PartyRef.dealer("dealer-sh")
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=dealer, lines=[MaterialsLine(VALVE, 1)], urgent=True
    )
    checked = materials.check(world.agent, request.id)
    assert checked.chargeable is False and checked.pick_slip is not None
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    clock.set(datetime(2026, 3, 9, 18, 0, tzinfo=SH))
    materials.receive(world.dealer_sh_staff, request.id)
    assert dict(materials.ledger(world.agent, dealer).balance) == {VALVE: 1}
    assert not desk.fees.slips_of(world.manager, ticket_id)  # nothing charged to anyone


# Out of warranty since 2020: 保修期外.
OLD = Asset(
    AssetId("unit-old"), "wc-100", "SN-OLD-30", customer_id="cust-zh", purchase_date=date(2020, 1, 6),
    installation_accepted_on=date(2020, 1, 8), dealer_id="dealer-sh",
)  # fmt: skip


def test_a_design_hazards_part_out_of_warranty_goes_free_as_the_sheet_says(host: Host) -> None:
    # 设计隐患问题,按第一阶段的方式处理: found on a unit bought in 2020, the valve is the maker's, free on the
    # charge sheet; 发料 2 a) the parts check agrees and files a free pick slip, owed back (分工 3), with no
    # payment before shipping (分工 4's 款到发货 is for a part the dealer buys).
    desk, clock, world = host
    desk.register_asset(world.manager, OLD)
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SH))
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="进水阀破裂漏水", asset_id=OLD.id
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    dealer = world.dealer_sh_staff
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(dealer, ticket_id)
    desk.add_fault_record(
        dealer, ticket_id, symptom="valve_cracked", cause="design_hazard", action="replace_flush_valve",
        part=VALVE, component="flush_valve",
    )  # fmt: skip
    sheet = desk.charges.assess(dealer, ticket_id)
    assert sheet.phase == "out_of_warranty" and sheet.customer_total == Money(0, CNY)
    assert "design_hazard_as_out_of_box" in {r.code for r in sheet.reasons}
    party = PartyRef.dealer("dealer-sh")
    request = desk.materials.request(
        dealer, ticket_id, party=party, lines=[MaterialsLine(VALVE, 1)], urgent=True
    )
    checked = desk.materials.check(world.agent, request.id)
    assert checked.chargeable is False and checked.pick_slip is not None
    desk.materials.approve(world.manager, request.id)
    desk.materials.pick(world.agent, request.id)
    desk.materials.ship(world.agent, request.id)
    desk.materials.receive(dealer, request.id)
    assert dict(desk.materials.ledger(world.agent, party).balance) == {VALVE: 1}
    assert not desk.fees.slips_of(world.manager, ticket_id)


def test_a_boxed_unit_the_user_moved_himself_is_charged_and_its_report_is_still_owed(host: Host) -> None:
    # 材料收费 1 b ② 因购买后用户自行搬运、移动、安装 in the out-of-box phase: the repair is the
    # user's to pay, quoted at the user's price; it is still a problem found on a unit in its box,
    # so the report is owed before the job is done (开箱期…在发现问题时,需立即提供书面报告: feedback
    # whoever caused it); in the phase the part need not be paid before it ships (分工 4 款到发货 is
    # the out-of-warranty rule).
    desk, clock, world = host
    ticket_id = _call(desk, clock, world)
    dealer = world.dealer_sh_staff
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(dealer, ticket_id)
    desk.add_fault_record(
        dealer, ticket_id, symptom="valve_leaking", cause="moved_or_self_installed",
        action="replace_flush_valve", part=VALVE, component="flush_valve",
    )  # fmt: skip
    sheet = desk.charges.assess(dealer, ticket_id)
    assert sheet.phase == "out_of_box" and sheet.customer_total == Money("120.00", CNY)
    quote = desk.charges.quote(dealer, ticket_id)
    assert quote.total == Money("120.00", CNY) and not quote.payment_before_shipping
    with pytest.raises(AttachmentRequired) as refused:
        desk.resolve(dealer, ticket_id, summary="更换进水阀")
    assert refused.value.step == "resolve"
    _report(desk, world, ticket_id)
    assert desk.resolve(dealer, ticket_id, summary="更换进水阀").ticket.state == "resolved"


def test_a_part_the_dealer_bought_and_sent_back_unused_is_read_for_review_and_closed(host: Host) -> None:
    # 分工 4 款到发货: the dealer buys the valve at cost (75.00) and pays; the customer then calls the job off
    # and the dealer sends the unused valve to Taizhou (退料 2). It was charged, so never lent (退料 1 d): it
    # is 盘盈 for review (退料 4 盘盈盘亏分析), and the office reads it on the dealer's ledger to settle it
    # with the dealer (5 与用户沟通). Before session 30 no public read listed a surplus under review: its key
    # for close_surplus was found only by reading the store's documents.
    desk, clock, world = host
    desk.register_asset(world.manager, OLD)
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SH))
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="进水阀漏水", asset_id=OLD.id
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    staff, dealer = world.dealer_sh_staff, PartyRef.dealer("dealer-sh")
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(staff, ticket_id)
    desk.add_fault_record(
        staff, ticket_id, symptom="valve_leaking", cause="wear", action="replace_flush_valve",
        part=VALVE, component="flush_valve",
    )  # fmt: skip
    desk.charges.assess(staff, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    assert purchase.total == Money("75.00", CNY)
    request = desk.charges.accept(staff, ticket_id, purchase.id, urgent=True).materials_request
    assert request is not None
    desk.materials.pick(world.agent, request.id)
    desk.charges.record_payment(world.agent, ticket_id, purchase.id, amount=purchase.total)
    desk.materials.ship(world.agent, request.id)
    desk.materials.receive(staff, request.id)
    desk.cancel(world.agent, ticket_id, reason="customer_withdrew")
    clock.set(datetime(2026, 3, 12, 10, 0, tzinfo=SH))
    item = desk.materials.register_return(world.agent, request_id=request.id, part=VALVE)
    desk.materials.inspect_return(world.agent, item.id, accepted=True)
    desk.materials.book_return(world.agent, item.id)
    summary = desk.materials.ledger(world.agent, dealer)
    assert (summary.issued, summary.returned, dict(summary.balance)) == (0, 0, {})  # never lent
    (surplus,) = summary.surplus
    found = (surplus.part, surplus.quantity, surplus.source, surplus.reference)
    assert found == (VALVE, 1, "return", item.id)
    assert desk.materials.ledger(staff, dealer).surplus == summary.surplus  # the dealer reads its own
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.total == Money("75.00", CNY) and slip.is_active  # the money is for the office to settle
    desk.materials.close_surplus(world.manager, dealer, surplus.key, SurplusOutcome.INTO_STOCK, "完好,入库")
    assert desk.materials.ledger(world.agent, dealer).surplus == ()
