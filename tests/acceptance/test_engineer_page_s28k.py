# mypy: disable-error-code="arg-type"
"""The engineers' appraisal reaches the manager as a page, session 28 k, on memory, SQLite and PostgreSQL.

Seed 003 三 2 绩效考核 (客户满意度、响应速度、问题解决率, tied to pay and promotion) and seed 001 六 (the
after-sales manager appraises the team): ``scoped_engineer_kpis`` credited each indicator to the engineer
who earned it, but ``document_for`` did not know its report, so ``render`` refused it in every format
("cannot render EngineerKpiReport"). Now a table per engineer carries the indicators and the counts behind
them, each rate with a goal judged pass/fail, in zh_Hans, zh_Hant and en; a period without tickets says so.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from test_engineer_kpis_s28e import MARCH, READ_AT, _late_response_passed_on, _rework_redone

from aftersales.errors import ValidationError
from aftersales.reports import scoped_engineer_kpis
from aftersales.reports.document import Judged
from aftersales.reports.engineer_kpi import EngineerKpiReport
from aftersales.reports.labels import report_labels
from aftersales.reports.pages import document_for
from aftersales.reports.render import render
from aftersales.reports.targets import KpiGoals
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
GOALS = KpiGoals(response_on_time_rate=Decimal("0.5"), satisfaction_rate=Decimal("0.9"))
"""The junior answers one of two in time (0.5: passes); the first-time fix rate has no goal."""


def _plain(cell: object) -> object:
    return cell.value if isinstance(cell, Judged) else cell


def _expected(report: EngineerKpiReport) -> list[tuple[object, ...]]:
    """The figures of each row as the page lays them out (the name aside)."""
    return [
        (
            r.tickets, r.resolved, r.resolution_rate, r.response_met, r.response_missed,
            r.response_on_time_rate, r.resolution_met, r.resolution_missed, r.resolution_on_time_rate,
            r.first_repairs, r.first_time_fixed, r.first_time_fix_rate, r.reworks, r.rated, r.satisfied,
            r.satisfaction_rate, r.mean_satisfaction, r.mean_attitude, r.response.mean, r.resolution.mean,
        )
        for r in report.rows
    ]  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_page_shows_each_engineers_figures_judged_against_the_goals(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        _late_response_passed_on(desk, clock, w)
        _rework_redone(desk, clock, w)
        clock.set(READ_AT)
        report = scoped_engineer_kpis(desk, w.manager, MARCH, as_of=READ_AT)
        names = {w.eng_junior.id: "小王", w.eng_senior.id: "老李"}
        for locale, total_word, unset in (("zh_Hans", "合计", "未指定"), ("zh_Hant", "合計", "未指定"),
                                          ("en", "Total", "Not set")):  # fmt: skip
            doc = document_for(report, report_labels(locale, names), goals=GOALS)
            (table,) = doc.tables
            assert [c.code for c in table.columns][:3] == ["appraised_engineer", "tickets", "resolved"]
            assert [row[0] for row in table.rows][1:] == [names[r.engineer_id] for r in report.rows[1:]]
            assert table.rows[0][0] == unset  # the complaint, held by nobody
            assert [tuple(_plain(c) for c in row[1:]) for row in table.rows] == _expected(report)
            assert table.total is not None and table.total[0] == total_word
            assert table.total[1:3] == (report.total.counts.tickets, report.total.counts.resolved)
        rows = {r.engineer_id: r for r in report.rows}
        doc = document_for(report, report_labels("en", names), goals=GOALS)
        by_name = {row[0]: dict(zip([c.code for c in doc.tables[0].columns], row, strict=True))
                   for row in doc.tables[0].rows}  # fmt: skip
        junior, senior = by_name["小王"], by_name["老李"]
        assert rows[w.eng_junior.id].response_on_time_rate == Decimal("0.5")
        assert junior["response_on_time_rate"] == Judged(Decimal("0.5"), Decimal("0.5"), True)
        assert senior["satisfaction_rate"] == Judged(Decimal("1"), Decimal("0.9"), True)
        assert senior["first_time_fix_rate"] == rows[w.eng_senior.id].first_time_fix_rate  # no goal: bare
        assert "Each indicator counts for the engineer whose work it judges" in doc.notes[0]
        for fmt in ("text", "md", "csv", "html"):
            page = render(report, fmt, "zh_Hans", names=names, goals=GOALS)
            assert isinstance(page, str) and "老李" in page and "按时响应" in page  # CSV: the table only
            assert fmt == "csv" or "工程师考核报表" in page
        assert render(report, "xlsx", "en", names=names)[:2] == b"PK"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_period_without_tickets_says_so(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        doc = document_for(
            scoped_engineer_kpis(desk, w.manager, MARCH, as_of=READ_AT), report_labels("zh_Hant")
        )
        (table,) = doc.tables
        assert table.rows == () and table.total is not None and table.total[:3] == ("合計", 0, 0)
        assert doc.notes[0] == "本期間無數據。" and doc.title == "工程師考核報表"
        assert doc.meta[0][1].startswith("2026")
        with pytest.raises(ValidationError) as caught:  # an option of other pages is refused, not dropped
            document_for(scoped_engineer_kpis(desk, w.manager, MARCH), report_labels("en"), top=3)
        assert caught.value.field == "top"
