# mypy: disable-error-code="arg-type"
"""Every report a person reads is judged by the one permission table, on memory, SQLite and PostgreSQL.

Before, only the KPI report, the month's money, the budgets, the SLA breaches, the ledger export and the
monthly feedback had an entry that judged its reader; the fault Pareto and trend, the batch-incident
report, the dealers' monthly reports, the engineers' conduct, the KPI trend, the agents' KPIs and the
maintenance figures took a store and answered anyone a host passed them to. Now each has a ``scoped_*``
entry asking ``desk.reports.*_scope`` (the permission table's ``REPORT_ROLES``): the heads and the
auditor read the network; dealer staff their own dealer's part where seed 002 gives them one (乙方
reports its installations and repairs and is spot-checked: 每月…统计并报至甲方的售后服务部, 甲方有权…抽查);
customers, engineers and agents read none of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.ports.reporting import FaultDimension, Period
from aftersales.reports import (
    plan_compliance,
    scoped_agent_kpis,
    scoped_batch_incidents,
    scoped_contract_figures,
    scoped_dealer_monthly,
    scoped_due_visits,
    scoped_fault_pareto,
    scoped_fault_trend,
    scoped_kpi_trend,
    scoped_plan_compliance,
    scoped_recurring_faults,
    scoped_service_conduct,
)
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, START, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
Net = tuple[ServiceDesk, World, dict[str, str]]


def _repair(desk: ServiceDesk, world: World, customer: str, asset: str, dealer: str, staff: Actor,
            fault: tuple[str, str]) -> str:  # fmt: skip
    ticket_id = desk.open_ticket(
        world.agent, customer_id=customer, description="一直冲水", asset_id=asset
    ).ticket.id
    desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, dealer_id=dealer)
    desk.start_work(staff, ticket_id)
    desk.add_fault_record(staff, ticket_id, symptom=fault[0], cause=fault[1], action="adjust")
    desk.resolve(staff, ticket_id, summary="调整")
    return ticket_id


@pytest.fixture(params=BACKENDS)
def net(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Net]:
    """Two dealers' repairs (Shanghai's and Beijing's), a maintenance plan of a unit of each, and a
    contract of the Shanghai dealer's customer."""
    with world_desk(request.param, tmp_path, "sanitary_ware") as (desk, clock, world):
        m = world.manager
        desk.register_customer(m, Customer(
            CustomerId("cust-bj"), "李娜", Contact("李娜", phone="13912340000"), CustomerTier.REGULAR,
            region="BJ", dealer_id=world.dealer_bj.id))  # fmt: skip
        desk.register_asset(m, Asset(
            AssetId("asset-bj"), world.product.id, "SN-2025-0900", customer_id=CustomerId("cust-bj"),
            batch="B2025-07", purchase_date=date(2025, 9, 1), installation_accepted_on=date(2025, 9, 3),
            dealer_id=world.dealer_bj.id))  # fmt: skip
        ids = {
            "sh": _repair(desk, world, world.cust_zh.id, "asset-1", world.dealer_sh.id, world.dealer_sh_staff,
                          ("keeps_flushing", "flush_valve_worn")),
            "bj": _repair(desk, world, "cust-bj", "asset-bj", world.dealer_bj.id, world.dealer_bj_staff,
                          ("slow_fill", "float_stuck")),
        }  # fmt: skip
        for asset in ("asset-1", "asset-bj"):
            desk.maintenance.create_plan(m, asset_id=asset, first_due=date(2026, 3, 10))
        desk.maintenance.generate_due(world.system)
        signed = desk.contracts.sign(m, ServiceContract(
            id="HT-SH-1", starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28),
            price=Money("3600.00", "CNY"), customer_id=world.cust_zh.id, assets=("asset-1",),
            coverage=ContractCoverage(labour=True, parts=False, travel=True, visits_per_year=2)))  # fmt: skip
        ids["contract"] = signed.id
        clock.advance(timedelta(hours=1))
        yield desk, world, ids


def _period() -> Period:
    return Period(START - timedelta(days=1), START + timedelta(days=2))


def _counts(desk: ServiceDesk, actor: Actor) -> dict[str, int]:
    pareto = scoped_fault_pareto(desk, actor, reporting_for(desk.store), _period(), FaultDimension.SYMPTOM)
    return {item.key: item.count for item in pareto.items}


def test_the_fault_pareto_and_trend_the_network_for_the_heads_own_jobs_for_a_dealer(net: Net) -> None:
    desk, world, _ids = net
    network = {"keeps_flushing": 1, "slow_fill": 1}
    for head in (world.manager, world.department_head, world.general_manager, world.auditor):
        assert _counts(desk, head) == network
    assert _counts(desk, world.dealer_sh_staff) == {"keeps_flushing": 1}
    assert _counts(desk, world.dealer_bj_staff) == {"slow_fill": 1}
    queries = reporting_for(desk.store)
    trend = scoped_fault_trend(
        desk, world.dealer_bj_staff, queries, ["2026-02", "2026-03"], FaultDimension.CAUSE
    )
    assert trend.series == {"float_stuck": (0, 1)}
    assert scoped_fault_trend(desk, world.manager, queries, ["2026-03"], FaultDimension.CAUSE).series == {
        "flush_valve_worn": (1,), "float_stuck": (1,)
    }  # fmt: skip
    for outsider in (world.customer_zh, world.junior, world.agent, Actor.dealer_staff("lost", None, {"SH"})):
        with pytest.raises(PermissionDenied):
            _counts(desk, outsider)
        with pytest.raises(PermissionDenied):
            scoped_fault_trend(desk, outsider, queries, ["2026-03"], FaultDimension.CAUSE)
    with pytest.raises(ValidationError) as refused:
        scoped_fault_pareto(desk, world.dealer_sh_staff, queries, _period(), "colour")
    assert refused.value.field == "dimension"


def test_batch_incidents_conduct_and_agents_kpis_are_the_heads_only(net: Net) -> None:
    desk, world, _ids = net
    queries = reporting_for(desk.store)
    sizes = {(world.product.id, "B2025-07"): 100}
    until = START + timedelta(days=2)
    assert scoped_batch_incidents(desk, world.manager, queries, until, batch_sizes=sizes) == []
    report = scoped_service_conduct(desk, world.auditor, _period())
    assert report.period == _period()
    kpis = scoped_agent_kpis(desk, world.general_manager, _period())
    assert [row.group for row in kpis.rows] == [world.agent.id]  # the agent registered both calls
    for outsider in (world.dealer_sh_staff, world.customer_zh, world.junior, world.agent):
        with pytest.raises(PermissionDenied):
            scoped_batch_incidents(desk, outsider, queries, until, batch_sizes=sizes)
        with pytest.raises(PermissionDenied):
            scoped_service_conduct(desk, outsider, _period())
        with pytest.raises(PermissionDenied):
            scoped_agent_kpis(desk, outsider, _period())


def test_the_dealers_months_and_the_kpi_trend_a_dealer_reads_its_own_row(net: Net) -> None:
    desk, world, ids = net
    queries = reporting_for(desk.store)
    # The customers accept both repairs in March: the month counts the jobs completed in it (session 24).
    desk.confirm(world.customer_zh, ids["sh"], note="好了")
    desk.confirm(Actor.customer("cust-bj"), ids["bj"], note="好了")
    april = datetime(2026, 4, 10, 9, 0, tzinfo=SHANGHAI)
    every = scoped_dealer_monthly(desk, world.manager, queries, "2026-03", as_of=april)
    assert {r.dealer_id for r in every.rows} == {world.dealer_sh.id, world.dealer_bj.id}
    own = scoped_dealer_monthly(desk, world.dealer_bj_staff, queries, "2026-03", as_of=april)
    assert [(r.dealer_id, r.repairs) for r in own.rows] == [(world.dealer_bj.id, 1)]
    assert own.missing == (world.dealer_bj.id,)  # not the Shanghai dealer's standing
    trend = scoped_kpi_trend(desk, world.dealer_sh_staff, queries, ["2026-03"])
    network = scoped_kpi_trend(desk, world.manager, queries, ["2026-03"])
    # The network: two repairs and the two maintenance visits' tickets; the Shanghai dealer's customers':
    # its repair and its visit.
    assert network.rows[0].counts.tickets == 4
    assert trend.rows[0].counts.tickets == 2
    for outsider in (world.customer_zh, world.junior, world.agent):
        with pytest.raises(PermissionDenied):
            scoped_dealer_monthly(desk, outsider, queries, "2026-03", as_of=april)
        with pytest.raises(PermissionDenied):
            scoped_kpi_trend(desk, outsider, queries, ["2026-03"])


def test_the_maintenance_figures_a_dealer_reads_its_own_plans_visits_and_contracts(net: Net) -> None:
    desk, world, ids = net
    start, end, today = date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1)
    rows = scoped_plan_compliance(desk, world.manager, start, end, today=today)
    assert [r.group for r in rows] == [world.dealer_bj.id, world.dealer_sh.id, "total"]
    own = scoped_plan_compliance(desk, world.dealer_sh_staff, start, end, today=today)
    assert [(r.group, r.due) for r in own] == [(world.dealer_sh.id, 1), ("total", 1)]
    with pytest.raises(ValidationError) as refused:
        scoped_plan_compliance(desk, world.dealer_sh_staff, start, end, by="region", today=today)
    assert refused.value.field == "by"
    soon, late = scoped_due_visits(desk, world.dealer_bj_staff, date(2026, 3, 12))
    assert {v.dealer_id for v in soon + late} == {world.dealer_bj.id}
    assert len(soon + late) == 1
    with pytest.raises(ValidationError) as refused:
        scoped_due_visits(desk, world.dealer_bj_staff, date(2026, 3, 12), dealer_id=world.dealer_sh.id)
    assert refused.value.field == "dealer_id"
    everyone = scoped_due_visits(desk, world.auditor, date(2026, 3, 12))
    assert len(everyone[0] + everyone[1]) == 2
    (figures,) = scoped_contract_figures(desk, world.dealer_sh_staff, [ids["contract"]])
    assert figures.contract_id == ids["contract"]
    with pytest.raises(NotFound):  # another dealer's contract: as if it did not exist
        scoped_contract_figures(desk, world.dealer_bj_staff, [ids["contract"]])
    assert scoped_recurring_faults(desk, world.dealer_bj_staff, threshold=1) == ()
    for outsider in (world.customer_zh, world.junior, world.agent):
        with pytest.raises(PermissionDenied):
            scoped_plan_compliance(desk, outsider, start, end)
        with pytest.raises(PermissionDenied):
            scoped_due_visits(desk, outsider, date(2026, 3, 12))
        with pytest.raises(PermissionDenied):
            scoped_contract_figures(desk, outsider, [ids["contract"]])
        with pytest.raises(PermissionDenied):
            scoped_recurring_faults(desk, outsider)


def test_bad_maintenance_report_arguments_are_typed_errors_naming_them(net: Net) -> None:
    """Before, ``plan_compliance(by="engineer")`` raised a bare ``ValueError`` and a text threshold or
    look-ahead a ``TypeError`` from deep inside."""
    desk, world, _ids = net
    with pytest.raises(ValidationError) as refused:
        plan_compliance(desk.store, date(2026, 3, 1), date(2026, 3, 31), by="engineer")
    assert refused.value.field == "by"
    with pytest.raises(ValidationError) as refused:
        scoped_recurring_faults(desk, world.manager, threshold="2")  # type: ignore[arg-type]
    assert refused.value.field == "threshold"
    with pytest.raises(ValidationError) as refused:
        scoped_due_visits(desk, world.manager, date(2026, 3, 12), within_days="14")  # type: ignore[arg-type]
    assert refused.value.field == "within_days"
    with pytest.raises(ValidationError) as refused:
        scoped_plan_compliance(desk, world.manager, "2026-03-01", date(2026, 3, 31))  # type: ignore[arg-type]
    assert refused.value.field == "start"


def test_hostile_arguments_to_the_scoped_reports_are_typed_errors_naming_them(net: Net) -> None:
    desk, world, _ids = net
    queries = reporting_for(desk.store)
    naive = datetime(2026, 3, 20, 9, 0)
    cases = [
        (lambda: scoped_fault_pareto(desk, None, queries, _period(), FaultDimension.CAUSE), "actor"),
        (lambda: scoped_fault_pareto(desk, world.dealer_sh_staff, queries, "2026-03", FaultDimension.CAUSE),
         "period"),
        (lambda: scoped_fault_trend(desk, world.dealer_sh_staff, queries, "2026-03", FaultDimension.CAUSE),
         "months"),
        (lambda: scoped_batch_incidents(desk, world.manager, queries, naive), "until"),
        (lambda: scoped_dealer_monthly(desk, world.dealer_sh_staff, queries, "March"), "month"),
        (lambda: scoped_kpi_trend(desk, world.dealer_sh_staff, queries, ["2026-03"], as_of="now"), "as_of"),
        (lambda: scoped_service_conduct(desk, world.manager, "2026-03"), "period"),
        (lambda: scoped_due_visits(desk, world.manager, date(2026, 3, 1), dealer_id=5), "dealer_id"),
        (lambda: scoped_contract_figures(desk, world.manager, "HT-SH-1"), "contracts"),
    ]  # fmt: skip
    for call, field in cases:
        with pytest.raises(ValidationError) as refused:
            call()
        assert refused.value.field == field
