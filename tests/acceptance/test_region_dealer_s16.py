# mypy: disable-error-code="arg-type"
"""A second dealer of a region, and whose calls a dealer takes, on memory, SQLite and PostgreSQL.

Seed 002: each dealer serves what it sold, from installation to the callback (乙方负责所售产品的全过程服务),
from the user's call or the maker's notice (乙方接到用户的叫修(或者是甲方的电话通知)后), and helps with the
callbacks and satisfaction surveys of its whole region (乙方有义务配合甲方对本区域的用户进行回访和满意度调查
工作). A second dealer of the region therefore reads the first dealer's ticket as its customer reads it
(what a callback needs), not the first dealer's internals; and a dealer books only calls that are its own job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import attrs
import pytest

from aftersales import ChargeKind, ChargeLine
from aftersales.domain.classification import Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId
from aftersales.domain.maintenance import MaintenancePlan
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ServiceContract
from aftersales.errors import AftersalesError, DuplicateError, NotFound, PermissionDenied, ValidationError
from aftersales.ports.queries import TicketFilter
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.views import TicketView
from conftest import World, world_desk

SECRET = "客户脾气急，内部备注"
STAFF_WORDS = "客户难缠，转主管"
SAID = "明天上午上门"
FIRST = Actor.dealer_staff("sh-staff-1", "dealer-sh", {"SH"})
SECOND = Actor.dealer_staff("sh2-staff-1", "dealer-sh2", {"SH"})
BEIJING = Actor.dealer_staff("bj-staff-1", "dealer-bj", {"BJ"})


@attrs.frozen
class Desk:
    desk: ServiceDesk
    world: World


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as (desk, _clock, world):
        manager = world.manager
        desk.register_dealer(
            manager, Dealer(DealerId("dealer-sh2"), "上海二号经销商", "SH", frozenset({"SH"}))
        )
        yield Desk(desk, world)


def _texts(view: TicketView) -> str:
    return view.to_json()


def test_a_second_dealer_reads_the_first_dealers_ticket_as_its_customer_does(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    tid = desk.open_ticket(FIRST, customer_id="cust-zh", description="漏水", asset_id="asset-1").ticket.id
    desk.triage(FIRST, tid, nature="leak", severity=Severity.MEDIUM, note=STAFF_WORDS)
    desk.note_to_customer(FIRST, tid, text=SECRET, visible=False)
    desk.note_to_customer(FIRST, tid, text=SAID)
    # The second dealer reads its region's ticket (its callback), as the customer does: the visible note,
    # not the first dealer's internal note or its staff's words on their own steps (before: both).
    for seen in (
        desk.ticket(SECOND, tid),
        *desk.ledger(SECOND, TicketFilter(customer_id="cust-zh")).items,
        *desk.search(SECOND, "漏水").items,
    ):
        assert seen.id == tid
        assert SAID in _texts(seen)
        assert SECRET not in _texts(seen) and STAFF_WORDS not in _texts(seen)
    assert desk.search(SECOND, "脾气急").items == ()  # found by the note it may not read: no
    assert _texts(desk.ticket(SECOND, tid)) == _texts(desk.ticket(world.customer_zh, tid))
    # The first dealer (its job), the office and the auditor read it whole.
    for staff in (FIRST, world.manager, world.auditor):
        assert SECRET in _texts(desk.ticket(staff, tid)) and STAFF_WORDS in _texts(desk.ticket(staff, tid))
    # What the callback needs it still does: the region's callbacks are its to make.
    desk.contact_customer(SECOND, tid, note="回访：请问问题解决了吗？")


def test_the_customer_does_not_read_the_staffs_note_on_their_triage(shop: Desk) -> None:
    # The assessment is the staff's bookkeeping: its note ("客户难缠，转主管") is for colleagues, as the
    # staff's words on the triage step already were (before: in desk.ticket and the ledger).
    desk, world = shop.desk, shop.world
    tid = desk.open_ticket(world.agent, customer_id="cust-zh", description="漏水").ticket.id
    desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, note=STAFF_WORDS)
    for seen in (desk.ticket(world.customer_zh, tid), *desk.ledger(world.customer_zh).items):
        assert seen.assessment is not None and seen.assessment.nature == "leak"
        assert STAFF_WORDS not in seen.to_json()
    assert desk.ticket(world.agent, tid).assessment.note == STAFF_WORDS


def test_the_end_user_archive_lists_the_slips_its_reader_may_read(shop: Desk) -> None:
    # The first dealer's slip to its customer is its business: the second dealer of the region reads the
    # customer's archive (its region's) but neither the slip nor, now, its number there (before: listed).
    desk, world = shop.desk, shop.world
    tid = desk.open_ticket(FIRST, customer_id="cust-zh", description="漏水", asset_id="asset-1").ticket.id
    desk.triage(FIRST, tid, nature="leak", severity=Severity.MEDIUM)
    slip = desk.fees.issue_slip(
        FIRST, tid, lines=[ChargeLine(ChargeKind.LABOUR, "repair_visit", Money("80", "CNY"))]
    )
    assert desk.fees.slips_of(SECOND, tid) == []
    assert desk.archives.customer_archive(SECOND, "cust-zh").fee_slips == ()
    for reader in (FIRST, world.customer_zh, world.manager):
        assert desk.archives.customer_archive(reader, "cust-zh").fee_slips == (slip.id,)


def test_the_customer_reads_the_complaints_history_without_the_offices_deliberation(shop: Desk) -> None:
    # The complaint file leaves out the escalations and what a remedy cost the company; the ticket's history
    # carried both in its steps' facts (before: the handler's escalation note and the cost, in desk.ticket,
    # the ledger and search, to the customer and to a second dealer of the region).
    desk, world = shop.desk, shop.world
    complaints, agent = desk.complaints, world.agent
    cid = complaints.open_complaint(agent, "cust-zh", "安装师傅态度差", asset_id="asset-1").ticket.id
    complaints.escalate(agent, cid, reason="客户扬言找媒体，内部升级")
    complaints.investigate(agent, cid)
    complaints.propose_solution(agent, cid, solution="赠送密封圈")
    complaints.agree_solution(world.customer_zh, cid)
    complaints.grant_remedy(
        agent, cid, kind=RemedyKind.FREE_ACCESSORY, cost=Money("123.45", "CNY"), item="seal_ring"
    )
    for reader in (world.customer_zh, SECOND):
        for seen in (desk.ticket(reader, cid), *desk.search(reader, "态度").items):
            text = seen.to_json()
            assert "内部升级" not in text and "123.45" not in text
            assert [e.action for e in seen.events] == [e.action for e in desk.ticket(agent, cid).events]
    assert "内部升级" in desk.ticket(FIRST, cid).to_json()  # the dealer whose customer it is reads it whole
    assert "123.45" in desk.ticket(world.auditor, cid).to_json()


def test_a_dealers_stock_unit_is_as_unknown_as_no_unit_to_whom_may_not_know_it(shop: Desk) -> None:
    # A unit of nobody's yet: the Beijing dealer's stock. Before, the Shanghai customer and dealer naming
    # it opened a ticket on it (its batch and product copied in), and planning it answered "unit has no
    # owner"; an unknown unit is NotFound. Now the same NotFound; the office and its dealer still name it.
    desk, world = shop.desk, shop.world
    stock = attrs.evolve(world.asset, id=AssetId("stock-1"), serial="SN-STOCK", customer_id=None)
    desk.register_asset(world.manager, attrs.evolve(stock, dealer_id=DealerId("dealer-bj")))
    before = desk.count(world.manager)
    for actor in (world.customer_zh, FIRST):
        for unit in ("stock-1", "stock-404"):
            with pytest.raises(NotFound) as refused:
                desk.open_ticket(actor, customer_id="cust-zh", description="漏水", asset_id=unit)
            assert refused.value.kind == "asset"
    for unit in ("stock-1", "stock-404"):
        with pytest.raises(NotFound) as refused:
            desk.maintenance.create_plan(FIRST, asset_id=unit)
        assert refused.value.kind == "asset"
    assert desk.count(world.manager) == before
    opened = desk.open_ticket(world.agent, customer_id="cust-zh", description="漏水", asset_id="stock-1")
    assert opened.ticket.asset_id == "stock-1"


def test_a_second_dealer_reads_a_complaint_file_without_the_offices_deliberation(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    cid = desk.complaints.open_complaint(
        world.agent, "cust-zh", "安装师傅态度差", asset_id="asset-1"
    ).ticket.id
    desk.complaints.classify(world.agent, cid, major_by_judgement="媒体可能关注")
    assert desk.complaints.complaint_file(FIRST, cid).judgement is not None
    assert desk.complaints.complaint_file(SECOND, cid).judgement is None  # before: the handler's judgement


def test_a_dealer_takes_only_the_calls_that_are_its_own_job(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    before = desk.count(world.manager)
    # The Shanghai customer is the first dealer's: the second reads it (its region's) but does not book its
    # call (before: booked, a ticket it could then not work, its contract clock started at the call).
    with pytest.raises(PermissionDenied):
        desk.open_ticket(SECOND, customer_id="cust-zh", description="漏水", asset_id="asset-1")
    with pytest.raises(NotFound):  # another region's dealer does not know the customer at all
        desk.open_ticket(BEIJING, customer_id="cust-zh", description="漏水")
    assert desk.count(world.manager) == before
    opened = desk.open_ticket(FIRST, customer_id="cust-zh", description="漏水").ticket
    assert opened.dealer_id == "dealer-sh"
    # A complaint is anyone's to report (seed 004: a callback hears it): the second dealer may open one.
    assert (
        desk.complaints.open_complaint(SECOND, "cust-zh", "上次维修后又漏水").ticket.dealer_id == "dealer-sh"
    )


def test_a_customer_of_no_dealer_calls_through_the_office_or_about_a_dealers_unit(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    manager = world.manager
    desk.register_customer(manager, attrs.evolve(world.cust_zh, id=CustomerId("cust-direct"), dealer_id=None))
    unit = attrs.evolve(
        world.asset, id=AssetId("asset-d"), serial="SN-D", customer_id=CustomerId("cust-direct")
    )
    desk.register_asset(manager, unit)  # sold by the first dealer
    # No dealer sold to the customer: a call without the unit is the office's to take and pass on.
    with pytest.raises(PermissionDenied):
        desk.open_ticket(FIRST, customer_id="cust-direct", description="咨询")
    # About the unit the first dealer sold, the call is its job: booked to it, and it works it.
    tid = desk.open_ticket(FIRST, customer_id="cust-direct", description="漏水", asset_id="asset-d").ticket.id
    assert desk.ticket(manager, tid).dealer_id == "dealer-sh"
    desk.triage(FIRST, tid, nature="leak", severity=Severity.MEDIUM)
    with pytest.raises(PermissionDenied):
        desk.open_ticket(SECOND, customer_id="cust-direct", description="漏水", asset_id="asset-d")
    # The office takes the other call and passes it on (甲方的电话通知).
    call = desk.open_ticket(world.agent, customer_id="cust-direct", description="咨询").ticket
    assert call.dealer_id is None
    # The record of a customer no dealer sold to is the maker's archive (seed 002:
    # 甲方及时为每个用户建立档案): a dealer of the region does not change it.
    with pytest.raises(PermissionDenied):
        desk.register_customer(
            FIRST, attrs.evolve(world.cust_zh, id=CustomerId("cust-direct"), dealer_id=None)
        )


# -- ids the caller chooses: no create tells a dealer of a record it cannot read -------------------------


def _outcome(create: Callable[[str], object], record_id: str) -> tuple[str, str]:
    """How ``create(record_id)`` ended: answered, or the typed error with the field (or kind) it names."""
    try:
        create(record_id)
    except NotFound as error:
        return "NotFound", error.kind
    except ValidationError as error:
        return "ValidationError", str(error.field)
    except AftersalesError as error:
        return type(error).__name__, ""
    return "answered", ""


def _beijing(desk: ServiceDesk, manager: Actor) -> None:
    bj = Customer(CustomerId("cust-bj"), "刘洋", Contact("刘洋", phone="13711112222"), region="BJ")
    desk.register_customer(manager, attrs.evolve(bj, dealer_id=DealerId("dealer-bj")))
    desk.register_asset(manager, _unit("unit-bj", "cust-bj", "dealer-bj"))
    desk.register_asset(manager, _unit("unit-bj2", "cust-bj", "dealer-bj"))
    desk.contracts.sign(manager, _contract("HT-BJ", "cust-bj", ("unit-bj",)))
    desk.contracts.sign(manager, _contract("HT-SH", "cust-zh", ("asset-1",)))
    desk.maintenance.create_plan(manager, asset_id="asset-1", plan_id="MP-SH")


def _unit(aid: str, customer: str, dealer: str | None) -> Asset:
    return Asset(
        AssetId(aid), ProductId("wc-100"), f"SN-{aid}", customer_id=CustomerId(customer),
        purchase_date=date(2025, 9, 1), dealer_id=DealerId(dealer) if dealer else None,
    )  # fmt: skip


def _contract(
    cid: str, customer: str | None, assets: tuple[str, ...], dealer: str | None = None
) -> ServiceContract:
    return ServiceContract(
        id=cid, starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=Money("800.00", "CNY"),
        customer_id=CustomerId(customer) if customer else None,
        dealer_id=DealerId(dealer) if dealer else None, assets=assets,
    )  # fmt: skip


def _creates(desk: ServiceDesk, actor: Actor) -> dict[str, Callable[[str], object]]:
    """Each create that takes its id from the caller, naming ``id`` for a record of the Beijing dealer."""
    bj = Customer(
        CustomerId("x"),
        "新客户",
        Contact("新客户", phone="13711113333"),
        region="BJ",
        dealer_id=DealerId("dealer-bj"),
    )
    return {
        "contracts.sign": lambda i: desk.contracts.sign(actor, _contract(i, "cust-bj", ("unit-bj2",))),
        "contracts.renew": lambda i: desk.contracts.renew(
            actor, "HT-BJ", new_id=i, ends_on=date(2028, 2, 28), price=Money("800.00", "CNY")
        ),
        "maintenance.create_plan": lambda i: desk.maintenance.create_plan(
            actor, asset_id="unit-bj2", plan_id=i
        ),
        "register_customer": lambda i: desk.register_customer(actor, attrs.evolve(bj, id=CustomerId(i))),
        "register_asset": lambda i: desk.register_asset(actor, _unit(i, "cust-bj", "dealer-bj")),
    }


TAKEN = {  # an id of a Shanghai record the Beijing dealer cannot read, per create
    "contracts.sign": "HT-SH",
    "contracts.renew": "HT-SH",
    "maintenance.create_plan": "MP-SH",
    "register_customer": "cust-zh",
    "register_asset": "asset-1",
}


def test_an_id_a_dealer_chooses_tells_it_nothing_of_a_record_it_cannot_read(shop: Desk) -> None:
    # Before: the Beijing dealer naming the Shanghai contract's, plan's, customer's or unit's id was told
    # "contract HT-SH already exists" (DuplicateError), "plan MP-SH already exists" or PermissionDenied,
    # where the same create with an unused id was answered, and reading the id answered NotFound. Now a
    # dealer names new records in its own id space, <dealer id>:<name>: the answer depends on the id alone.
    desk, world = shop.desk, shop.world
    _beijing(desk, world.manager)
    for name, create in _creates(desk, BEIJING).items():
        before = _state(desk)
        taken, unused = _outcome(create, TAKEN[name]), _outcome(create, f"{TAKEN[name]}-404")
        assert taken == unused, name
        assert taken[0] == "ValidationError", name
        assert _state(desk) == before, name
    for name, create in _creates(desk, BEIJING).items():  # in its own space, each create is answered
        assert _outcome(create, f"dealer-bj:{name}") == ("answered", ""), name
    # The office reads every record: it names any id, and a taken one is a DuplicateError.
    with pytest.raises(DuplicateError):
        desk.contracts.sign(world.manager, _contract("HT-SH", "cust-bj", ("unit-bj2",)))


def test_another_contract_on_a_dealers_unit_is_named_only_to_whom_may_read_it(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    hz = Customer(
        CustomerId("cust-hz"),
        "杭州客户",
        Contact("杭州客户", phone="13711114444"),
        region="HZ",
        dealer_id=DealerId("dealer-sh"),
    )
    desk.register_customer(world.manager, hz)
    desk.register_asset(world.manager, _unit("unit-hz", "cust-hz", "dealer-sh"))
    desk.contracts.sign(world.manager, _contract("HT-HZ", "cust-hz", ("unit-hz",)))
    with pytest.raises(NotFound):
        desk.contracts.get(FIRST, "HT-HZ")  # a Hangzhou customer's contract: not the Shanghai staff's to read
    with pytest.raises(ValidationError) as refused:
        desk.contracts.sign(FIRST, _contract("dealer-sh:K-1", None, ("unit-hz",), dealer="dealer-sh"))
    assert "HT-HZ" not in str(refused.value) and refused.value.field == "assets"  # before: named it
    with pytest.raises(ValidationError) as told:
        desk.contracts.sign(world.manager, _contract("K-2", None, ("unit-hz",), dealer="dealer-sh"))
    assert "HT-HZ" in str(told.value)


def _state(desk: ServiceDesk) -> list[str]:
    with desk.store() as uow:
        kinds = (ServiceContract, MaintenancePlan)
        records = [sorted(map(repr, uow.documents.query(kind))) for kind in kinds]
        records.append(sorted(repr(uow.customers.get(c)) for c in ("cust-zh", "cust-bj")))
        records.append(sorted(repr(a) for a in uow.assets.list(customer_id="cust-bj")))
        records.append(sorted(repr(a) for a in uow.assets.list(customer_id="cust-zh")))
    return [repr(r) for r in records]
