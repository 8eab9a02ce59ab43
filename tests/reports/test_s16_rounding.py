"""One rounding rule for every share a report shows (session 16): half up, in CSV, XLSX, HTML and text.

Before, the CSV and the HTML rounded a rate half to even while the workbook's ``0.0%`` cell is shown half
away from zero by the spreadsheet: 49 faults of 400 (12.25 %) were 12.2 % in the CSV and 12.3 % in Excel;
the Pareto's shares were rounded half to even and the maintenance rates half up.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl

from aftersales.ports.reporting import FaultDimension, Period
from aftersales.reports import fault_pareto, render, to_csv
from aftersales.reports.kpi import rate

from .data import MARCH


class _Faults:
    """Reporting queries that answer a fixed fault count (all a Pareto reads)."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def fault_counts(self, period: Period, dimension: FaultDimension) -> dict[str, int]:
        return dict(self.counts)


def test_a_share_on_a_tie_is_rounded_half_up_everywhere() -> None:
    report = fault_pareto(_Faults({"leak": 49, "noise": 351}), MARCH, FaultDimension.SYMPTOM)  # type: ignore[arg-type]
    leak = next(i for i in report.items if i.key == "leak")
    assert leak.share == Decimal("0.1225")
    rows = list(csv.reader(io.StringIO(to_csv(report, "en", codes=False).lstrip("\ufeff"))))
    shown = [cell for row in rows for cell in row if cell.endswith("%")]
    assert "12.3%" in shown and "12.2%" not in shown
    html = render(report, "html", "en")
    assert isinstance(html, str) and "12.3%" in html and "12.2%" not in html
    data = render(report, "xlsx", "en")
    assert isinstance(data, bytes)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for row in book.worksheets[1].iter_rows() for c in row if c.number_format == "0.0%"]
    assert any(c.value == 0.1225 for c in cells)  # shown 12.3% by the spreadsheet: half away from zero


def test_a_percentage_is_rounded_from_the_exact_share_not_from_its_four_places() -> None:
    """9 of 51 is 17.647…%: 17.6 % everywhere, though its 4-place figure 0.1765 rounds to 17.7 %."""
    report = fault_pareto(_Faults({"leak": 9, "noise": 42}), MARCH, FaultDimension.SYMPTOM)  # type: ignore[arg-type]
    leak = next(i for i in report.items if i.key == "leak")
    assert leak.share == Decimal("0.1765")
    assert "17.6%" in to_csv(report, "en") and "17.7%" not in to_csv(report, "en")
    html = render(report, "html", "en")
    assert isinstance(html, str) and "17.6%" in html and "17.7%" not in html
    data = render(report, "xlsx", "en")
    assert isinstance(data, bytes)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c.value for row in book.worksheets[1].iter_rows() for c in row if c.number_format == "0.0%"]
    assert any(abs(v - 9 / 51) < 1e-12 for v in cells)  # the spreadsheet shows 17.6 %, as the CSV


def test_a_rate_is_rounded_half_up_at_its_fourth_place() -> None:
    assert rate(2469, 20000) == Decimal("0.1235")  # 0.12345: half to even gave 0.1234
    report = fault_pareto(_Faults({"leak": 2469, "noise": 17531}), MARCH, FaultDimension.SYMPTOM)  # type: ignore[arg-type]
    assert next(i for i in report.items if i.key == "leak").share == Decimal("0.1235")
