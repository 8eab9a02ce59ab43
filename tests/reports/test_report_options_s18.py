"""A renderer's option is used by the report it is given, or refused (session 18).

``document_for`` (behind ``to_html``, ``to_csv``, ``render``…) read each option only for the report kind
that has a place for it and dropped the rest without a word: ``faults=`` on a KPI page, ``goals=`` or
``pack=`` on a Pareto, ``top=`` on a KPI table. ``trend="…"`` failed deep in the page with an
AttributeError, ``top=True`` kept one item, ``to_csv(codes="no")`` wrote the column codes, and
``to_xlsx(report, 5)`` an AttributeError. Each is now a ValidationError naming the option.
"""

from __future__ import annotations

import io
from datetime import time
from typing import Any

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.calendar import BusinessCalendar
from aftersales.errors import ValidationError
from aftersales.ports.reporting import FaultDimension, GroupBy
from aftersales.reports import fault_pareto, kpi_report, kpi_trend, sla_breaches, to_csv, to_xlsx
from aftersales.reports.months import month_period
from aftersales.reports.render import render
from aftersales.service.actors import Actor

from .data import CALENDAR, MARCH, report_desk


@pytest.fixture(scope="module")
def reports() -> dict[str, Any]:
    desk = report_desk()
    queries = reporting_for(desk.store)
    return {
        "kpi": kpi_report(queries, MARCH, CALENDAR, group=GroupBy.DEALER),
        "pareto": fault_pareto(queries, MARCH, FaultDimension.SYMPTOM),
        "trend": kpi_trend(queries, ["2026-02", "2026-03"], CALENDAR),
        "sla": sla_breaches(desk, Actor.manager("m"), MARCH, as_of=desk.clock.now()),
    }


@pytest.mark.parametrize(
    ("kind", "option", "value"),
    [
        ("kpi", "faults", "pareto"),  # the fault trend belongs on the trend page
        ("kpi", "top", 3),
        ("kpi", "kpis", "kpi"),
        ("pareto", "pack", "sanitary_ware"),
        ("pareto", "trend", "trend"),
        ("sla", "goals", None),
        ("trend", "trend", "trend"),
        ("kpi", "trend", "x"),  # not a KpiTrend
        ("pareto", "top", True),
    ],
)
@pytest.mark.parametrize("fmt", ["html", "csv", "text"])
def test_an_option_the_report_does_not_take_is_refused(
    reports: dict[str, Any], kind: str, option: str, value: Any, fmt: str
) -> None:
    from aftersales.reports.targets import kpi_goals

    given = reports.get(value, value) if isinstance(value, str) else value
    if option == "goals":
        given = kpi_goals("sanitary_ware")
    with pytest.raises(ValidationError) as refused:
        render(reports[kind], fmt, "zh_Hans", **{option: given})
    assert refused.value.field == option


def test_the_options_each_report_takes_are_still_used(reports: dict[str, Any]) -> None:
    page = render(reports["kpi"], "html", "en", pack="sanitary_ware", trend=reports["trend"])
    assert isinstance(page, str) and 'data-chart="kpi_trend"' in page
    text = render(reports["pareto"], "text", "en", top=1)
    assert isinstance(text, str)
    assert len(text.splitlines()) < len(str(render(reports["pareto"], "text", "en")).splitlines())


def test_codes_and_the_workbook_target_are_checked(reports: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        to_csv(reports["kpi"], "en", codes="no")  # type: ignore[arg-type]
    assert refused.value.field == "codes"
    for out in (5, io.StringIO()):
        with pytest.raises(ValidationError) as refused:
            to_xlsx(reports["kpi"], out, "en")  # type: ignore[arg-type]
        assert refused.value.field == "out"
    book = io.BytesIO()
    to_xlsx(reports["kpi"], book, "en")
    assert book.getvalue()[:2] == b"PK"


def test_a_kpi_trend_without_a_zone_counts_months_in_its_calendar_s_zone() -> None:
    """Session 39: ``kpi_trend`` (no desk) cut its months in Asia/Shanghai whatever calendar it was given,
    so a host in Berlin got months starting at 17:00 the evening before, without a word."""
    berlin = BusinessCalendar("Europe/Berlin", {d: [(time(8), time(17))] for d in range(5)})
    queries = reporting_for(report_desk().store)
    trend = kpi_trend(queries, ["2026-03"], berlin)
    assert trend.timezone == "Europe/Berlin"
    march = month_period("2026-03", "Europe/Berlin")
    assert trend.rows[0] == kpi_report(queries, march, berlin, group=GroupBy.ALL, as_of=march.end).total
    assert kpi_trend(queries, ["2026-03"], CALENDAR).timezone == "Asia/Shanghai"
    with pytest.raises(ValidationError) as refused:
        kpi_trend(queries, ["2026-03"], "Europe/Berlin")  # type: ignore[arg-type]
    assert refused.value.field == "calendar"
