# mypy: disable-error-code="arg-type"
"""A cancelled call is no fault evidence, on memory, SQLite and PostgreSQL (session 21).

Seed 002 二、反馈信息的处理: 对于反馈的信息，售后服务部进行相关的分类统计和分析 — the statistics are of the
problems found on the products. A call cancelled (called off, registered in error, a duplicate, its
customer's data erased) counts in no dealer's month (``category_counts``) and is not judged resolved or
late by the KPI report; yet its fault records still counted in the fault Pareto, the monthly trend (the
PDCA feedback to R&D), the batch-incident report, which could then find a batch quality incident
(seed 004 批量质量事故) in faults nobody confirmed, and the problems found by warranty phase (seed 002
一、产品的信息反馈). Now all of them leave cancelled tickets out.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.ports.reporting import FaultDimension, Period
from aftersales.reports.faults import detect_batch_incidents, fault_pareto, fault_trend
from aftersales.service.desk import ServiceDesk
from conftest import START, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _faulty(desk: ServiceDesk, world: World, asset_id: str, symptom: str, cause: str) -> str:
    """A repair of ``asset_id`` whose engineer recorded ``symptom`` → ``cause`` on site."""
    staff = world.dealer_sh_staff
    ticket_id = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="一直冲水", asset_id=asset_id
    ).ticket.id
    desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_sh.id)
    desk.start_work(staff, ticket_id)
    desk.add_fault_record(staff, ticket_id, symptom=symptom, cause=cause, action="adjust")
    return ticket_id


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cancelled_tickets_faults_are_out_of_the_pareto_trend_and_batch_report(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, world):
        desk.register_asset(
            world.manager,
            Asset(AssetId("asset-2"), world.product.id, "SN-2025-0002", customer_id=world.cust_zh.id,
                  batch="B2025-07", dealer_id=world.dealer_sh.id),
        )  # fmt: skip
        kept = _faulty(desk, world, "asset-1", "keeps_flushing", "flush_valve_worn")
        desk.resolve(world.dealer_sh_staff, kept, summary="更换进水阀")
        called_off = _faulty(desk, world, "asset-2", "keeps_flushing", "flush_valve_worn")
        queries = reporting_for(desk.store)  # type: ignore[arg-type]
        period = Period(START, clock.now() + timedelta(hours=1))
        sizes = {(world.product.id, "B2025-07"): 40}  # 2 of 40 units is 5 %: a batch incident
        params = desk.policies.complaint.params
        before = detect_batch_incidents(queries, clock.now() + timedelta(hours=1), params=params,
                                        batch_sizes=sizes)  # fmt: skip
        assert [(i.batch, i.affected) for i in before] == [("B2025-07", 2)]
        # Registered by mistake (the unit was fine; the customer rang about the other one): cancelled.
        desk.cancel(world.agent, called_off, reason="重复登记")

        def counts(dimension: FaultDimension) -> dict[str, int]:
            return {item.key: item.count for item in fault_pareto(queries, period, dimension).items}

        assert counts(FaultDimension.SYMPTOM) == {"keeps_flushing": 1}
        assert counts(FaultDimension.CAUSE) == {"flush_valve_worn": 1}
        assert counts(FaultDimension.BATCH) == {"B2025-07": 1}
        trend = fault_trend(queries, ["2026-03"], FaultDimension.CAUSE)
        assert trend.series == {"flush_valve_worn": (1,)}
        after = detect_batch_incidents(queries, clock.now() + timedelta(hours=1), params=params,
                                       batch_sizes=sizes)  # fmt: skip
        assert after == []  # one unit is no batch incident (at least two units, seed 004 rule)
        assert queries.batch_symptom_units(clock.now() + timedelta(hours=1)) == {
            (world.product.id, "B2025-07", "keeps_flushing"): 1
        }
        # The problems found by phase (seed 002 一、产品的信息反馈, the monthly feedback's "problems"): one.
        phases = desk.archives.phase_feedback(world.manager, start=date(2026, 3, 1), end=date(2026, 4, 1))
        assert sum(p.problems for p in phases.phases) == 1
        assert dict(phases.of("in_warranty").symptoms) == {"keeps_flushing": 1}
