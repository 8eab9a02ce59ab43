"""Golden tests: each report rendered in zh_Hans and en, compared with the reviewed files in golden/.

The data is deterministic (tests/unit/reporting_data.py), the generation time is fixed. After a
deliberate change, regenerate with ``AFTERSALES_UPDATE_GOLDEN=1 pytest tests/reports/test_golden.py``
and review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.ports.reporting import FaultDimension, GroupBy
from aftersales.reports import (
    dealer_monthly,
    document_for,
    fault_pareto,
    fault_trend,
    group_names,
    kpi_goals,
    kpi_report,
    kpi_trend,
    report_labels,
    sla_breaches,
    to_csv,
    to_markdown,
    to_text,
)
from aftersales.reports.document import ReportDocument
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .data import CALENDAR, GENERATED, MARCH, NAMES, report_desk

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("AFTERSALES_UPDATE_GOLDEN") == "1"
MONTHS = ["2026-02", "2026-03", "2026-04"]


@pytest.fixture(scope="module")
def desk() -> ServiceDesk:
    return report_desk()


def _doc(kind: str, desk: ServiceDesk, locale: str) -> ReportDocument:
    queries = reporting_for(desk.store)
    labels = report_labels(locale, {**group_names(desk.store), **NAMES})
    goals = kpi_goals("sanitary_ware")
    if kind == "kpi":
        report = kpi_report(queries, MARCH, CALENDAR, group=GroupBy.DEALER)
        return document_for(report, labels, goals=goals, generated_at=GENERATED)
    if kind == "faults":
        return document_for(
            fault_pareto(queries, MARCH, FaultDimension.SYMPTOM), labels, generated_at=GENERATED
        )
    if kind == "trend":
        trend = kpi_trend(queries, MONTHS, CALENDAR)
        faults = fault_trend(queries, MONTHS, FaultDimension.SYMPTOM)
        return document_for(trend, labels, goals=goals, faults=faults, generated_at=GENERATED)
    if kind == "sla":
        report = sla_breaches(desk, Actor.manager("m"), MARCH, as_of=desk.clock.now())
        return document_for(report, labels, generated_at=GENERATED)
    summary = dealer_monthly(queries, desk.store, "2026-03", clock=desk.clock)
    kpis = kpi_report(queries, MARCH, CALENDAR, group=GroupBy.DEALER)
    return document_for(summary, labels, goals=goals, kpis=kpis, generated_at=GENERATED)


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(text.encode("utf-8"))
    assert path.is_file(), f"no golden file {name}: run with AFTERSALES_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
@pytest.mark.parametrize("kind", ["kpi", "faults", "trend", "sla", "dealers"])
def test_text_matches_golden(desk: ServiceDesk, kind: str, locale: str) -> None:
    _check(f"{kind}.{locale}.txt", to_text(_doc(kind, desk, locale)))


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
@pytest.mark.parametrize("kind", ["kpi", "faults"])
def test_markdown_and_csv_match_golden(desk: ServiceDesk, kind: str, locale: str) -> None:
    doc = _doc(kind, desk, locale)
    _check(f"{kind}.{locale}.md", to_markdown(doc))
    _check(f"{kind}.{locale}.csv", to_csv(doc))


def test_chinese_kpi_golden_reads_as_a_service_manager_expects(desk: ServiceDesk) -> None:
    text = to_text(_doc("kpi", desk, "zh_Hans"))
    # headers and groups in Chinese, names instead of ids, the total, the targets with pass/fail
    assert "解决及时率" in text and "resolution_on_time_rate" not in text
    assert "上海浦东特约承销商" in text and "dealer-a" not in text
    assert "合计" in text and "考核目标" in text and ("达标" in text or "未达标" in text)
    assert "24 小时内解决" in text and "1 天" not in text  # the fallback target in working hours
