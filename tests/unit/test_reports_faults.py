from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.parties import Dealer
from aftersales.domain.quality_incidents import QualityIncident
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.policies.complaints import ComplaintParams
from aftersales.ports.reporting import FaultDimension, Period
from aftersales.reports.dealer_monthly import ReportStatus, dealer_monthly
from aftersales.reports.faults import (
    detect_batch_incidents,
    fault_pareto,
    fault_trend,
)
from aftersales.reports.months import month_period, months_between
from aftersales.reports.render import to_csv
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .reporting_data import SH, fill

MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))


@pytest.fixture
def desk() -> ServiceDesk:
    d = ServiceDesk.open(
        "memory://", pack="sanitary_ware", clock=ManualClock(datetime(2026, 4, 2, 12, tzinfo=SH))
    )
    fill(d.store)
    return d


def test_pareto_sorted_with_cumulative_share(desk: ServiceDesk) -> None:
    report = fault_pareto(reporting_for(desk.store), MARCH, FaultDimension.SYMPTOM)
    counts = [i.count for i in report.items]
    assert counts == sorted(counts, reverse=True) and sum(counts) == report.total > 0
    assert report.items[-1].cumulative_share == Decimal("1.0000")
    assert report.items[0].vital and report.items[0].key == "no_flush"
    assert to_csv(report, codes=True).startswith("key,count,share")


def test_trend_per_month(desk: ServiceDesk) -> None:
    trend = fault_trend(reporting_for(desk.store), ["2026-02", "2026-03"], FaultDimension.PRODUCT)
    assert trend.months == ("2026-02", "2026-03")
    assert trend.series["CT-1188"][0] == 0 and trend.series["CT-1188"][1] > 0
    assert trend.change("CT-1188") == trend.series["CT-1188"][1]


def test_batch_incident_threshold_is_inclusive(desk: ServiceDesk) -> None:
    q = reporting_for(desk.store)
    units = q.batch_fault_units(MARCH.end, "cause")
    (product, batch, cause), n = max(units.items(), key=lambda kv: kv[1])
    assert n >= 2
    size = q.batch_sizes()[(product, batch)]
    key = f"{batch}|cause|{cause}"
    exact = ComplaintParams(batch_threshold_percent=Decimal(n) * 100 / size)
    found = detect_batch_incidents(q, MARCH.end, params=exact)
    assert any(i.key == key and i.affected == n and i.dimension == "cause" for i in found)
    exclusive = ComplaintParams(
        batch_threshold_percent=Decimal(n) * 100 / size, batch_threshold_inclusive=False
    )
    assert not any(i.key == key for i in detect_batch_incidents(q, MARCH.end, params=exclusive))
    above = ComplaintParams(batch_threshold_percent=Decimal(n) * 100 / size + Decimal("0.01"))
    assert not any(i.key == key for i in detect_batch_incidents(q, MARCH.end, params=above))
    assert detect_batch_incidents(q, MARCH.end, batch_sizes={(product, batch): 10**6}, params=exact) != found
    with pytest.raises(ValidationError):
        ComplaintParams(batch_threshold_percent=Decimal(0))


def test_reports_group_by_the_packs_dimension(desk: ServiceDesk) -> None:
    q = reporting_for(desk.store)
    by_cause = detect_batch_incidents(q, MARCH.end, params=ComplaintParams(batch_threshold_percent=1))
    by_symptom = detect_batch_incidents(
        q, MARCH.end, params=ComplaintParams(batch_threshold_percent=1, batch_dimension="symptom")
    )
    assert by_cause and by_symptom
    assert {i.dimension for i in by_cause} == {"cause"} and {i.dimension for i in by_symptom} == {"symptom"}
    causes = {(b, c) for _, b, c in q.batch_fault_units(MARCH.end, "cause")}
    assert {(i.batch, i.value) for i in by_cause} <= causes
    assert all(i.affected >= 2 for i in by_cause + by_symptom)  # the desk's rule: never one unit
    with pytest.raises(ValidationError):
        q.batch_fault_units(MARCH.end, "product_id")


def test_raising_runs_the_desks_detector_once_and_escalates(desk: ServiceDesk) -> None:
    found = detect_batch_incidents(
        reporting_for(desk.store), MARCH.end, params=desk.policies.complaint.params
    )
    assert found
    raised = desk.reports.raise_batch_incidents(Actor.system(), found)
    # The desk's incidents are the report's rows: each product's batch and problem (seed 004 同一批次的产品).
    assert sorted((i.product_id, i.batch, i.value) for i in raised) == sorted(
        (i.product_id, i.batch, i.value) for i in found
    )
    assert desk.reports.raise_batch_incidents(Actor.system(), found) == []
    manager = Actor.manager("m1")
    for incident in raised:
        stored = desk.quality_incidents.incident(manager, incident.id)
        report = next(
            i
            for i in found
            if (i.product_id, i.batch, i.value) == (stored.product_id, stored.batch, stored.value)
        )
        assert stored.affected == report.affected and stored.batch_size == report.batch_size
        assert "general_manager" in stored.escalated_to and len(stored.customer_ids) >= 1
    with desk.store() as uow:
        topics = {m.topic for m in uow.outbox.pending(1000)}
        assert "batch_incident" not in topics  # nothing is announced that nobody acts on
        assert len(uow.documents.query(QualityIncident)) == len(found)
    with pytest.raises(PermissionDenied):
        desk.reports.raise_batch_incidents(Actor.customer("c1"), found)
    symptoms = detect_batch_incidents(
        reporting_for(desk.store), MARCH.end, params=ComplaintParams(batch_dimension="symptom")
    )
    if symptoms:
        with pytest.raises(ValidationError):  # the desk judges causes: a symptom report is refused
            desk.reports.raise_batch_incidents(Actor.system(), symptoms)


def test_dealer_monthly_lists_missing_and_late(desk: ServiceDesk) -> None:
    manager = Actor.manager("m1")
    with desk.store() as uow:
        for d in ("dealer-a", "dealer-b", "dealer-c"):
            uow.dealers.add(Dealer(d, d, region="sh"))  # type: ignore[arg-type]
        uow.commit()
    desk.reports.submit_dealer_report(manager, "dealer-a", "2026-03", installations=5, repairs=10)
    desk.clock.advance(timedelta(hours=48))  # type: ignore[attr-defined]
    desk.reports.submit_dealer_report(manager, "dealer-b", "2026-03", installations=0, repairs=1)
    summary = dealer_monthly(reporting_for(desk.store), desk.store, "2026-03", clock=desk.clock)
    status = {r.dealer_id: r.status for r in summary.rows}
    assert status == {
        "dealer-a": ReportStatus.ON_TIME,
        "dealer-b": ReportStatus.LATE,
        "dealer-c": ReportStatus.MISSING,
    }
    assert summary.missing == ("dealer-c",)
    a = summary.rows[0]
    assert a.installations + a.repairs > 0 and a.matches_ledger is not None
    early = dealer_monthly(
        reporting_for(desk.store), desk.store, "2026-03", as_of=datetime(2026, 4, 3, 12, tzinfo=SH)
    )
    assert {r.dealer_id: r.status for r in early.rows}["dealer-c"] is ReportStatus.PENDING
    with pytest.raises(ValidationError):
        desk.reports.submit_dealer_report(manager, "dealer-a", "2026-13", installations=1, repairs=1)
    with pytest.raises(ValidationError):
        desk.reports.submit_dealer_report(manager, "dealer-a", "2026-03", installations=-1, repairs=1)


def test_months() -> None:
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_period("2026-12").end == datetime(2027, 1, 1, tzinfo=SH)
    with pytest.raises(ValidationError):
        month_period("March")
