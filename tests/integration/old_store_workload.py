"""A small, realistic fortnight of the bathroom-fixture maker, written to a store by any release.

The upgrade fixtures (tests/fixtures/old_stores, made by scripts/make_old_store_fixtures.py) are this
workload played by older releases of aftersales into a SQLite file and a PostgreSQL schema; the upgrade
tests (test_old_store_upgrade.py) play it again with today's code into a fresh store and compare what the
two answer. It therefore uses only the public API every fixture's release shares (ServiceDesk.open,
register_*, the ticket commands, desk.materials) and nothing added since: it must keep running on the
oldest release it is played by, so do not "modernise" it. Everything is deterministic: a manual clock,
sequential ids and no randomness.

Run as a script (``python old_store_workload.py URL``) it plays the workload into the store at ``URL``.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.ids import SequentialIds
from aftersales.domain.classification import Category, Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId, ProductId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer, EngineerLevel
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.policies.fees import DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.materials_desk import MaterialsDesk

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
"""Monday 2 March 2026, 09:00 in Shanghai."""
END = START + timedelta(days=14)
"""Where the clock stands when the workload ends (Monday 16 March, 09:00)."""
PACK = str(Path(__file__).with_name("old_store_pack.toml"))
"""The pack today's code plays and opens the workload with: sanitary_ware as the fixtures' releases had
it (run as a script, an older release plays it with its own ``sanitary_ware``, see the end)."""

AGENT = Actor.agent("agent-1", "客服小李")
MANAGER = Actor.manager("mgr-1", "王经理")
DEALER_SH = PartyRef.dealer("dealer-sh")
DEALER_STAFF = Actor.dealer_staff("sh-staff-1", "dealer-sh", {"SH"})
"""Staff of the Shanghai dealer (the second ticket is dispatched to that dealer)."""
BJ_ENGINEER = Actor.engineer("eng-bj", "赵工")
FEES = DefaultFeesPolicy(FeesParams(parts={"seat": PartPriceEntry("320", "560")}))
"""The maker's price of the one part the workload ships (the pack names no prices)."""


def materials_desk(desk: ServiceDesk) -> MaterialsDesk:
    """The materials desk of ``desk`` with the workload's price list."""
    return MaterialsDesk(desk.context, desk.runner, fees=FEES)


def open_desk(url: str, clock: ManualClock) -> ServiceDesk:
    """The workload's desk on ``url`` (sequential ids, so two plays name their records alike)."""
    return ServiceDesk.open(url, pack=PACK, clock=clock, ids=SequentialIds())


def _register(desk: ServiceDesk) -> None:
    sh = Dealer(
        DealerId("dealer-sh"), "上海浦东特约承销商", "SH", frozenset({"SH"}),
        Contact("陈店长", phone="13900000001", locale="zh_Hans"),
    )  # fmt: skip
    bj = Dealer(
        DealerId("dealer-bj"), "北京朝阳特约承销商", "BJ", frozenset({"BJ"}),
        Contact("赵店长", email="service@chaoyang-dealer.example", locale="zh_Hans"),
    )  # fmt: skip
    for dealer in (sh, bj):
        desk.register_dealer(MANAGER, dealer)
    for engineer in (
        Engineer(EngineerId("eng-jr"), "李工", EngineerLevel.JUNIOR, frozenset({"plumbing"}), "SH"),
        Engineer(
            EngineerId("eng-sr"), "王工", EngineerLevel.SENIOR, frozenset({"plumbing", "electrics"}), "SH"
        ),
        Engineer(EngineerId("eng-bj"), "赵工", EngineerLevel.JUNIOR, frozenset({"plumbing"}), "BJ"),
    ):
        desk.register_engineer(MANAGER, engineer)
    desk.register_product(
        MANAGER,
        Product(
            ProductId("wc-100"), "WC-100", "智能马桶 WC-100", "toilet",
            (WarrantyTerm(36), WarrantyTerm(60, component="ceramic_body")),
            frozenset({"ceramic_body", "flush_valve", "seat"}),
        ),
    )  # fmt: skip
    customers = (
        ("cust-1", "张伟", "13912345678", "SH", sh.id, CustomerTier.REGULAR),
        ("cust-2", "Alice Smith", "13912345679", "SH", sh.id, CustomerTier.VIP),
        ("cust-3", "刘洋", "13912345680", "BJ", bj.id, CustomerTier.REGULAR),
    )
    for number, (id_, name, phone, region, dealer, tier) in enumerate(customers, start=1):
        desk.register_customer(
            MANAGER,
            Customer(CustomerId(id_), name, Contact(name, phone=phone, locale="zh_Hans"), tier,
                     region=region, dealer_id=dealer),
        )  # fmt: skip
        desk.register_asset(
            MANAGER,
            Asset(AssetId(f"asset-{number}"), ProductId("wc-100"), f"SN-2025-000{number}", CustomerId(id_),
                  batch="B2025-07" if number < 3 else "B2025-09", purchase_date=date(2025, 9, number),
                  installation_accepted_on=date(2025, 9, number + 2), dealer_id=dealer),
        )  # fmt: skip


def play(url: str) -> None:
    """Play the fortnight into the store at ``url`` (a new, empty store)."""
    clock = ManualClock(START)
    desk = open_desk(url, clock)
    try:
        play_on(desk, clock)
    finally:
        desk.shutdown()


def play_on(desk: ServiceDesk, clock: ManualClock) -> None:
    """Play the fortnight on ``desk`` (of a new, empty store) whose clock is ``clock`` at :data:`START`;
    the clock stands at :data:`END` after."""

    def later(**step: float) -> None:
        clock.advance(timedelta(**step))

    _register(desk)
    jr = Actor.engineer("eng-jr", "李工")
    sr = Actor.engineer("eng-sr", "王工")
    sh_staff = DEALER_STAFF
    materials = materials_desk(desk)

    def opened(customer: str, asset: str | None, text: str, **more: object) -> str:
        key = f"intake-{customer}-{text}"  # the intake form's key: a resubmitted form opens nothing twice
        result = desk.open_ticket(
            AGENT, customer_id=customer, description=text, asset_id=asset, idempotency_key=key, **more
        )
        return str(result.ticket.id)

    # 1. A leak fixed on site, accepted, called back (5 points) and closed.
    t1 = opened("cust-1", "asset-1", "智能马桶漏水，地面有积水")
    later(minutes=20)
    desk.triage(AGENT, t1, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE, skill="toilet")
    desk.dispatch(AGENT, t1, engineer_id="eng-jr", reason="区域工程师")
    later(minutes=30)
    desk.contact_customer(jr, t1, note="已联系客户，约定上门", expected_at=clock.now() + timedelta(hours=3))
    later(hours=3)
    desk.start_work(jr, t1)
    later(minutes=40)
    desk.add_fault_record(
        jr, t1, symptom="leak", cause="inlet_valve_worn", action="replace_valve", part="flush_valve"
    )
    desk.resolve(jr, t1, summary="更换进水阀后不再漏水")
    later(hours=2)
    desk.confirm(Actor.customer("cust-1"), t1, note="已签字确认")

    # 2. A seat that does not heat, dispatched to the dealer, waiting for a part, rejected once.
    later(hours=1)
    t2 = opened("cust-2", "asset-2", "座圈不加热", urgent=True)
    later(minutes=5)
    desk.contact_customer(AGENT, t2, note="已回电客户，安排加急处理")
    desk.triage(AGENT, t2, nature="repair", severity=Severity.HIGH, plan=Plan.ON_SITE, skill="toilet")
    desk.dispatch(AGENT, t2, dealer_id="dealer-sh", reason="特约承销商上门")
    later(minutes=45)
    desk.contact_customer(sh_staff, t2, note="约定次日上门", expected_at=clock.now() + timedelta(days=1))
    later(days=1)
    desk.start_work(sh_staff, t2)
    desk.add_fault_record(
        sh_staff, t2, symptom="seat_not_heating", cause="heater_wire_open", action="replace_seat", part="seat"
    )
    desk.await_parts(sh_staff, t2, reason="座圈缺货，已向厂家申领")
    request = materials.request(sh_staff, t2, party=DEALER_SH, lines=[MaterialsLine("seat", 1)], urgent=True)
    materials.check(AGENT, request.id)
    materials.approve(MANAGER, request.id)
    materials.pick(AGENT, request.id)
    later(hours=3)
    materials.ship(AGENT, request.id)
    later(days=1)
    materials.receive(sh_staff, request.id)
    desk.resume(sh_staff, t2, reason="配件已到")
    later(hours=2)
    desk.resolve(sh_staff, t2, summary="已更换座圈")
    later(hours=3)
    desk.reject(Actor.customer("cust-2"), t2, reason="问题仍未解决")
    later(hours=4)
    desk.start_work(sh_staff, t2)
    later(hours=1)
    desk.resolve(sh_staff, t2, summary="返工：重新接线后已加热")
    later(hours=2)
    desk.confirm(AGENT, t2, channel="phone", note="客户电话确认")

    # 3. A question answered and closed by its cancellation; 4. an inquiry withdrawn.
    t3 = opened("cust-3", None, "咨询保修期限", category=Category.INQUIRY)
    later(minutes=10)
    desk.cancel(AGENT, t3, reason="客户自行解决，取消报修")
    t4 = opened("cust-3", "asset-3", "冲水按钮失灵")
    later(minutes=15)
    desk.triage(AGENT, t4, nature="repair", severity=Severity.LOW, plan=Plan.ON_SITE, skill="toilet")
    desk.dispatch(AGENT, t4, engineer_id="eng-bj", reason="北京区域")
    later(hours=2)
    desk.start_work(BJ_ENGINEER, t4)
    desk.add_fault_record(
        BJ_ENGINEER, t4, symptom="button_stuck", cause="spring_broken", action="replace_button"
    )
    later(hours=1)
    desk.resolve(BJ_ENGINEER, t4, summary="已更换按钮", remote=False)

    # Callbacks: the first ticket's (satisfied), the second's (the problem came back: reopened).
    later(days=1)
    desk.schedule_callback(AGENT, t1)
    desk.schedule_callback(AGENT, t2)
    later(hours=2)
    desk.record_callback(AGENT, t1, problem_back=False, satisfaction=5, answers={"fixed": True})
    desk.close(AGENT, t1, idempotency_key="close-t1")
    later(hours=1)
    desk.record_callback(AGENT, t2, problem_back=True, satisfaction=2, answers={"fixed": False})
    later(hours=5)
    desk.start_work(sh_staff, t2)
    desk.add_fault_record(
        sh_staff, t2, symptom="seat_not_heating", cause="heater_wire_open", action="replace_seat", part="seat"
    )
    desk.resolve(sh_staff, t2, summary="回访发现复发，已再次处理")

    # 5. Opened and left waiting (an open, unassigned ticket past its due times);
    # 6. assigned to the senior engineer and in work when the fortnight ends.
    later(days=2)
    opened("cust-1", "asset-1", "马桶盖板松动")
    t6 = opened("cust-2", "asset-2", "遥控器无反应")
    desk.triage(AGENT, t6, nature="repair", severity=Severity.LOW, plan=Plan.REMOTE, skill="toilet")
    desk.dispatch(AGENT, t6, engineer_id="eng-sr", reason="远程指导")
    later(minutes=50)
    desk.contact_customer(
        sr, t6, note="已联系客户，约定远程处理时间", expected_at=clock.now() + timedelta(hours=1)
    )
    desk.start_work(sr, t6)
    clock.advance(END - clock.now())


if __name__ == "__main__":
    PACK = "sanitary_ware"  # an older release's own pack, as the fixtures were written
    play(sys.argv[1])
