"""Seed 002's materials rules driven by a hostile caller, through the ServiceDesk, on memory, SQLite and
PostgreSQL (when a DSN is set): whether a part is charged is the warranty check's, a called-off job
takes no parts, the desk's time zone reaches the return deadline, a stock count names a real party.

材料处理 一、发料 2: 由售后服务部对用户的用料申请审核,确认其所需的材料是否在保修期内 — the service
department decides what is free and what is charged; 保修期内甲方免费向乙方提供维修材料,但乙方需按时退回换下的
配件 — a free part is lent until its old part is back; 已收费的材料不计入盘点表 — only a part actually charged
is off the loan ledger.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from test_seed002_money import PART, SH, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.loan_ledger import LoanLedger
from aftersales.domain.materials import MaterialsLine, MaterialsRequest, PartyRef
from aftersales.domain.materials_workflow import MaterialsState
from aftersales.domain.money import Money
from aftersales.errors import NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.reports.money import month_money, scoped_month_money
from aftersales.service.desk import ServiceDesk
from aftersales.service.materials_params import MaterialsParams
from conftest import World, world_desk

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]
DEALER = PartyRef.dealer("dealer-sh")
BACKENDS = ["memory", "sqlite", "postgres"]


# -- 1. the warranty check decides what is charged, not the requester ---------------------------------


@pytest.mark.parametrize("chargeable", [True, False])
def test_a_requester_cannot_mark_a_line_charged_or_free(story: Story, chargeable: bool) -> None:
    # Marked charged on an in-warranty job, the part shipped free, was never on the dealer's loan ledger
    # (no old part owed) and counted as sold in the month's outbound with nothing charged; marked free on
    # an out-of-warranty job, the dealer paid the quote and was then charged the part again as kept.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in" if chargeable else "unit-out")
    with pytest.raises(ValidationError) as info:
        desk.materials.request(
            world.dealer_sh_staff, ticket_id, party=DEALER,
            lines=[MaterialsLine(PART, 1, chargeable=chargeable)], urgent=True,
        )  # fmt: skip
    assert info.value.field == "lines"
    with desk.store() as uow:
        assert uow.documents.query(MaterialsRequest, ticket_id=ticket_id) == []


def test_an_in_warranty_part_requested_plainly_is_lent_and_owed_back(story: Story) -> None:
    desk, clock, world = story
    materials = desk.materials
    _lend(desk, world, _repair(desk, clock, world, "unit-in"))
    assert materials.ledger(world.dealer_sh_staff, DEALER).balance == {PART: 1}
    summary = materials.outbound_summary(world.agent, "2026-03")
    assert dict(summary.by_part) == {PART: 1} and dict(summary.chargeable_by_part) == {}


def _lend(desk: ServiceDesk, world: World, ticket_id: str, party: PartyRef = DEALER) -> MaterialsRequest:
    """One in-warranty part for ``ticket_id`` requested by the dealer's staff for ``party``, checked
    (free), approved, picked, shipped and received: on ``party``'s loan ledger, owed back."""
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=party, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(world.agent, request.id)
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    received, _ = materials.receive(world.dealer_sh_staff, request.id)
    return received


# -- 2. a cancelled job takes no parts ---------------------------------------------------------------


def test_no_materials_are_requested_on_a_cancelled_ticket(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    with pytest.raises(PolicyError) as info:
        desk.materials.request(
            world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
        )
    assert info.value.code == "ticket_cancelled"
    with desk.store() as uow:
        assert uow.documents.query(MaterialsRequest, ticket_id=ticket_id) == []


def test_a_request_of_a_cancelled_ticket_goes_no_further_but_can_be_called_off(story: Story) -> None:
    # Before, the request was checked, approved and picked (备料) for a job called off; only shipping
    # stopped it.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    checked = materials.check(world.agent, request.id)
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    steps = {
        "approve": lambda: materials.approve(world.manager, request.id),
        "confirm_date": lambda: materials.confirm_date(world.agent, request.id, ship_on=date(2026, 3, 9)),
    }
    for name, step in steps.items():
        with pytest.raises(PolicyError) as info:
            step()
        assert info.value.code == "ticket_cancelled", name
    # Session 22: the ticket's cancellation called the request off itself (it stayed pending for ever).
    called_off = materials.materials_request(world.agent, request.id)
    assert called_off.state is MaterialsState.CANCELLED and called_off.version > checked.version


def test_a_new_request_is_not_checked_or_picked_once_its_ticket_is_cancelled(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    materials = desk.materials
    first = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    second = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(world.agent, second.id)
    approved = materials.approve(world.manager, second.id)
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    for step in (
        lambda: materials.check(world.agent, first.id),
        lambda: materials.pick(world.agent, second.id),
    ):
        with pytest.raises(PolicyError) as info:
            step()
        assert info.value.code == "ticket_cancelled"
    # Session 22: both were called off by the ticket's cancellation, nothing more.
    assert materials.materials_request(world.agent, first.id).state is MaterialsState.CANCELLED
    later = materials.materials_request(world.agent, second.id)
    assert later.state is MaterialsState.CANCELLED and later.version == approved.version + 1


def test_a_chargeable_request_of_a_cancelled_ticket_is_neither_quoted_nor_paid(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    materials = desk.materials
    quoted = materials.request(world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)])
    materials.check(world.agent, quoted.id)
    materials.quote(world.agent, quoted.id)
    unquoted = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)]
    )
    materials.check(world.agent, unquoted.id)
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    steps = (
        lambda: materials.quote(world.agent, unquoted.id),
        lambda: materials.approve(world.dealer_sh_staff, quoted.id),
    )
    for step in steps:
        with pytest.raises(PolicyError) as info:
            step()
        assert info.value.code == "ticket_cancelled"
    # Session 22: the ticket's cancellation called both off.
    assert materials.materials_request(world.agent, unquoted.id).state is MaterialsState.CANCELLED
    assert materials.materials_request(world.agent, quoted.id).state is MaterialsState.CANCELLED
    assert desk.fees.slips_of(world.manager, ticket_id) == []


def test_an_accepted_quote_of_a_cancelled_ticket_takes_no_payment(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)]
    )
    materials.check(world.agent, request.id)
    materials.quote(world.agent, request.id)
    approved = materials.approve(world.dealer_sh_staff, request.id)
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    with pytest.raises(PolicyError) as info:
        materials.record_payment(world.dealer_sh_staff, request.id, amount=Money("75.00", "CNY"))
    assert info.value.code == "ticket_cancelled"
    later = materials.materials_request(world.agent, request.id)  # called off by the cancellation (s22)
    assert later.state is MaterialsState.CANCELLED and later.version == approved.version + 1
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.paid == Money(0, "CNY")


# -- 3. the desk's time zone is the materials dates' unless they name their own ------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_materials_params_without_a_zone_count_days_in_the_desks_zone(backend: str, tmp_path: Path) -> None:
    # DeskSettings: "materials … its time zone defaults to timezone". A London desk given only a return
    # period counted the days in Shanghai: a part repaired at 23:30 on 2 March in London was due by the
    # end of 13 March (Shanghai's 3 March + 10), not of 12 March.
    settings = {"timezone": "Europe/London", "materials": MaterialsParams(return_days=10)}
    with world_desk(backend, tmp_path, pack="sanitary_ware", settings=settings) as (desk, _clock, _world):
        assert desk.materials.params.timezone == "Europe/London"
        assert desk.materials.params.return_days == 10
        repaired = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 23:30 in London (GMT)
        due = desk.materials.return_deadline(repaired)
        assert due == datetime(2026, 3, 13, 0, 0, tzinfo=UTC)  # London midnight starting day 11
    (tmp_path / "own").mkdir()
    own = MaterialsParams(return_days=10, timezone="Asia/Shanghai")
    settings = {"timezone": "Europe/London", "materials": own}
    with world_desk(backend, tmp_path / "own", pack="sanitary_ware", settings=settings) as (desk, _c, _w):
        assert desk.materials.params is own  # a zone it names is kept


# -- 4. a stock count is of a party that exists --------------------------------------------------------


def test_a_stock_count_of_an_unknown_party_is_refused_and_stores_nothing(story: Story) -> None:
    desk, _clock, world = story
    for ghost in (PartyRef.dealer("dealer-ghost"), PartyRef.engineer("eng-ghost")):
        with pytest.raises(NotFound):
            desk.materials.reconcile(world.manager, ghost, {PART: 2})
    with desk.store() as uow:
        assert uow.documents.query(LoanLedger) == []
    counted = desk.materials.reconcile(world.manager, DEALER, {PART: 1})
    assert dict(counted.surplus) == {PART: 1}


# -- 5. a part lent to a dealer's engineer is on the dealer's books ------------------------------------


def test_a_free_part_lent_to_a_dealers_engineer_is_in_the_dealers_monthly_figures(story: Story) -> None:
    # 乙方需按时退回换下的配件: the dealer answers for the parts its own engineer holds, and the chargeback
    # of one kept was already the dealer's slip. Its free issue and its return carried no dealer, so the
    # dealer's free-materials list, loan count and cost left the part out while the chargeback's income
    # (and its taking the cost back) counted: April showed 75 income for a part never issued.
    desk, clock, world = story
    engineer = PartyRef.engineer("eng-dealer-sh")
    materials = desk.materials
    ticket_id = _repair(desk, clock, world, "unit-in")
    kept = _lend(desk, world, ticket_id, engineer)
    back = _lend(desk, world, ticket_id, engineer)
    item = materials.register_return(world.agent, request_id=back.id, part=PART)
    materials.inspect_return(world.agent, item.id, accepted=True)
    materials.book_return(world.agent, item.id)
    march = desk.fees.monthly_revenue(world.dealer_sh_staff, "2026-03")
    assert [(e.item, e.quantity) for e in march.free_issued] == [(PART, 1), (PART, 1)]
    assert [(e.item, e.quantity) for e in march.returns] == [(PART, 1)]
    (balance,) = march.balances
    assert (balance.issued_free, balance.returned, balance.outstanding) == (2, 1, 1)
    assert scoped_month_money(desk, world.dealer_sh_staff, "2026-03").cost == Money("150.00", "CNY")
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    (chargeback,) = materials.run_overdue_chargebacks(world.system)
    assert chargeback.request_id == kept.id
    april = scoped_month_money(desk, world.dealer_sh_staff, "2026-04")
    assert (april.income, april.cost) == (Money("75.00", "CNY"), Money("-75.00", "CNY"))
    with desk.store() as uow:  # the dealer's figures are the whole of this job's
        whole = month_money(uow.documents, "2026-04")
    assert (whole.income, whole.cost) == (april.income, april.cost)


def test_parts_bought_for_a_dealers_engineer_are_the_dealers_purchase_at_cost(story: Story) -> None:
    # 保修期外甲方按成本价向乙方提供维修材料,款到发货; 上海维娜斯仅按成本价向各特约承销商收取材料费: the maker
    # sells a dealer's job its parts at cost, to the dealer. A request for the dealer's own engineer was
    # quoted to the end customer at retail (120.00), on a slip that was no dealer's.
    desk, clock, world = story
    materials = desk.materials
    ticket_id = _repair(desk, clock, world, "unit-out")
    request = materials.request(
        world.dealer_sh_staff,
        ticket_id,
        party=PartyRef.engineer("eng-dealer-sh"),
        lines=[MaterialsLine(PART, 1)],
    )
    materials.check(world.agent, request.id)
    quoted = materials.quote(world.agent, request.id)
    assert quoted.charges is not None
    (quote,) = quoted.charges.quotes
    assert (quote.payer, quote.total) == ("dealer", Money("75.00", "CNY"))
    with pytest.raises(PermissionDenied):
        materials.approve(world.customer_zh, request.id)
    materials.approve(world.dealer_sh_staff, request.id)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.payer_kind, slip.payer_id, slip.dealer_id) == ("dealer", "dealer-sh", "dealer-sh")
    assert scoped_month_money(desk, world.dealer_sh_staff, "2026-03").income == Money("75.00", "CNY")


# -- 6. a dealer's purchase is answered by that dealer --------------------------------------------------


def test_dealer_staff_cannot_answer_or_pay_another_dealers_purchase(story: Story) -> None:
    # A call of the Shanghai dealer's customer passed to the Beijing dealer (甲方的电话通知): the parts are
    # the Beijing dealer's purchase at cost. The Shanghai staff, who still read the ticket, priced it,
    # accepted it and recorded its payment: a slip the Beijing dealer owes, agreed by its rival.
    desk, _clock, world = story
    materials = desk.materials
    beijing = PartyRef.dealer("dealer-bj")
    opened = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-out"
    )
    ticket_id = opened.ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-bj")
    desk.start_work(world.dealer_bj_staff, ticket_id)
    assert desk.ticket(world.dealer_sh_staff, ticket_id).id == ticket_id  # the customer's dealer reads it
    request = materials.request(
        world.dealer_bj_staff, ticket_id, party=beijing, lines=[MaterialsLine(PART, 1)]
    )
    materials.check(world.agent, request.id)
    with pytest.raises(PermissionDenied):
        materials.quote(world.dealer_sh_staff, request.id)
    quoted = materials.quote(world.agent, request.id)
    for step in (
        lambda: materials.approve(world.dealer_sh_staff, request.id),
        lambda: materials.decline(world.dealer_sh_staff, request.id, reason="太贵"),
    ):
        with pytest.raises(PermissionDenied):
            step()
    assert materials.materials_request(world.agent, request.id).version == quoted.version
    materials.approve(world.agent, request.id)  # the office records the Beijing dealer's answer
    approved = materials.materials_request(world.agent, request.id)
    with pytest.raises(PermissionDenied):
        materials.record_payment(world.dealer_sh_staff, request.id, amount=Money("75.00", "CNY"))
    assert materials.materials_request(world.agent, request.id).version == approved.version
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.payer_id, slip.paid) == ("dealer-bj", Money(0, "CNY"))


def test_dealer_staff_still_answer_their_own_purchase_and_record_the_users_answer(story: Story) -> None:
    desk, clock, world = story
    materials = desk.materials
    ticket_id = _repair(desk, clock, world, "unit-out")
    own = materials.request(world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)])
    materials.check(world.agent, own.id)
    materials.quote(world.dealer_sh_staff, own.id)
    materials.approve(world.dealer_sh_staff, own.id)
    with pytest.raises(PermissionDenied) as debtor:  # 款到发货: the maker confirms its money (s32)
        materials.record_payment(world.dealer_sh_staff, own.id, amount=Money("75.00", "CNY"))
    assert debtor.value.rule == "maker_confirms_payment"
    paid = materials.record_payment(world.agent, own.id, amount=Money("75.00", "CNY"))
    assert paid.charges is not None and paid.charges.paid_on(paid.quote_id or "") == Money("75.00", "CNY")
    users = materials.request(
        world.agent, ticket_id, party=PartyRef.engineer("eng-jr"), lines=[MaterialsLine(PART, 1)]
    )
    materials.check(world.agent, users.id)
    materials.quote(world.agent, users.id)  # the maker's engineer: the user's quote at retail
    accepted = materials.approve(world.dealer_sh_staff, users.id)  # the user's answer, by phone
    assert accepted.state is MaterialsState.APPROVED


def _passed_to_beijing(desk: ServiceDesk, world: World) -> str:
    """A call of the Shanghai dealer's customer, out of warranty, passed to the Beijing dealer and worked
    by it (the Shanghai staff still read it: their customer, their region)."""
    opened = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-out"
    )
    ticket_id = opened.ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-bj")
    desk.start_work(world.dealer_bj_staff, ticket_id)
    desk.add_fault_record(
        world.dealer_bj_staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn",
        action="replace_flush_valve", part=PART, component="flush_valve",
    )  # fmt: skip
    desk.charges.assess(world.dealer_bj_staff, ticket_id)
    assert desk.ticket(world.dealer_sh_staff, ticket_id).id == ticket_id
    return ticket_id


def test_another_dealers_staff_cannot_accept_refuse_or_pay_the_charge_sheets_purchase(story: Story) -> None:
    # The same on the charge sheet: the Beijing dealer's purchase from the maker (desk.charges.
    # dealer_purchase) was accepted by the Shanghai staff, filing its pick slip and a slip Beijing owes.
    desk, _clock, world = story
    ticket_id = _passed_to_beijing(desk, world)
    with pytest.raises(PermissionDenied):
        desk.charges.dealer_purchase(world.dealer_sh_staff, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    for step in (
        lambda: desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id),
        lambda: desk.charges.refuse(world.dealer_sh_staff, ticket_id, purchase.id, reason="太贵"),
    ):
        with pytest.raises(PermissionDenied):
            step()
    assert desk.fees.slips_of(world.manager, ticket_id) == []
    desk.charges.accept(world.dealer_bj_staff, ticket_id, purchase.id)
    with pytest.raises(PermissionDenied):
        desk.charges.record_payment(world.dealer_sh_staff, ticket_id, purchase.id, amount=purchase.total)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.payer_id, slip.paid) == ("dealer-bj", Money(0, "CNY"))
    desk.charges.record_payment(world.agent, ticket_id, purchase.id, amount=purchase.total)
    # The user's quote is the holder's (seed 002 11: the dealer doing the job charges the user; session 39:
    # the customer's own dealer reads a job passed on, it no longer offers its quote).
    with pytest.raises(PermissionDenied) as refused:
        desk.charges.quote(world.dealer_sh_staff, ticket_id)
    assert refused.value.rule == "job_passed_on"
    quote = desk.charges.quote(world.dealer_bj_staff, ticket_id)
    desk.charges.accept(world.dealer_bj_staff, ticket_id, quote.id)  # and records the user's answer


def test_another_dealers_staff_cannot_receive_date_or_cancel_a_dealers_parts(story: Story) -> None:
    # Receiving starts the Beijing dealer's return deadline (its old parts owed back, charged if kept);
    # the Shanghai staff, who read the passed call, received its parts, agreed its shipping date and
    # cancelled its request. Dealer staff file parts only for their own dealer (_check_party); the
    # steps after the filing are that dealer's too.
    desk, _clock, world = story
    materials = desk.materials
    ticket_id = _passed_to_beijing(desk, world)
    beijing = PartyRef.dealer("dealer-bj")
    later = materials.request(world.dealer_bj_staff, ticket_id, party=beijing, lines=[MaterialsLine(PART, 1)])
    with pytest.raises(PermissionDenied):
        materials.cancel(world.dealer_sh_staff, later.id, reason="不要了")
    materials.check(world.agent, later.id)
    materials.quote(world.agent, later.id)
    materials.approve(world.dealer_bj_staff, later.id)
    with pytest.raises(PermissionDenied):
        materials.confirm_date(world.dealer_sh_staff, later.id, ship_on=date(2026, 3, 9))
    materials.record_payment(world.agent, later.id, amount=Money("75.00", "CNY"))
    materials.confirm_date(world.dealer_bj_staff, later.id, ship_on=date(2026, 3, 2))
    materials.pick(world.agent, later.id)
    shipped = materials.ship(world.agent, later.id)
    with pytest.raises(PermissionDenied):
        materials.receive(world.dealer_sh_staff, later.id)
    assert materials.materials_request(world.agent, later.id).version == shipped.version
    received, _ = materials.receive(world.dealer_bj_staff, later.id)
    assert received.state is MaterialsState.RECEIVED


# -- 9. the party is urged to return a part before it is charged (seed 002 退料 1) ----------------------


def test_a_lent_part_still_out_is_reminded_of_once_before_its_deadline(story: Story) -> None:
    """按《用户借料盘点表》中的内容督促用户在规定时间内退料: the dealer holding a lent part hears of it
    ``remind_days`` (3) before the deadline, once per line; a part back in time is not reminded of."""
    from datetime import timedelta

    from aftersales.adapters.notifiers import MemoryNotifier

    desk, clock, world = story
    materials = desk.materials
    lent = []
    for unit in ("unit-in", "unit-in"):
        lent.append(_lend(desk, world, _repair(desk, clock, world, unit)).id)
    assert materials.run_return_reminders(world.system) == ()  # 30 days to go: too early
    clock.advance(timedelta(days=26))
    assert materials.run_return_reminders(world.system) == ()  # still more than 3 days
    clock.advance(timedelta(days=1, hours=12))
    reminded = materials.run_return_reminders(world.system)
    assert sorted(item.request_id or "" for item in reminded) == sorted(lent)
    assert materials.run_return_reminders(world.system) == ()  # once per line
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    told = [m for m in notifier.to("13900000001") if PART in m.subject]  # the dealer's phone first
    assert len(told) == 2 and all("退回" in m.subject for m in told)
    # Past the deadline the chargeback follows; the reminder is not sent again.
    clock.advance(timedelta(days=4))
    assert len(materials.run_overdue_chargebacks(world.system)) == 2
    assert materials.run_return_reminders(world.system) == ()


def test_reminders_before_the_deadline_are_set_with_the_return_period() -> None:
    assert MaterialsParams(return_days=10, remind_days=None).remind_days is None
    for bad in (0, 10, 11, True, "3"):
        with pytest.raises(ValidationError) as refused:
            MaterialsParams(return_days=10, remind_days=bad)  # type: ignore[arg-type]
        assert refused.value.field == "remind_days"
