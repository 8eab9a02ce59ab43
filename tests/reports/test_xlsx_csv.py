"""Excel workbooks checked cell by cell with openpyxl; CSV opened as Excel does, BOM first."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.errors import ValidationError
from aftersales.ports.reporting import FaultDimension, GroupBy
from aftersales.reports import fault_pareto, kpi_goals, kpi_report, render, to_csv, to_xlsx

from .data import CALENDAR, MARCH, NAMES, report_desk


@pytest.fixture(scope="module")
def queries():  # type: ignore[no-untyped-def]
    return reporting_for(report_desk().store)


def test_kpi_workbook_cell_by_cell(queries, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = kpi_report(queries, MARCH, CALENDAR, group=GroupBy.DEALER)
    path = tmp_path / "kpi.xlsx"
    to_xlsx(report, path, "zh_Hans", names=NAMES, goals=kpi_goals("sanitary_ware"))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["报表说明", "售后服务关键指标", "考核目标"]
    info, sheet, goals = book.worksheets
    assert info["A1"].value == "售后服务关键指标" and info["A2"].value == "统计期间"
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["分组", "工单数", "问题解决率", "故障不属实", "客户满意度"]
    assert sheet.freeze_panes == "B2"
    col = {name: i + 1 for i, name in enumerate(header)}
    for r, row in enumerate((*report.rows, report.total), start=2):
        assert sheet.cell(r, col["工单数"]).value == row.counts.tickets
        rate = sheet.cell(r, col["问题解决率"])
        # the exact share (the spreadsheet rounds it for display as the CSV does: reports.rounding)
        assert (
            rate.value == pytest.approx(float(row.exact("resolution_rate"))) and rate.number_format == "0.0%"
        )
        hours = sheet.cell(r, col["平均解决时长"])
        assert hours.value == pytest.approx(row.resolution.mean / timedelta(hours=1), abs=0.01)
        assert hours.number_format == "0.00"
    assert sheet.cell(2, 1).value == "上海浦东特约承销商"
    assert sheet.cell(len(report.rows) + 2, 1).value == "合计" and sheet.cell(len(report.rows) + 2, 1).font.b
    assert [c.value for c in goals[1]] == ["考核指标", "目标值", "本期实际", "考核结果"]
    assert goals.cell(2, 1).value == "客户满意度" and goals.cell(2, 2).value == pytest.approx(0.9)
    assert goals.cell(2, 4).value in ("达标", "未达标")


def test_pareto_workbook_has_a_chart_sheet(queries, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = fault_pareto(queries, MARCH, FaultDimension.SYMPTOM)
    data = render(report, "xlsx", "en")
    assert isinstance(data, bytes) and data[:2] == b"PK"
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[-1] == "Pareto chart"
    table = book.worksheets[1]
    assert [c.value for c in table[1]] == [
        "Fault symptom",
        "Faults",
        "Share",
        "Cumulative share",
        "Vital few",
    ]
    assert [table.cell(2, c).value for c in (1, 2)] == ["does not flush", report.items[0].count]
    # the exact share, which its 4-place figure rounds (reports.rounding)
    assert table.cell(2, 4).value == pytest.approx(float(report.items[0].cumulative_share), abs=0.00005)
    assert table.cell(2, 5).value == "yes"
    # openpyxl does not read charts back: look at the chart part of the file itself
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "<barChart>" in chart and "<lineChart>" in chart and "Number of faults" in chart


def test_csv_opens_with_its_bom_as_excel_reads_it(queries) -> None:  # type: ignore[no-untyped-def]
    report = kpi_report(queries, MARCH, CALENDAR, group=GroupBy.DEALER)
    text = to_csv(report, "zh_Hans", names=NAMES)
    raw = text.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "分组" and rows[1][0] == "上海浦东特约承销商" and rows[-1][0] == "合计"
    assert rows[-1][2] == f"{(report.total.resolution_rate * 100).quantize(Decimal('0.1'))}%"
    assert rows[0][-1].endswith("（工作小时）")
    assert not to_csv(report, "en").startswith("\ufeff")
    coded = list(csv.reader(io.StringIO(to_csv(report, "en", codes=True))))
    assert coded[0][:3] == ["group", "tickets", "resolution_rate"] and coded[-1][2] == str(
        report.total.resolution_rate
    )


def test_bad_render_arguments_are_refused(queries) -> None:  # type: ignore[no-untyped-def]
    report = fault_pareto(queries, MARCH, FaultDimension.SYMPTOM)
    with pytest.raises(ValidationError, match="format"):
        render(report, "pdf")
    with pytest.raises(ValidationError, match="byte-order"):
        render(report, "html", bom=True)
    with pytest.raises(ValidationError, match="cannot render"):
        to_csv(object())
    with pytest.raises(ValidationError, match="top"):
        to_csv(report, top=0)
    with pytest.raises(ValidationError, match="colour") as caught:
        to_csv(report, colour="red")
    assert caught.value.field == "colour"


def test_without_the_reports_extra_html_and_excel_say_which_extra(
    queries,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    import sys

    from aftersales.errors import ConfigurationError
    from aftersales.reports import html

    report = fault_pareto(queries, MARCH, FaultDimension.SYMPTOM)
    for module in ("jinja2", "markupsafe", "openpyxl"):  # as on an install without the extra
        monkeypatch.setitem(sys.modules, module, None)
    html._environment.cache_clear()
    try:
        for make in (lambda: render(report, "html"), lambda: to_xlsx(report, io.BytesIO())):
            with pytest.raises(ConfigurationError, match=r"aftersales\[reports\]") as caught:
                make()
            assert caught.value.key == "reports"
    finally:
        html._environment.cache_clear()
    assert render(report, "csv")  # the core formats need nothing more
