"""Seed 002 walked again by a peer tester (session 29): passages and edges the earlier walks left out.

卫浴行业售后服务流程与外包合同, with the seed's own numbers, through the ServiceDesk of the ``sanitary_ware``
pack, on memory, SQLite and PostgreSQL (skipped without ``AFTERSALES_PG_DSN``):

- 分工 3 “产品保修期按产品样本规定执行(保修期限自用户购买之日起计算)”: a term ending in a month without the
  purchase day (18 months from 31 August 2024 end on 28 February 2026), judged on the Shanghai day of the call
  (00:10 on 1 March in Shanghai is still 28 February in UTC); a product sample with terms per part (a seat of
  12 months, a ceramic body of 60) — the parts follow their own term, the service follows the product's
  (材料收费 1 a “保修期外的服务实行收费制度”);
- 分工 6 “24小时之内…特殊情况不得超过48小时” over the Spring Festival holiday of 2026 (wall-clock hours); the
  special case approved with its reason, no written report asked — **fixed in session 29** (the pack's
  ``[attachments] report_before_extension`` refused the 48 hours until a report was attached);
- 开箱期 “在产品出厂后至安装调试合格期间” for a unit left uninstalled for five months, and 材料收费 1 b ②
  “因购买后用户自行搬运、移动、安装” in that phase;
- 发料 2 “确认其所需的材料是否在保修期内” with the product sample's terms per part: a ceramic body in its own
  5 years goes free on a pick slip (owed back) after the product's term ended, as the charge sheet says —
  **fixed in session 29** (the check judged every part on the product's term and sold the body to the
  dealer at cost); a seat given a year's more free service by a complaint (延长免费售后服务期) goes free too;
  free and charged parts in one request are refused and filed apart;
- 分工 5 “乙方在产品交付的同时派人上门安装调试”, 分工 9 and 档案 a “每月3号之前将上月安装情况统计报至
  售后服务部”: an installation accepted at 23:59 on Saturday 31 January 2026 is January's (and ends the
  unit's out-of-box phase that day), one accepted at 00:00 on 1 February is February's; January's report is
  due by the end of Tuesday 3 February;
- 分工 3 “乙方需按时退回换下的配件” and 退料 1 “视…事实占有,需收取相关费用” for two parts on one slip, one
  returned in time: only the kept one is charged, at the maker's cost (收费的标准 a).
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
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.charges import ChargeKind, ChargeSheet
from aftersales.domain.classification import Category, Plan, Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.materials import MaterialsLine, MaterialsState, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import PolicyError, SlaExtensionRefused, ValidationError
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.reports.dealer_monthly import ReportStatus, scoped_dealer_monthly
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
BACKENDS = ["memory", "sqlite", "postgres"]
VALVE, SEAT, BODY = "WN-CB-01", "WN-SEAT-9", "WN-BODY-1"
CNY = "CNY"

FEES = DefaultFeesPolicy(
    FeesParams(
        currency=CNY,
        parts={
            VALVE: PartPriceEntry(cost="75.00", retail="120.00"),
            SEAT: PartPriceEntry(cost="60.00", retail="99.50"),
            BODY: PartPriceEntry(cost="300.00", retail="480.00"),
        },
        dealer_schedules={
            "dealer-sh": DealerFeeSchedule(
                labour={"flush_valve_leak": "80"}, travel_zones={"pudong": "30"}, service_fee="20"
            )
        },
    )
)

# 产品样本: a basin-and-toilet set whose sample gives the whole product 18 months, the seat 12, the body 60.
SAMPLE = Product(
    ProductId("set-18"), "SET-18", "卫浴套装 SET-18", "toilet",
    (WarrantyTerm(18), WarrantyTerm(12, component="seat"), WarrantyTerm(60, component="ceramic_body")),
    frozenset({"seat", "ceramic_body", "flush_valve"}),
)  # fmt: skip
MONTH_END = Asset(
    AssetId("unit-0831"), SAMPLE.id, "SN-0831", customer_id="cust-zh", purchase_date=date(2024, 8, 31),
    installation_accepted_on=date(2024, 9, 2), dealer_id="dealer-sh",
)  # fmt: skip
IN_WARRANTY = Asset(
    AssetId("unit-in"), "wc-100", "SN-IN", customer_id="cust-zh", purchase_date=date(2025, 9, 1),
    installation_accepted_on=date(2025, 9, 2), dealer_id="dealer-sh",
)  # fmt: skip
# Left the factory on 9 October 2025, bought the next day, still in its box in March 2026.
UNINSTALLED = Asset(
    AssetId("unit-box"), "wc-100", "SN-BOX", customer_id="cust-zh", shipment_date=date(2025, 10, 9),
    purchase_date=date(2025, 10, 10), dealer_id="dealer-sh",
)  # fmt: skip

Host = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=BACKENDS)
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The maker's desk with the Shanghai dealer's fees, the product sample and three units."""
    with world_desk(
        request.param, tmp_path, pack="sanitary_ware", overrides={"fees": FEES},
        notifier=MemoryNotifier(), attachments=MemoryAttachmentStore(),
    ) as (desk, clock, world):  # fmt: skip
        desk.register_product(world.manager, SAMPLE)
        for unit in (MONTH_END, IN_WARRANTY, UNINSTALLED):
            desk.register_asset(world.manager, unit)
        yield desk, clock, world


def _call(desk: ServiceDesk, world: World, asset_id: str) -> str:
    """A repair call taken by the office and passed to the Shanghai dealer (甲方的电话通知)."""
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id=asset_id
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    return ticket_id


def _report(desk: ServiceDesk, world: World, ticket_id: str) -> None:
    """The dealer's written report (书面报告)."""
    desk.attachments.attach(
        world.dealer_sh_staff, ticket_id, kind="written_report", name="书面报告.pdf",
        content=b"%PDF-1.4\n% report\n%%EOF\n",
    )  # fmt: skip


def _record(
    desk: ServiceDesk,
    world: World,
    ticket_id: str,
    part: str,
    component: str,
    cause: str = "flush_valve_worn",
) -> None:
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause=cause,
        action="replace_flush_valve", part=part, component=component,
    )  # fmt: skip


def _charging(sheet: ChargeSheet) -> dict[str, tuple[bool, Money]]:
    return {ln.line.item: (ln.line.chargeable, ln.line.amount) for ln in sheet.lines}


# -- 分工 3: 保修期限自用户购买之日起计算, at a month's end and on Shanghai's day


def test_eighteen_months_from_31_august_end_on_28_february_by_the_shanghai_day(host: Host) -> None:
    # 31 August 2024 + 18 months: February 2026 has no 31st, so the term ends with 28 February (民法典 203,
    # the corresponding day or the month's last). A call at 23:30 on the 28th is free; one at 00:10 on
    # 1 March in Shanghai — still 28 February, 16:10, in UTC — is charged: days are the unit's market days.
    desk, clock, world = host
    clock.set(datetime(2026, 2, 28, 23, 30, tzinfo=SH))
    last_day = _call(desk, world, "unit-0831")
    clock.set(datetime(2026, 3, 1, 0, 10, tzinfo=SH))
    assert clock.now().astimezone(UTC).date() == date(2026, 2, 28)
    next_day = _call(desk, world, "unit-0831")
    sheets = {}
    for ticket_id in (last_day, next_day):
        desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
        desk.start_work(world.dealer_sh_staff, ticket_id)
        _record(desk, world, ticket_id, VALVE, "flush_valve")
        sheets[ticket_id] = desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    free, charged = sheets[last_day], sheets[next_day]
    assert free.phase == "in_warranty" and free.customer_total == Money(0, CNY)
    assert free.reasons[0].params["ends_on"] == "2026-02-28"
    assert charged.phase == "out_of_warranty"
    # 120.00 valve + 80 labour + 30 travel + 20 service fee, each at the dealer's local price.
    assert charged.customer_total == Money("250.00", CNY)
    assert _charging(charged) == {
        VALVE: (True, Money("120.00", CNY)), "flush_valve_leak": (True, Money("80", CNY)),
        "pudong": (True, Money("30", CNY)), "service_fee": (True, Money("20", CNY)),
    }  # fmt: skip


# -- 分工 3 + 材料收费 1 a)–c): the product sample's terms per part


def test_each_part_follows_its_own_term_and_the_service_the_products(host: Host) -> None:
    # 产品保修期按产品样本规定执行: the sample gives the seat 12 months, the body 60 and the product 18. On
    # 10 February 2026 (17 months after purchase) the product is in warranty: the seat, past its 12
    # months, is sold at the user's price; the body and the dealer's work are free. On 10 March (19
    # months) the product is out: the body is still free material (保修期内甲方免费…提供维修材料), the
    # service is charged (保修期外的服务实行收费制度).
    desk, clock, world = host
    sheets = []
    for day in (date(2026, 2, 10), date(2026, 3, 10)):
        clock.set(datetime.combine(day, datetime.min.time(), SH).replace(hour=10))
        ticket_id = _call(desk, world, "unit-0831")
        desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
        desk.start_work(world.dealer_sh_staff, ticket_id)
        _record(desk, world, ticket_id, SEAT, "seat")
        _record(desk, world, ticket_id, BODY, "ceramic_body")
        sheets.append(desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong"))
    february, march = sheets
    assert february.phase == "in_warranty" and _charging(february) == {
        SEAT: (True, Money("99.50", CNY)), BODY: (False, Money(0, CNY)),
        "flush_valve_leak": (False, Money(0, CNY)), "pudong": (False, Money(0, CNY)),
        "service_fee": (False, Money(0, CNY)),
    }  # fmt: skip
    assert february.customer_total == Money("99.50", CNY)
    assert march.phase == "out_of_warranty" and march.customer_total == Money("229.50", CNY)
    assert _charging(march)[BODY] == (False, Money(0, CNY))
    assert _charging(march)["flush_valve_leak"] == (True, Money("80", CNY))


# -- 分工 6: 24小时之内 … 特殊情况不得超过48小时, over the Spring Festival of 2026


def test_the_dealers_24_hours_run_through_the_spring_festival_and_the_special_case_48(host: Host) -> None:
    # The holiday of 15–23 February 2026 does not stop the contract's hours (the seed names hours, not
    # working days): passed on 除夕, 16 February at 18:00, the repair is due at 18:00 on 初一; the maker's
    # special case gives 48 hours, to 18:00 on 18 February, and not a minute more.
    desk, clock, world = host
    clock.set(datetime(2026, 2, 16, 18, 0, tzinfo=SH))
    ticket_id = _call(desk, world, "unit-in")
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    passed_at = clock.now()
    due = desk.sla(world.manager, ticket_id)["resolution"]
    assert due.due_at == datetime(2026, 2, 17, 18, 0, tzinfo=SH)
    clock.set(datetime(2026, 2, 17, 9, 0, tzinfo=SH))
    # The special case is the maker's approval with its reason: the seed asks no written report for it
    # (that report is the out-of-box phase's and a design hazard's). Fixed in session 29: the pack asked one.
    assert desk.attachments.list(world.manager, ticket_id) == ()
    with pytest.raises(SlaExtensionRefused):
        desk.extend_sla(
            world.manager, ticket_id, "resolution", timedelta(hours=48, minutes=1), "春节期间配件需从台州发货"
        )
    desk.extend_sla(world.manager, ticket_id, "resolution", timedelta(hours=48), "春节期间配件需从台州发货")
    assert desk.sla(world.manager, ticket_id)["resolution"].due_at == passed_at + timedelta(hours=48)
    desk.start_work(world.dealer_sh_staff, ticket_id)
    _record(desk, world, ticket_id, VALVE, "flush_valve")
    desk.resolve(world.dealer_sh_staff, ticket_id, summary="换冲水阀")
    clock.set(datetime(2026, 2, 18, 18, 0, tzinfo=SH))
    desk.confirm(world.customer_zh, ticket_id)
    met = desk.sla(world.manager, ticket_id)["resolution"]
    assert met.state == "met" and met.extended


# -- 开箱期: 在产品出厂后至安装调试合格期间; 材料收费 1 b) ②


def test_a_unit_still_in_its_box_five_months_after_leaving_the_factory_is_out_of_box(host: Host) -> None:
    # The phase lasts until the installation is accepted, however long the unit waits (the seed sets no
    # days): the valve found faulty at the installation on 10 March 2026 is the maker's, free, and the
    # dealer may not resolve it before the written report (需立即提供书面报告).
    desk, clock, world = host
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    ticket_id = _call(desk, world, "unit-box")
    _report(desk, world, ticket_id)
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(world.dealer_sh_staff, ticket_id)
    _record(desk, world, ticket_id, VALVE, "flush_valve")
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    assert sheet.phase == "out_of_box" and sheet.customer_total == Money(0, CNY)
    codes = {r.code for r in sheet.reasons}
    assert {"out_of_box_maker_responsibility", "out_of_box_report_required"} <= codes


def test_a_unit_the_user_moved_himself_before_the_installation_is_charged(host: Host) -> None:
    # ② 因购买后用户自行搬运、移动、安装等造成的故障或损坏: the user carried the boxed unit upstairs and
    # cracked the valve; out of box still, but the cause makes the repair chargeable at the user's prices.
    desk, clock, world = host
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    ticket_id = _call(desk, world, "unit-box")
    _report(desk, world, ticket_id)
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(world.dealer_sh_staff, ticket_id)
    _record(desk, world, ticket_id, VALVE, "flush_valve", cause="moved_or_self_installed")
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    assert sheet.phase == "out_of_box" and sheet.customer_total == Money("250.00", CNY)
    assert all(chargeable for chargeable, _ in _charging(sheet).values())


# -- 分工 3 乙方需按时退回换下的配件; 退料 1 视…事实占有; 收费的标准 a) 按成本价


def test_of_two_free_parts_only_the_one_not_returned_is_charged_at_cost(host: Host) -> None:
    # Two valves go free to the dealer for one in-warranty job (two toilets in one flat), repaired on
    # 3 March 2026: both old valves are owed back within 30 days, by the end of 2 April. One comes back on
    # 2 April; the other never does. On 3 April only the kept one is charged to the dealer, at the maker's
    # cost of 75.00 (not the user's 120.00), and it is April's sales income; March's cost is both valves.
    desk, clock, world = host
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SH))
    ticket_id = _call(desk, world, "unit-in")
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(world.dealer_sh_staff, ticket_id)
    _record(desk, world, ticket_id, VALVE, "flush_valve")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"),
        lines=[MaterialsLine(VALVE, 2)], urgent=True,
    )  # fmt: skip
    checked = materials.check(world.agent, request.id)
    assert checked.chargeable is False and checked.pick_slip is not None
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=SH))
    materials.receive(world.dealer_sh_staff, request.id)
    assert dict(materials.ledger(world.agent, PartyRef.dealer("dealer-sh")).balance) == {VALVE: 2}
    clock.set(datetime(2026, 4, 2, 21, 0, tzinfo=SH))
    item = materials.register_return(world.agent, request_id=request.id, part=VALVE)
    materials.inspect_return(world.agent, item.id, accepted=True)
    materials.book_return(world.agent, item.id)
    clock.set(datetime(2026, 4, 2, 23, 59, tzinfo=SH))
    assert materials.run_overdue_chargebacks(world.system) == ()
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))
    (chargeback,) = materials.run_overdue_chargebacks(world.system)
    assert chargeback.part == VALVE and chargeback.line.amount == Money("75.00", CNY)
    assert materials.run_overdue_chargebacks(world.system) == ()  # charged once
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.payer_kind, slip.payer_id, slip.total) == ("dealer", "dealer-sh", Money("75.00", CNY))
    ledger = materials.ledger(world.agent, PartyRef.dealer("dealer-sh"))
    assert (ledger.issued, ledger.returned, ledger.charged, ledger.outstanding) == (2, 1, 1, 0)
    with desk.store() as uow:
        march, april = month_money(uow.documents, "2026-03"), month_money(uow.documents, "2026-04")
    assert march.cost == Money("150.00", CNY) and march.income == Money(0, CNY)
    assert april.income == Money("75.00", CNY)
    revenue = desk.fees.monthly_revenue(world.manager, "2026-04")
    assert [(e.item, e.amount) for e in revenue.returns] == [(VALVE, Money("75.00", CNY))]
    assert [(e.kind, e.item, e.amount) for e in revenue.revenue] == [
        (ChargeKind.MATERIALS, VALVE, Money("75.00", CNY))
    ]


# -- 发料 2: 确认其所需的材料是否在保修期内, per part of the product sample


def _body_job(desk: ServiceDesk, clock: ManualClock, world: World, *parts: str) -> str:
    """A call on 10 March 2026 about the set bought on 31 August 2024 (its 18 months ended on 28 February,
    the seat's 12 before; the ceramic body's 60 run to 2029): the dealer records the ``parts`` replaced."""
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    ticket_id = _call(desk, world, "unit-0831")
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(world.dealer_sh_staff, ticket_id)
    for part in parts:
        _record(desk, world, ticket_id, part, "ceramic_body" if part == BODY else "seat")
    return ticket_id


def _requested(desk: ServiceDesk, world: World, ticket_id: str, *parts: str) -> str:
    return desk.materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"),
        lines=[MaterialsLine(part, 1) for part in parts], urgent=True,
    ).id  # fmt: skip


def test_a_ceramic_body_in_its_own_five_years_goes_free_after_the_products_term_ended(host: Host) -> None:
    # 保修期内甲方免费向乙方提供维修材料, 但乙方需按时退回换下的配件: the body asked for is in its own
    # term, so the office's check gives the free pick slip (领料单), as the ticket's charge sheet gives
    # the body free; it goes on the dealer's loan ledger, the cracked body owed back.
    desk, clock, world = host
    ticket_id = _body_job(desk, clock, world, BODY)
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert _charging(sheet)[BODY] == (False, Money(0, CNY))
    request_id = _requested(desk, world, ticket_id, BODY)
    checked = desk.materials.check(world.agent, request_id)
    assert checked.chargeable is False and checked.pick_slip is not None
    assert checked.phase == "in_warranty"
    desk.materials.approve(world.manager, request_id)
    desk.materials.pick(world.agent, request_id)
    desk.materials.ship(world.agent, request_id)
    desk.materials.receive(world.dealer_sh_staff, request_id)
    assert dict(desk.materials.ledger(world.agent, PartyRef.dealer("dealer-sh")).balance) == {BODY: 1}
    assert desk.fees.slips_of(world.manager, ticket_id) == []  # nothing sold to the dealer


def test_free_and_charged_parts_in_one_request_are_refused_and_filed_apart(host: Host) -> None:
    # The seat is past its 12 months (sold to the dealer at cost, 款到发货), the body is not (free): one
    # check cannot say both; the office is told to file them apart, and nothing changes meanwhile.
    desk, clock, world = host
    ticket_id = _body_job(desk, clock, world, SEAT, BODY)
    both = _requested(desk, world, ticket_id, SEAT, BODY)
    with pytest.raises(PolicyError) as refused:
        desk.materials.check(world.agent, both)
    assert refused.value.code == "warranty_check_mixed"
    assert desk.materials.materials_request(world.manager, both).state is MaterialsState.REQUESTED
    desk.materials.cancel(world.agent, both, reason="分开申请")
    seat, body = _requested(desk, world, ticket_id, SEAT), _requested(desk, world, ticket_id, BODY)
    charged = desk.materials.check(world.agent, seat)
    assert charged.chargeable is True and charged.phase == "out_of_warranty"
    quoted = desk.materials.quote(world.agent, seat)
    assert quoted.charges is not None
    (offer,) = quoted.charges.quotes
    assert offer.total == Money("60.00", CNY) and offer.payment_before_shipping  # the seat at cost
    assert desk.materials.check(world.agent, body).chargeable is False


def test_a_component_named_against_the_fault_record_is_refused(host: Host) -> None:
    # The seat was recorded on the seat: the office naming the ceramic body for it would give it free.
    desk, clock, world = host
    ticket_id = _body_job(desk, clock, world, SEAT)
    seat = _requested(desk, world, ticket_id, SEAT)
    with pytest.raises(ValidationError) as refused:
        desk.materials.check(world.agent, seat, component="ceramic_body")
    assert refused.value.field == "component"
    assert desk.materials.materials_request(world.manager, seat).state is MaterialsState.REQUESTED
    assert desk.materials.check(world.agent, seat, component="seat").chargeable is True


def test_a_free_slip_checked_on_the_body_is_stale_once_the_record_puts_the_part_on_the_seat(
    host: Host,
) -> None:
    # The office checked a part no record named yet as the ceramic body (free); the dealer's fault record
    # then names it on the seat, past its 12 months: the free slip is not approved, nothing changes.
    desk, clock, world = host
    ticket_id = _body_job(desk, clock, world)
    seat = _requested(desk, world, ticket_id, SEAT)
    assert desk.materials.check(world.agent, seat, component="ceramic_body").chargeable is False
    _record(desk, world, ticket_id, SEAT, "seat")
    before = desk.materials.materials_request(world.manager, seat)
    with pytest.raises(PolicyError) as stale:
        desk.materials.approve(world.manager, seat)
    assert stale.value.code == "warranty_check_stale"
    assert desk.materials.materials_request(world.manager, seat).version == before.version


def test_a_seat_given_a_years_more_free_service_by_a_complaint_goes_free_to_the_dealer(host: Host) -> None:
    # 客户投诉的处理方法, 可用的牌 “延长免费售后服务期” on the seat alone: the seat asked for afterwards is in
    # its extended term, so the check gives the free pick slip though the product's 18 months are over.
    desk, clock, world = host
    ticket_id = _body_job(desk, clock, world, SEAT)
    complaints = desk.complaints
    cid = complaints.open_complaint(world.agent, "cust-zh", "座圈刚过保就坏", about=[ticket_id]).ticket.id
    complaints.investigate(world.agent, cid)
    complaints.propose_solution(world.agent, cid, solution="座圈延保 12 个月")
    complaints.agree_solution(world.customer_zh, cid)
    complaints.grant_remedy(
        world.agent, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=Money(0, CNY), extend_by=12,
        component="seat",
    )  # fmt: skip
    seat = _requested(desk, world, ticket_id, SEAT)
    checked = desk.materials.check(world.agent, seat)
    assert checked.chargeable is False and checked.pick_slip is not None
    assert _charging(desk.charges.assess(world.dealer_sh_staff, ticket_id))[SEAT] == (False, Money(0, CNY))


# -- 分工 5 安装调试, 分工 9 每月对所安装调试情况进行一次统计, 档案 a 每月3号之前


def _installed(desk: ServiceDesk, world: World, asset_id: str) -> str:
    """The dealer's installation at delivery (安装调试), worked and done; the customer accepts later."""
    install = desk.open_ticket(
        world.agent, customer_id="cust-zh", asset_id=asset_id, description="送货安装调试",
        category=Category.INSTALLATION,
    ).ticket.id  # fmt: skip
    desk.triage(world.agent, install, nature="installation", severity=Severity.LOW, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, install, dealer_id="dealer-sh")
    desk.start_work(world.dealer_sh_staff, install)
    desk.resolve(world.dealer_sh_staff, install, summary="安装调试合格")
    return install


def test_an_installation_accepted_at_23_59_on_31_january_is_januarys_and_reported_by_3_february(
    host: Host,
) -> None:
    desk, clock, world = host
    second = Asset(
        AssetId("unit-box-2"), "wc-100", "SN-BOX-2", customer_id="cust-zh", shipment_date=date(2026, 1, 20),
        purchase_date=date(2026, 1, 25), dealer_id="dealer-sh",
    )  # fmt: skip
    desk.register_asset(world.manager, second)
    clock.set(datetime(2026, 1, 31, 15, 0, tzinfo=SH))
    january, february = _installed(desk, world, "unit-box"), _installed(desk, world, "unit-box-2")
    clock.set(datetime(2026, 1, 31, 23, 59, tzinfo=SH))
    desk.confirm(world.customer_zh, january)
    clock.set(datetime(2026, 2, 1, 0, 0, tzinfo=SH))
    desk.confirm(world.customer_zh, february)
    with desk.store() as uow:  # 开箱期 ends with 安装调试合格, on the Shanghai day of the acceptance
        assert uow.assets.get("unit-box").installation_accepted_on == date(2026, 1, 31)
        assert uow.assets.get("unit-box-2").installation_accepted_on == date(2026, 2, 1)
    queries = reporting_for(desk.store)
    clock.set(datetime(2026, 2, 3, 23, 59, tzinfo=SH))
    summary = scoped_dealer_monthly(desk, world.dealer_sh_staff, queries, "2026-01")
    assert summary.due_at == datetime(2026, 2, 4, 0, 0, tzinfo=SH)  # the whole of Tuesday 3 February
    (row,) = summary.rows
    assert (row.dealer_id, row.installations, row.repairs, row.status) == (
        "dealer-sh", 1, 0, ReportStatus.PENDING,
    )  # fmt: skip
    desk.reports.submit_dealer_report(
        world.dealer_sh_staff, "dealer-sh", "2026-01", installations=1, repairs=0
    )
    (row,) = scoped_dealer_monthly(desk, world.dealer_sh_staff, queries, "2026-01").rows
    assert row.status is ReportStatus.ON_TIME and row.matches_ledger
    (feb,) = scoped_dealer_monthly(desk, world.dealer_sh_staff, queries, "2026-02").rows
    assert feb.installations == 1
