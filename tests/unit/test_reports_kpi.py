from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from aftersales.adapters.memory import MemoryStore
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.ports.reporting import GroupBy, Period, TicketFacts, count_facts, ticket_facts
from aftersales.reports.kpi import CostTotals, DurationStats, kpi_report, rate
from aftersales.reports.rater import rater_index
from aftersales.reports.render import to_csv, to_html, to_markdown

from .reporting_data import SH, fill, tickets

MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))
ALWAYS = BusinessCalendar("Asia/Shanghai", {d: [(time(0), time(0))] for d in range(7)})


@pytest.fixture
def queries():  # type: ignore[no-untyped-def]
    store = MemoryStore()
    fill(store)
    return reporting_for(store)


def test_rate_and_percentile() -> None:
    assert rate(1, 3) == Decimal("0.3333") and rate(1, 0) is None
    stats = DurationStats.of([timedelta(hours=h) for h in range(1, 11)])
    assert stats.p90 == timedelta(hours=9) and stats.mean == timedelta(hours=5.5) and stats.count == 10
    assert DurationStats.of([]) == DurationStats(0, None, None)


def test_facts_of_a_reworked_ticket() -> None:
    reworked = next(t for t in tickets() if any(e.action == "reject" for e in t.events))
    facts = ticket_facts(reworked)
    assert facts.reworks == 1 and facts.resolved_us is not None
    counts = count_facts([facts], GroupBy.ALL, 4)["all"]
    assert counts.first_time_fixed == 0 and counts.rework_tickets == 1


def test_kpi_totals_agree_with_the_reference_counts(queries) -> None:  # type: ignore[no-untyped-def]
    report = kpi_report(queries, MARCH, ALWAYS, group=GroupBy.DEALER)
    every = [ticket_facts(t) for t in tickets()]
    reference = count_facts(every, GroupBy.ALL, 4)["all"]
    assert report.total.counts == reference
    assert {r.group for r in report.rows} == {"dealer-a", "dealer-b", "dealer-c"}
    assert sum(r.counts.tickets for r in report.rows) == 60
    assert report.total.resolution_rate == rate(reference.resolved, reference.tickets - reference.cancelled)
    assert report.total.rework_count == sum(f.reworks for f in every) > 0


def test_on_time_rates_use_targets_in_working_time(queries) -> None:  # type: ignore[no-untyped-def]
    report = kpi_report(queries, MARCH, ALWAYS)
    resolved: list[TicketFacts] = [f for f in map(ticket_facts, tickets()) if f.resolved_us is not None]
    in_time = sum(1 for f in resolved if f.resolved_us - f.received_us <= 24 * 3600 * 10**6)  # type: ignore[operator]
    # unresolved (not cancelled) past the 24 working hours at the period's end: late, in the denominator
    late = [
        f
        for f in map(ticket_facts, tickets())
        if f.resolved_us is None and not f.cancelled and f.received_us + 24 * 3600 * 10**6 < MARCH.end_us
    ]
    assert report.total.resolution_missed == len(late) > 0
    assert report.total.resolution_on_time_rate == rate(in_time, len(resolved) + len(late))
    # the response is the visit planned with the customer 10 minutes after triage, not the triage
    assert report.total.response.p90 is not None and report.total.response.p90 <= timedelta(
        hours=2, minutes=14
    )


def test_cost_per_ticket_against_budget(queries) -> None:  # type: ignore[no-untyped-def]
    cny = "CNY"
    costs = {
        "dealer-a": CostTotals(Money(Decimal(2000), cny), Money(Decimal(1000), cny), Money(Decimal(0), cny))
    }
    report = kpi_report(queries, MARCH, ALWAYS, group=GroupBy.DEALER, costs=costs,
                        budget_per_ticket=Money(Decimal(100), cny))  # fmt: skip
    a = next(r for r in report.rows if r.group == "dealer-a")
    assert a.cost_per_ticket == Money(Decimal(150), cny) and a.over_budget is True
    assert next(r for r in report.rows if r.group == "dealer-b").over_budget is None


def test_calendar_is_required(queries) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        kpi_report(queries, MARCH, None)  # type: ignore[arg-type]


def test_render_formats(queries) -> None:  # type: ignore[no-untyped-def]
    report = kpi_report(queries, MARCH, ALWAYS, group=GroupBy.REGION)
    csv_text = to_csv(report, codes=True)
    assert csv_text.splitlines()[0].startswith("group,tickets,resolution_rate")
    assert len(csv_text.splitlines()) == 4
    assert "%" in to_markdown(report, "zh_Hans") and "小时" in to_markdown(report, "zh_Hans")
    assert "<table" in to_html(report, "en") and "hours" in to_html(report, "en")  # class="wide" (s29)


def test_rater_index() -> None:
    full = {"reliability": 5, "assurance": 5, "tangibles": 5, "empathy": 5, "responsiveness": 5}
    assert rater_index([full]).index == Decimal("100.0")
    low = dict.fromkeys(full, 1)
    assert rater_index([full, low]).index == Decimal("50.0")
    assert rater_index([]).index is None
    with pytest.raises(ValidationError):
        rater_index([{"speed": 3}])
    with pytest.raises(ValidationError):
        rater_index([{"empathy": 6}])
    for scale in (1, 0, True, "5", 5.0):  # a one-point scale would divide by zero
        with pytest.raises(ValidationError) as info:
            rater_index([{"empathy": 1}], scale=scale)  # type: ignore[arg-type]
        assert info.value.field == "scale"
    for weight in (0.5, Decimal("NaN"), Decimal(-1)):
        with pytest.raises(ValidationError) as info:
            rater_index([{"empathy": 1}], weights={"empathy": weight})  # type: ignore[dict-item]
        assert info.value.field == "weights"
