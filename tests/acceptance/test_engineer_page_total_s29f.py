# mypy: disable-error-code="arg-type"
"""The engineers' page's total row counts its first repairs, session 29 f, on memory, SQLite and PostgreSQL.

Seed 003 三 2 (问题解决率 among the appraisal's indicators) and seed 001 六: the total row showed the desk's
first-time fixed count and rate but left ``first_repairs`` blank in every format, so the reader saw a rate
without the count it is over (every other rate of the row has its counts beside it). The desk's first
repairs are its resolved tickets (each resolved ticket's first repair is someone's: the rows add up to it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from test_engineer_kpis_s28e import MARCH, READ_AT, _late_response_passed_on, _rework_redone

from aftersales.reports import scoped_engineer_kpis
from aftersales.reports.engineer_page import ENGINEER_COLUMNS
from aftersales.reports.labels import report_labels
from aftersales.reports.pages import document_for
from aftersales.reports.render import render
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
AT = [code for code, _ in ENGINEER_COLUMNS].index("first_repairs")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_total_row_counts_the_first_repairs_its_rate_is_over(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        _late_response_passed_on(desk, clock, w)
        _rework_redone(desk, clock, w)
        clock.set(READ_AT)
        report = scoped_engineer_kpis(desk, w.manager, MARCH, as_of=READ_AT)
        resolved = report.total.counts.resolved
        assert resolved == 2 and sum(r.first_repairs for r in report.rows) == resolved
        for locale in ("zh_Hans", "zh_Hant", "en"):
            (table,) = document_for(report, report_labels(locale)).tables
            assert table.total is not None and table.total[AT] == resolved
            assert table.total[AT + 1] == report.total.counts.first_time_fixed
        # Every format shows it: the CSV's and the workbook's total rows, and the text pages' last row.
        rows = list(csv.reader(io.StringIO(str(render(report, "csv", "en")).lstrip("\ufeff"))))
        total = next(row for row in rows if row and row[0] == "Total")
        assert total[AT] == str(resolved)
        book = openpyxl.load_workbook(io.BytesIO(bytes(render(report, "xlsx", "en"))))
        found = [
            [cell.value for cell in row] for sheet in book.worksheets for row in sheet.iter_rows()
            if row[0].value == "Total"
        ]  # fmt: skip
        assert found and found[0][AT] == resolved
        text = str(render(report, "md", "en"))
        (line,) = [line for line in text.splitlines() if line.startswith("| Total")]
        assert line.split("|")[AT + 1].strip() == str(resolved)
