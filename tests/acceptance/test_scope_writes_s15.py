# mypy: disable-error-code="arg-type"
"""Writes outside tickets follow the rule of ticket writes, on memory, SQLite and PostgreSQL.

Seed 002: each dealer serves what it sold (乙方负责所售产品的全过程服务) and helps with the callbacks and
satisfaction surveys of its region (乙方有义务配合甲方对本区域的用户进行回访和满意度调查工作). A second
dealer of the Shanghai region reads the Shanghai dealer's customer, contract and plan (its region's); it does
not sign, renew or plan that dealer's contracts, change its plans, or change its customers and units. An
out-of-scope write is refused as an unknown id is (``NotFound`` of the same kind), or — registering master
data, where no id is unknown — with ``PermissionDenied``, as for another region's customer; nothing changes.
The first dealer names its new records in its own id space (``dealer-sh:…``, session 16).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import attrs
import pytest

from aftersales import ChargeKind, ChargeLine
from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId
from aftersales.domain.knowledge import ArticleContent, ArticleProblem
from aftersales.domain.maintenance import MaintenancePlan, UsageInterval
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, Dealer, Engineer, EngineerLevel
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.survey_campaigns import SamplingRules, SurveyTask
from aftersales.domain.surveys import SatisfactionSurvey
from aftersales.errors import AftersalesError, NotFound, PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

MANAGER = Actor.manager("mgr-1")
FIRST = Actor.dealer_staff("sh-staff-1", "dealer-sh", {"SH"})
SECOND = Actor.dealer_staff("sh2-staff-1", "dealer-sh2", {"SH"})
"""Staff of a second Shanghai dealer: the Shanghai customer 张伟 is its region's, not its dealer's."""
BEIJING = Actor.dealer_staff("bj-staff-1", "dealer-bj", {"BJ"})
PRICE = Money("1200.00", "CNY")
Write = Callable[[ServiceDesk, Actor], object]


@attrs.frozen
class World:
    desk: ServiceDesk
    plan: str
    task: str


def _contract(cid: str, assets: tuple[str, ...], customer: str = "cust-zh") -> ServiceContract:
    return ServiceContract(
        id=cid, starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=PRICE,
        customer_id=CustomerId(customer), assets=assets,
    )  # fmt: skip


def _unit(aid: str, customer: str | None = "cust-zh", dealer: str | None = "dealer-sh") -> Asset:
    return Asset(
        AssetId(aid), "wc-100", f"SN-{aid}", customer_id=customer, purchase_date=date(2025, 9, 1),
        dealer_id=dealer,
    )  # fmt: skip


def _build(desk: ServiceDesk) -> World:
    world = make_world()
    register(desk, world)
    desk.register_dealer(MANAGER, Dealer(DealerId("dealer-sh2"), "上海二号经销商", "SH", frozenset({"SH"})))
    desk.register_asset(MANAGER, _unit("asset-2"))
    desk.contracts.sign(MANAGER, _contract("HT-1", ("asset-1",)))
    usage = UsageInterval(every=500, unit="cycles")
    plan = desk.maintenance.create_plan(MANAGER, asset_id="asset-1", usage=usage, contract_id="HT-1")
    rules = SamplingRules(sample_size=10, served_within_days=None)
    desk.surveys.start(MANAGER, campaign_id="q1", period="2026-Q1", rules=rules)
    [task] = [t for t in desk.surveys.tasks(MANAGER, "q1") if t.customer_id == "cust-zh"]
    return World(desk, plan.id, task.id)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path, "scope.db"))
        desk = stack.enter_context(
            ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START), staff=STAFF)
        )
        yield _build(desk)


def _state(desk: ServiceDesk) -> list[str]:
    with desk.store() as uow:
        records = [
            sorted(map(repr, uow.documents.query(kind))) for kind in (ServiceContract, MaintenancePlan)
        ]
        records.append(sorted(map(repr, uow.documents.query(SurveyTask))))
        records.append([repr(uow.customers.get(c)) for c in ("cust-zh", "cust-en")])
        records.append([repr(a) for a in sorted(uow.assets.list(customer_id="cust-zh"), key=lambda a: a.id)])
    return [repr(r) for r in records]


def _outcome(write: Write, desk: ServiceDesk, actor: Actor) -> tuple[str, str]:
    """How ``write(desk, actor)`` ended: answered, or the typed error (with a ``NotFound``'s kind)."""
    try:
        write(desk, actor)
    except NotFound as error:
        return "NotFound", error.kind
    except AftersalesError as error:
        return type(error).__name__, ""
    return "answered", ""


RENAMED = Customer(
    CustomerId("cust-zh"),
    "张伟（改）",
    Contact("张伟", phone="13912345678"),
    region="SH",
    dealer_id=DealerId("dealer-sh"),
)
NEW_ID = "dealer-sh:HT-3"
"""A new record the first dealer's staff name has an id of its dealer's space (scope.check_chosen_id)."""
# name: (the write on the first dealer's record, the same write naming an unknown record, the error)
BY_ID: dict[str, tuple[Write, Write]] = {
    "contracts.sign": (
        lambda d, a: d.contracts.sign(a, _contract("dealer-sh:HT-2", ("asset-2",))),
        lambda d, a: d.contracts.sign(a, _contract("dealer-sh:HT-2", ("asset-2",), customer="cust-nobody")),
    ),
    "contracts.renew": (
        lambda d, a: d.contracts.renew(a, "HT-1", new_id=NEW_ID, ends_on=date(2028, 2, 28), price=PRICE),
        lambda d, a: d.contracts.renew(a, "HT-404", new_id=NEW_ID, ends_on=date(2028, 2, 28), price=PRICE),
    ),
    "maintenance.create_plan": (
        lambda d, a: d.maintenance.create_plan(a, asset_id="asset-2"),
        lambda d, a: d.maintenance.create_plan(a, asset_id="asset-404"),
    ),
    "maintenance.plan_contract": (
        lambda d, a: d.maintenance.plan_contract(a, "HT-1"),
        lambda d, a: d.maintenance.plan_contract(a, "HT-404"),
    ),
    "maintenance.record_reading": (
        lambda d, a: d.maintenance.record_reading(a, "MP-asset-1", 100),
        lambda d, a: d.maintenance.record_reading(a, "MP-asset-404", 100),
    ),
    "maintenance.end_plan": (
        lambda d, a: d.maintenance.end_plan(a, "MP-asset-1", reason="客户不要了"),
        lambda d, a: d.maintenance.end_plan(a, "MP-asset-404", reason="客户不要了"),
    ),
}
MASTER_DATA: dict[str, Write] = {
    "register_customer (update)": lambda d, a: d.register_customer(a, RENAMED),
    "register_customer (new, the first dealer's)": lambda d, a: d.register_customer(
        a, attrs.evolve(RENAMED, id=CustomerId("dealer-sh:cust-new"))
    ),
    "register_asset (update)": lambda d, a: d.register_asset(a, attrs.evolve(_unit("asset-2"), batch="B-X")),
    "register_asset (new, the first dealer's customer)": lambda d, a: d.register_asset(
        a, _unit("dealer-sh:asset-9", dealer=None)
    ),
}


def test_a_second_dealer_of_the_region_changes_none_of_the_first_dealers_records(world: World) -> None:
    desk = world.desk
    assert world.plan == "MP-asset-1"  # the ids the table names
    assert desk.contracts.get(SECOND, "HT-1").id == "HT-1"  # it reads its region's contract and plan
    assert [p.id for p in desk.maintenance.plans(SECOND, customer_id="cust-zh")] == [world.plan]
    for name, (write, unknown) in BY_ID.items():
        before = _state(desk)
        refused = _outcome(write, desk, SECOND)
        assert refused[0] == "NotFound", name
        assert refused == _outcome(unknown, desk, SECOND), name  # as an unknown id
        assert refused == _outcome(write, desk, BEIJING), name  # as another region's dealer
        assert _state(desk) == before, name
    for name, master in MASTER_DATA.items():
        before = _state(desk)
        with pytest.raises(PermissionDenied):
            master(desk, SECOND)
        # Another region's dealer: refused as for the first dealer's customer it cannot read, a unit of it
        # as one of a customer that does not exist (the customer is named, not the unit).
        expected = ("NotFound", "customer") if "asset" in name else ("PermissionDenied", "")
        assert _outcome(master, desk, BEIJING) == expected, name
        assert _state(desk) == before, name


def test_the_first_dealer_makes_the_same_writes(world: World) -> None:
    # The rule is the dealer's, not a refusal of dealer staff: its own staff sign, renew, plan and register.
    desk = world.desk
    for name, master in MASTER_DATA.items():
        assert _outcome(master, desk, FIRST) == ("answered", ""), name
    renewed = desk.contracts.renew(FIRST, "HT-1", new_id=NEW_ID, ends_on=date(2028, 2, 28), price=PRICE)
    assert renewed.id == NEW_ID
    assert desk.maintenance.record_reading(FIRST, world.plan, 100).last_reading == 100
    desk.maintenance.end_plan(FIRST, world.plan, reason="客户不要了")
    assert [p.asset_id for p in desk.maintenance.plan_contract(FIRST, "HT-1")] == ["asset-1"]
    assert desk.contracts.sign(FIRST, _contract("dealer-sh:HT-2", ("asset-2",))).id == "dealer-sh:HT-2"
    plan = desk.maintenance.create_plan(FIRST, asset_id="dealer-sh:asset-9")
    assert plan.dealer_id == "dealer-sh"


def test_a_second_dealer_of_the_region_answers_its_region_s_survey(world: World) -> None:
    # The one write the seed gives a dealer over its region beside the callbacks: the satisfaction survey.
    desk = world.desk
    scores = SatisfactionSurvey(5, 5, 5, 5, 5, 5, attitude=5)
    before = _state(desk)
    with pytest.raises(NotFound):
        desk.surveys.answer(BEIJING, world.task, survey=scores)
    assert _state(desk) == before
    assert desk.surveys.answer(SECOND, world.task, survey=scores).answers == scores


# -- replays of document writes: no way back to a record out of scope ---------------------------------------

MOVED = Actor.dealer_staff("sh-staff-1", "dealer-bj", {"BJ"})
"""The Shanghai dealer's staff member, now working for the Beijing dealer under the same login."""
SEAL = ChargeLine(ChargeKind.MATERIALS, "WN-SEAL-02", Money("5.00", "CNY"), 1, chargeable=False)


def test_a_replayed_document_write_is_no_way_back_to_a_record_out_of_scope(world: World) -> None:
    # A keyed document write replayed returns the record as it now stands. Before, it did so whoever
    # asked under the key: the Shanghai dealer's staff member who moved to the Beijing dealer got the
    # Shanghai customer's contract and plan back, and the engineer the ticket was taken from got the
    # materials filed on it. Now each replay is judged by the read rule of its record (NotFound as an
    # unknown id); one still in scope is replayed as before.
    desk = world.desk
    usage = UsageInterval(every=500, unit="cycles")

    def sign(actor: Actor) -> object:
        return desk.contracts.sign(actor, _contract("dealer-sh:HT-2", ("asset-2",)), idempotency_key="k-sign")

    def plan(actor: Actor) -> object:
        return desk.maintenance.create_plan(actor, asset_id="asset-2", usage=usage, idempotency_key="k-plan")

    def reading(actor: Actor) -> object:
        return desk.maintenance.record_reading(actor, world.plan, 100, idempotency_key="k-read")

    first = (sign(FIRST), plan(FIRST), reading(FIRST))
    assert (sign(FIRST), plan(FIRST), reading(FIRST)) == first  # replayed, in scope
    desk.register_engineer(
        MANAGER, Engineer(EngineerId("eng-x"), "外援", EngineerLevel.SENIOR, frozenset({"plumbing"}), "SH")
    )
    outsider = Actor.engineer("eng-x", team="team-west")
    tid = desk.open_ticket(MANAGER, customer_id="cust-zh", description="水箱漏水").ticket.id
    desk.triage(MANAGER, tid, nature="flush_valve_leak", severity=Severity.MEDIUM)
    desk.dispatch(MANAGER, tid, engineer_id="eng-x")
    desk.start_work(outsider, tid)

    def issue() -> object:
        return desk.fees.record_free_issue(outsider, tid, [SEAL], idempotency_key="k-issue")

    assert issue() == issue()  # replayed while it is its ticket
    desk.dispatch(MANAGER, tid, engineer_id="eng-jr", reason="换人")
    replays: dict[str, Callable[[], object]] = {
        "contracts.sign": lambda: sign(MOVED),
        "maintenance.create_plan": lambda: plan(MOVED),
        "maintenance.record_reading": lambda: reading(MOVED),
        "fees.record_free_issue": issue,
    }
    for name, replay in replays.items():
        before = _state(desk)
        with pytest.raises(NotFound):
            replay()
        assert _state(desk) == before, name
    assert desk.contracts.get(FIRST, "dealer-sh:HT-2").id == "dealer-sh:HT-2"  # its own staff still read them


def test_replays_in_scope_of_every_kind_of_author_still_answer(world: World) -> None:
    # The rule is a read rule, not a refusal of whoever is not the office: a customer, dealer staff and an
    # engineer replay what they wrote.
    desk = world.desk
    scores = SatisfactionSurvey(4, 4, 4, 4, 4, 4, attitude=4)
    customer = Actor.customer("cust-zh")
    junior = Actor.engineer("eng-jr", team="team-east")
    problem = ArticleProblem(("keeps_flushing",), product_id="wc-100")
    content = ArticleContent("zh_Hans", "冲水不停", "马桶一直冲水", ("进水阀磨损",), ("更换进水阀",))
    writes: dict[str, Callable[[], object]] = {
        "surveys.answer": lambda: desk.surveys.answer(
            customer, world.task, survey=scores, idempotency_key="k-ans"
        ),
        "knowledge.write_article": lambda: desk.knowledge.write_article(
            junior, problem=problem, contents=[content], idempotency_key="k-kb"
        ),
        "reports.submit_dealer_report": lambda: desk.reports.submit_dealer_report(
            FIRST, "dealer-sh", "2026-02", installations=1, repairs=2, idempotency_key="k-rep"
        ),
    }
    for name, write in writes.items():
        assert write() == write(), name


def test_a_visit_out_of_scope_is_as_unknown_as_any_other_id(world: World) -> None:
    # Before, the Beijing dealer's staff asking to complete, postpone or miss a Shanghai maintenance visit
    # got NotFound naming the visit's *ticket*: the visit existed, and this was its ticket's number.
    desk = world.desk
    desk.maintenance.create_plan(MANAGER, asset_id="asset-2", first_due=date(2026, 3, 10))
    [visit] = desk.maintenance.generate_due(Actor.system()).generated
    commands: dict[str, Callable[[str], object]] = {
        "complete_visit": lambda v: desk.maintenance.complete_visit(BEIJING, v, results=[]),
        "postpone_visit": lambda v: desk.maintenance.postpone_visit(
            BEIJING, v, to=date(2026, 3, 20), reason="改期"
        ),
        "miss_visit": lambda v: desk.maintenance.miss_visit(BEIJING, v, reason="不在家"),
    }
    for name, command in commands.items():
        before = _state(desk)
        with pytest.raises(NotFound) as refused:
            command(visit.id)
        with pytest.raises(NotFound) as unknown:
            command("MV-404")
        assert (refused.value.kind, unknown.value.kind) == ("maintenance_visit", "maintenance_visit"), name
        assert visit.ticket_id not in str(refused.value), name
        assert _state(desk) == before, name
    with pytest.raises(PermissionDenied):  # a second dealer of the region reads it; the job is not its own
        desk.maintenance.miss_visit(SECOND, visit.id, reason="不在家")


def test_naming_another_dealer_s_unit_or_contract_is_as_naming_an_unknown_one(world: World) -> None:
    # Before, the Beijing dealer signing a contract for its own customer that named the Shanghai customer's
    # unit was told "unit asset-1 is not a unit of customer cust-bj", and a plan of its own unit naming the
    # Shanghai contract "contract HT-1 does not cover unit unit-bj": both exist, and whose they are. Now
    # both are NotFound, exactly as an unknown unit or contract.
    desk = world.desk
    bj = Customer(CustomerId("cust-bj"), "刘洋", Contact("刘洋", phone="13711112222"), region="BJ")
    desk.register_customer(MANAGER, attrs.evolve(bj, dealer_id=DealerId("dealer-bj")))
    desk.register_asset(MANAGER, _unit("unit-bj", customer="cust-bj", dealer="dealer-bj"))
    attempts: dict[str, tuple[Write, Write]] = {
        "contracts.sign": (
            lambda d, a: d.contracts.sign(a, _contract("HT-9", ("unit-bj", "asset-1"), customer="cust-bj")),
            lambda d, a: d.contracts.sign(a, _contract("HT-9", ("unit-bj", "asset-404"), customer="cust-bj")),
        ),
        "maintenance.create_plan": (
            lambda d, a: d.maintenance.create_plan(a, asset_id="unit-bj", contract_id="HT-1"),
            lambda d, a: d.maintenance.create_plan(a, asset_id="unit-bj", contract_id="HT-404"),
        ),
    }
    for name, (named, unknown) in attempts.items():
        before = _state(desk)
        refused = _outcome(named, desk, BEIJING)
        assert refused[0] == "NotFound" and refused == _outcome(unknown, desk, BEIJING), name
        assert _state(desk) == before, name
    with pytest.raises(AftersalesError) as office:  # the office, who reads every unit, is told why
        desk.contracts.sign(MANAGER, _contract("HT-9", ("unit-bj", "asset-1"), customer="cust-bj"))
    assert "not a unit of customer cust-bj" in str(office.value)
