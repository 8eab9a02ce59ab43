"""Seed 002 walked by a peer tester (session 33, developer i): money and materials as the dealer lives them.

卫浴行业售后服务流程与外包合同, through the ServiceDesk of the ``sanitary_ware`` pack, on memory, SQLite and
PostgreSQL (skipped without ``AFTERSALES_PG_DSN``):

- 材料收费 1 b) ①–⑤ and c): in warranty, each of the five causes makes the repair chargeable (parts and
  the dealer's labour), a worn part is free;
- 材料收费 1 d) 回访服务时,保修期内材料免费,保修期外材料实行收费,不收取服务费: at a callback visit the part
  follows the phase, and no labour, travel or service fee is charged in either phase;
- 其他 1–3 with 退料 1: the month's outbound lists the free and the charged parts, the income lists the
  charged ones, the returns list the free part that came back; a free part not back by its deadline is
  charged to the dealer as kept (事实占有) and moves into the income of the month it is charged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import ChargeKind
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.domain.work import VisitKind
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

SH = ZoneInfo("Asia/Shanghai")
BACKENDS = ["memory", "sqlite", "postgres"]
VALVE = "WN-CB-01"
SEAT = "WN-ST-02"
FEES = DefaultFeesPolicy(
    FeesParams(
        currency="CNY",
        parts={
            VALVE: PartPriceEntry(cost="75.00", retail="120.00"),
            SEAT: PartPriceEntry(cost="40.00", retail="68.00"),
        },
        default_schedule=DealerFeeSchedule(
            labour={"repair": "80"}, travel_zones={"pudong": "30"}, service_fee="20"
        ),
    )
)
# Bought on 1 March 2022: its 36 months (60 on the ceramic body) ended on 1 March 2025.
OLD_UNIT = Asset(
    AssetId("asset-old"), "wc-100", "SN-2022-0042", customer_id="cust-zh", batch="B2022-01",
    purchase_date=date(2022, 3, 1), installation_accepted_on=date(2022, 3, 2), dealer_id="dealer-sh",
)  # fmt: skip
DEALER = PartyRef.dealer("dealer-sh")

Host = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=BACKENDS)
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The maker's desk with the parts' prices and the Pudong dealer's fees; a unit in and one out of
    warranty."""
    with world_desk(request.param, tmp_path, pack="sanitary_ware", overrides={"fees": FEES}) as (
        desk,
        clock,
        world,
    ):
        desk.register_asset(world.manager, OLD_UNIT)
        yield desk, clock, world


def _on_site(desk: ServiceDesk, world: World, asset_id: str, text: str, *, kind: VisitKind) -> str:
    """A call about ``asset_id`` taken, triaged on site, sent to the dealer's fitter and its visit planned."""
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description=text, asset_id=asset_id
    ).ticket.id
    desk.triage(world.manager, ticket_id, nature="leak", severity=Severity.LOW, plan=Plan.ON_SITE)
    desk.dispatch(world.manager, ticket_id, engineer_id=world.eng_dealer.id)
    now = desk.clock.now()
    desk.add_visit(
        world.manager, ticket_id, planned_at=now + timedelta(hours=2), engineer_id=world.eng_dealer.id,
        kind=kind,
    )  # fmt: skip
    return ticket_id


def _lines(desk: ServiceDesk, world: World, ticket_id: str) -> dict[ChargeKind, tuple[bool, Decimal]]:
    """The sheet assessed for one valve, the repair's labour, Pudong's travel and the fee: kind →
    (charged, amount)."""
    sheet = desk.charges.assess(
        world.manager, ticket_id, parts={VALVE: 1}, job_type="repair", travel_zone="pudong"
    )
    return {line.line.kind: (line.line.chargeable, line.line.amount.amount) for line in sheet.lines}


@pytest.mark.parametrize(
    "cause",
    [
        "misuse_against_manual",  # ① 未按使用说明书内操作事项,使用不当
        "moved_or_self_installed",  # ② 用户自行搬运、移动、安装
        "unauthorised_repair",  # ③ 私自维修或非我公司专业人员维修
        "unstable_power_supply",  # ④ 电源、电压、频率不稳定
        "force_majeure",  # ⑤ 天(火)灾、地震等自然不可抗力
    ],
)
def test_in_warranty_each_of_the_five_causes_charges_the_repair(host: Host, cause: str) -> None:
    """材料收费 1 b): 属于保修期内,但需收费的情形 ①–⑤ — the part at its user price and the dealer's labour,
    travel and fee are charged, each line saying why; 1 c): a worn valve in the same unit is free."""
    desk, clock, world = host
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SH))  # the unit of 1 September 2025: in its 36 months
    worn = _on_site(desk, world, "asset-1", "冲水阀漏水", kind=VisitKind.SERVICE)
    desk.start_work(world.dealer_sh_staff, worn)
    desk.add_fault_record(
        world.dealer_sh_staff, worn, symptom="leak", cause="wear", action="replace", part=VALVE,
        component="flush_valve",
    )  # fmt: skip
    assert _lines(desk, world, worn) == {
        ChargeKind.MATERIALS: (False, Decimal("0")),
        ChargeKind.LABOUR: (False, Decimal("0")),
        ChargeKind.TRAVEL: (False, Decimal("0")),
        ChargeKind.SERVICE_FEE: (False, Decimal("0")),
    }

    clock.advance(timedelta(days=1))
    caused = _on_site(desk, world, "asset-1", "冲水阀又坏了", kind=VisitKind.SERVICE)
    desk.start_work(world.dealer_sh_staff, caused)
    desk.add_fault_record(
        world.dealer_sh_staff, caused, symptom="leak", cause=cause, action="replace", part=VALVE,
        component="flush_valve",
    )  # fmt: skip
    assert _lines(desk, world, caused) == {
        ChargeKind.MATERIALS: (True, Decimal("120.00")),
        ChargeKind.LABOUR: (True, Decimal("80.00")),
        ChargeKind.TRAVEL: (True, Decimal("30.00")),
        ChargeKind.SERVICE_FEE: (True, Decimal("20.00")),
    }
    sheet = desk.ticket(world.manager, caused).charges
    assert sheet is not None and sheet.phase == "in_warranty"
    assert [dict(r.params) for r in sheet.reasons if r.code == "chargeable_cause"] == [{"cause": cause}]


def test_a_callback_visit_charges_the_part_by_the_phase_and_never_labour_travel_or_fee(host: Host) -> None:
    """材料收费 1 d): 回访服务时,保修期内材料免费,保修期外材料实行收费,不收取服务费 — a worn valve changed at
    the callback visit is free on the unit in warranty and 120 on the one out of it; neither pays labour,
    travel or the dealer's fee, while the same repair on an ordinary visit out of warranty pays them all."""
    desk, clock, world = host
    clock.set(datetime(2026, 3, 10, 9, 30, tzinfo=SH))
    tickets = {}
    for asset_id, kind in (
        ("asset-1", VisitKind.CALLBACK), ("asset-old", VisitKind.CALLBACK), ("asset-old", VisitKind.SERVICE),
    ):  # fmt: skip
        ticket_id = _on_site(desk, world, asset_id, "回访时发现冲水阀渗水", kind=kind)
        desk.start_work(world.dealer_sh_staff, ticket_id)
        desk.add_fault_record(
            world.dealer_sh_staff, ticket_id, symptom="seep", cause="wear", action="replace", part=VALVE,
            component="flush_valve",
        )  # fmt: skip
        tickets[(asset_id, kind)] = _lines(desk, world, ticket_id)

    no_work = {kind: (False, Decimal("0")) for kind in (ChargeKind.LABOUR, ChargeKind.TRAVEL)}
    no_work[ChargeKind.SERVICE_FEE] = (False, Decimal("0"))
    in_warranty = tickets[("asset-1", VisitKind.CALLBACK)]
    assert in_warranty == {ChargeKind.MATERIALS: (False, Decimal("0")), **no_work}
    out_of_warranty = tickets[("asset-old", VisitKind.CALLBACK)]
    assert out_of_warranty == {ChargeKind.MATERIALS: (True, Decimal("120.00")), **no_work}
    ordinary = tickets[("asset-old", VisitKind.SERVICE)]
    assert ordinary == {
        ChargeKind.MATERIALS: (True, Decimal("120.00")),
        ChargeKind.LABOUR: (True, Decimal("80.00")),
        ChargeKind.TRAVEL: (True, Decimal("30.00")),
        ChargeKind.SERVICE_FEE: (True, Decimal("20.00")),
    }


def _free_issue(desk: ServiceDesk, world: World, ticket_id: str, part: str) -> str:
    """发料 2 a): the dealer's request for ``part``, checked in warranty, on a free pick slip, shipped and
    received."""
    request = desk.materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(part)]
    )
    desk.materials.check(world.manager, request.id, component="flush_valve" if part == VALVE else "seat")
    desk.materials.approve(world.manager, request.id)
    desk.materials.confirm_date(world.manager, request.id, ship_on=desk.clock.now().date())
    desk.materials.pick(world.manager, request.id)
    desk.materials.ship(world.manager, request.id)
    desk.materials.receive(world.dealer_sh_staff, request.id)
    return request.id


def test_the_months_lists_outbound_income_and_returns_and_a_kept_part_moves_into_income(host: Host) -> None:
    """其他 1: 发料的统计表为收费材料和不收费材料的总清单; 2: 销售收入的统计表为收费材料的清单;
    3: 退料的统计表为不收费材料的清单, 退料统计表中的材料若未按规定入库…视为用户对该材料事实占有…
    转入售后服务销售收入统计表.

    In March the dealer gets a free valve (its old one sent back to Taizhou in time), a free seat (never
    sent back) and buys a valve at cost for the unit out of warranty (款到发货). March's outbound lists
    the three, the charged valve alone chargeable; March's income is the valve sold at the dealer's cost;
    March's returns are the valve that came back. The seat's old part, not back within 30 days of the
    repair, is charged to the dealer at cost in April and is April's income, not March's."""
    desk, clock, world = host
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SH))
    valve_job = _on_site(desk, world, "asset-1", "冲水阀漏水", kind=VisitKind.SERVICE)
    seat_job = _on_site(desk, world, "asset-1", "盖板铰链断裂", kind=VisitKind.SERVICE)
    sold_job = _on_site(desk, world, "asset-old", "老马桶冲水阀坏了", kind=VisitKind.SERVICE)
    for ticket_id in (valve_job, seat_job, sold_job):
        desk.start_work(world.dealer_sh_staff, ticket_id)
    valve_request = _free_issue(desk, world, valve_job, VALVE)
    _free_issue(desk, world, seat_job, SEAT)

    bought = desk.materials.request(
        world.dealer_sh_staff, sold_job, party=DEALER, lines=[MaterialsLine(VALVE)]
    )
    desk.materials.check(world.manager, bought.id, component="flush_valve")
    quoted = desk.materials.quote(world.manager, bought.id)
    assert quoted.charges is not None and quoted.quote_id is not None
    offer = quoted.charges.quote(quoted.quote_id)
    assert offer.payment_before_shipping  # 款到发货
    assert [(line.item, line.amount) for line in offer.lines] == [(VALVE, Money(Decimal("75.00"), "CNY"))]
    desk.materials.approve(world.dealer_sh_staff, bought.id)
    desk.materials.record_payment(world.manager, bought.id, amount=Money(Decimal("75.00"), "CNY"))
    desk.materials.confirm_date(world.manager, bought.id, ship_on=desk.clock.now().date())
    desk.materials.pick(world.manager, bought.id)
    desk.materials.ship(world.manager, bought.id)
    desk.materials.receive(world.dealer_sh_staff, bought.id)

    clock.set(datetime(2026, 3, 10, 15, 0, tzinfo=SH))
    for ticket_id, part, component in (
        (valve_job, VALVE, "flush_valve"), (seat_job, SEAT, "seat"), (sold_job, VALVE, "flush_valve"),
    ):  # fmt: skip
        desk.add_fault_record(
            world.dealer_sh_staff, ticket_id, symptom="leak", cause="wear", action="replace", part=part,
            component=component,
        )  # fmt: skip
        desk.resolve(world.dealer_sh_staff, ticket_id, summary="已更换")  # the repair: 30 days from here
    clock.set(datetime(2026, 3, 16, 11, 0, tzinfo=SH))
    back = desk.materials.register_return(world.manager, request_id=valve_request, part=VALVE)
    desk.materials.inspect_return(world.manager, back.id, accepted=True)
    desk.materials.book_return(world.manager, back.id)

    clock.set(datetime(2026, 4, 10, 9, 0, tzinfo=SH))  # past the seat's deadline (9 April)
    charged = desk.materials.run_overdue_chargebacks(world.manager)
    assert [(c.part, c.line.amount) for c in charged] == [(SEAT, Money(Decimal("40.00"), "CNY"))]

    outbound = desk.materials.outbound_summary(world.manager, "2026-03")
    assert dict(outbound.by_part) == {VALVE: 2, SEAT: 1}
    assert dict(outbound.chargeable_by_part) == {VALVE: 1}

    march = desk.fees.monthly_revenue(world.manager, "2026-03")
    assert [(e.item, e.amount) for e in march.revenue] == [(VALVE, Money(Decimal("75.00"), "CNY"))]
    assert sorted((e.item, e.quantity) for e in march.free_issued) == [(VALVE, 1), (SEAT, 1)]
    assert [(e.item, e.quantity) for e in march.returns] == [(VALVE, 1)]

    april = desk.fees.monthly_revenue(world.manager, "2026-04")
    assert [(e.item, e.amount) for e in april.revenue] == [(SEAT, Money(Decimal("40.00"), "CNY"))]
    assert april.returns == ()
    seat = {b.item: b for b in april.balances}[SEAT]
    assert (seat.issued_free, seat.returned, seat.charged_unreturned) == (0, 0, 1)
