"""Excel workbooks with openpyxl: one sheet per table, typed cells, frozen headers, a Pareto chart.

Cells keep their types: counts are integers, rates are numbers formatted as percentages, durations
are working hours (numbers), money is a number in its currency's format, instants are local date
and time (Excel has no time zones: the report's zone is named in the header sheet). The ledger is
written in openpyxl's write-only mode, which streams rows to disk and keeps memory flat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from aftersales.domain.money import Money, currency_exponent
from aftersales.errors import ConfigurationError
from aftersales.reports.document import ColumnKind, DocCell, Judged, ReportDocument, ReportTable
from aftersales.reports.labels import ReportLabels
from aftersales.reports.rounding import exact_value

__all__ = ["write_ledger_xlsx", "write_workbook"]

_FORMATS = {
    ColumnKind.RATE: "0.0%",
    ColumnKind.DURATION: "0.00",
    ColumnKind.NUMBER: "#,##0.00",
    ColumnKind.COUNT: "#,##0",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
}
_SHEET_BAD = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - the reports extra is part of dev
        raise ConfigurationError(
            "Excel reports need openpyxl: pip install 'aftersales[reports]'", key="reports"
        ) from None
    return openpyxl


def _sheet_name(title: str, used: set[str]) -> str:
    """A name Excel takes for the sheet of ``title``, unique among ``used`` (its names, casefolded).

    Excel: at most 31 characters, none of ``[]:*?/\\``, no apostrophe first or last, not "History", and
    unique regardless of case (openpyxl renamed "faults" beside "Faults" to "faults1"); a control
    character makes the workbook's XML unreadable. A host's own document may title a table anything."""
    base = "".join("_" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in title.translate(_SHEET_BAD))
    base = base[:28].strip("'") or "Sheet"
    if base.casefold() == "history":
        base = f"{base}_"
    name, n = base, 2
    while name.casefold() in used:
        name, n = f"{base[:26].rstrip(chr(39))} {n}", n + 1
    used.add(name.casefold())
    return name


def _value(value: DocCell, labels: ReportLabels) -> tuple[object, str | None]:
    """The cell value and its number format."""
    if isinstance(value, Judged):
        value = value.value
    if value is None:
        return None, None
    if isinstance(value, bool):
        return labels.yes_no(value), None
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 3600, 2), "0.00"
    if isinstance(value, Money):
        symbol = "¥" if value.currency == "CNY" else value.currency + " "
        # As many decimals as the currency has minor units (JPY none, KWD three): a fixed ".00" showed a
        # 3-decimal amount rounded, unlike the CSV and the slip.
        digits = -int(currency_exponent(value.currency).as_tuple().exponent)
        return float(value.amount), f'"{symbol}"#,##0' + ("." + "0" * digits if digits > 0 else "")
    if isinstance(value, datetime):
        return value.astimezone(labels.timezone).replace(tzinfo=None), "yyyy-mm-dd hh:mm"
    if isinstance(value, Decimal):  # a share: its exact fraction, shown rounded by the one rule
        return float(exact_value(value)), None
    return value, None


def _text_kept(cell: Any) -> Any:
    """``cell`` as text even when its text starts with ``=``: openpyxl would store such a string as a
    formula, and a description like ``=HYPERLINK(…)`` would run when the sheet is opened (see
    :mod:`aftersales.i18n.cell_safety`)."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _write_table(ws: Any, table: ReportTable, labels: ReportLabels, styles: Any) -> None:
    Font, PatternFill, Alignment = styles
    ws.append([c.label for c in table.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F3F5F7")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    for r, row in enumerate(rows, start=2):
        for c, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            v, fmt = _value(value, labels)
            cell = _text_kept(ws.cell(row=r, column=c, value=v))
            fmt = fmt or (_FORMATS.get(column.kind) if v is not None and not isinstance(v, str) else None)
            if fmt:
                cell.number_format = fmt
            if isinstance(value, Judged) and value.passed is not None:
                cell.font = Font(color="1A7F37" if value.passed else "CF222E", bold=not value.passed)
            if table.total is not None and r == len(rows) + 1:
                cell.font = Font(bold=True)
    ws.freeze_panes = "B2" if table.columns[0].kind is ColumnKind.TEXT else "A2"
    for c, column in enumerate(table.columns, start=1):
        width = max([len(column.label) * 2] + [len(str(row[c - 1] or "")) * 2 for row in rows[:200]])
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = min(max(width, 8), 40)


def write_workbook(doc: ReportDocument, out: IO[bytes] | Any) -> None:
    """Write ``doc`` as a workbook to ``out`` (a path or a binary stream)."""
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Font, PatternFill

    labels = doc.labels
    wb = openpyxl.Workbook()
    info = wb.active
    used: set[str] = set()
    info.title = _sheet_name(labels.text("report.sheet.about"), used)
    info.append([doc.title])
    info["A1"].font = Font(bold=True, size=14)
    for key, value in doc.meta:
        info.append([key, value])
        _text_kept(info.cell(row=info.max_row, column=2))
    info.append(
        [
            labels.text("report.meta.generated_at"),
            doc.generated_at.astimezone(labels.timezone).replace(tzinfo=None),
        ]
    )
    info.cell(row=info.max_row, column=2).number_format = "yyyy-mm-dd hh:mm"
    for note in doc.notes:
        info.append([note])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 36
    for table in doc.tables:
        ws = wb.create_sheet(_sheet_name(table.title, used))
        _write_table(ws, table, labels, (Font, PatternFill, Alignment))
        if table.code == "faults" and table.rows:
            _pareto_sheet(wb, ws, table, labels, used)
    wb.save(out)


def _pareto_sheet(wb: Any, data: Any, table: ReportTable, labels: ReportLabels, used: set[str]) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference

    n = len(table.rows)
    bars = BarChart()
    bars.title = labels.text("report.chart.pareto")
    bars.y_axis.title = labels.text("report.axis.count")
    bars.x_axis.title = table.columns[0].label
    bars.add_data(Reference(data, min_col=2, min_row=1, max_row=n + 1), titles_from_data=True)
    bars.set_categories(Reference(data, min_col=1, min_row=2, max_row=n + 1))
    line = LineChart()
    line.add_data(Reference(data, min_col=4, min_row=1, max_row=n + 1), titles_from_data=True)
    line.y_axis.axId = 200
    line.y_axis.title = labels.text("report.axis.share")
    line.y_axis.number_format = "0%"
    line.y_axis.scaling.min = 0
    line.y_axis.scaling.max = 1
    line.y_axis.crosses = "max"
    bars += line
    bars.width, bars.height = 26, 13
    sheet = wb.create_sheet(_sheet_name(labels.text("report.sheet.chart"), used))
    sheet.add_chart(bars, "A1")


def write_ledger_xlsx(
    out: IO[bytes],
    labels: ReportLabels,
    rows: Iterable[list[object]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Stream ledger rows (already in the reader's words; instants local and naive) into a workbook."""
    openpyxl = _openpyxl()
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from aftersales.reports.ledger_export import LEDGER_COLUMNS

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_name(labels.title("ledger"), set()))
    ws.freeze_panes = "B2"
    for i, code in enumerate(LEDGER_COLUMNS):
        width = 40 if code == "description" else 18 if code.endswith("_at") else 14
        ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width = width
    header = []
    for code in LEDGER_COLUMNS:
        cell = WriteOnlyCell(ws, value=labels.column(code))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    n = 0
    for row in rows:
        cells: list[object] = []
        for value in row:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "yyyy-mm-dd hh:mm"
                cells.append(cell)
            elif isinstance(value, str) and value.startswith("="):
                cells.append(_text_kept(WriteOnlyCell(ws, value=value)))
            else:
                cells.append(value)
        ws.append(cells)
        n += 1
        if progress is not None and n % 1000 == 0:
            progress(n)
    wb.save(out)
    if progress is not None:
        progress(n)
    return n
