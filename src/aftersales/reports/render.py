"""Render a report as plain text, Markdown, CSV (with a BOM for Excel), a complete HTML page or XLSX.

Every renderer takes a computed report (KPI, Pareto, trend, SLA, dealer monthly) or a ready
:class:`~aftersales.reports.document.ReportDocument`, and a locale: headers, codes and group names
come from the catalogs, numbers from Babel. HTML and XLSX need the ``reports`` extra (Jinja2,
openpyxl); text, Markdown and CSV need nothing more than the library.

Instants and periods are shown in ``timezone`` when given, else in the report's own zone: the one it was
counted in (an SLA report's ``timezone``, else its period's zone), ``Asia/Shanghai`` only for a report that
carries none. Session 38: every renderer showed ``Asia/Shanghai`` unless told, so a Berlin desk's breach
report, its weeks counted in Berlin, printed its period and ``as_of`` in Shanghai time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.i18n.cell_safety import spreadsheet_text
from aftersales.policies.fault_catalog import FaultCatalog
from aftersales.ports.reporting import Period
from aftersales.reports.document import ColumnKind, DocCell, Judged, ReportDocument, ReportTable, cell_text
from aftersales.reports.labels import ReportLabels, report_labels
from aftersales.reports.pages import document_for
from aftersales.reports.plain_cells import markdown_text, one_line
from aftersales.reports.rounding import percent_text

__all__ = ["BOM", "render", "to_csv", "to_html", "to_markdown", "to_text", "to_xlsx"]

BOM = "\ufeff"
"""The UTF-8 byte-order mark: Excel on Chinese Windows reads a CSV as UTF-8 only after it."""

FORMATS = ("text", "md", "csv", "html", "xlsx")
_OPTIONS = frozenset({"goals", "pack", "generated_at", "trend", "faults", "kpis", "top", "fault_catalog"})
"""What the renderers pass on to :func:`~aftersales.reports.pages.document_for`."""


def _report_zone(report: object) -> str | tzinfo:
    """The zone ``report`` was counted in: its own ``timezone`` (an SLA report), else its period's start
    zone, else its due time's (a dealer summary), else ``Asia/Shanghai`` (a report carrying none)."""
    own = getattr(report, "timezone", None)
    if isinstance(own, str) and own:
        return own
    period = getattr(report, "period", None)
    if isinstance(period, Period) and isinstance(period.start, datetime) and period.start.tzinfo is not None:
        return period.start.tzinfo
    due = getattr(report, "due_at", None)  # a dealer summary: due in the zone its month was counted in
    if isinstance(due, datetime) and due.tzinfo is not None:
        return due.tzinfo
    return "Asia/Shanghai"


def _document(
    report: object,
    locale: str,
    names: Mapping[str, str] | None,
    timezone: str | None,
    options: dict[str, Any],
) -> ReportDocument:
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise ValidationError(
            f"unknown report option {unknown[0]!r}: use {', '.join(sorted(_OPTIONS))}", field=unknown[0]
        )
    if isinstance(report, ReportDocument):
        if options:
            raise ValidationError(
                "a ReportDocument is already built: options go to document_for", field="report"
            )
        return report
    # The pack's fault catalog (``fault_catalog=desk.policies.extra["faults"]``): its own labels of
    # symptoms, causes and actions win over the message catalogs'.
    catalog = options.pop("fault_catalog", None)
    if catalog is not None and not isinstance(catalog, FaultCatalog):
        raise ValidationError("fault_catalog must be the pack's FaultCatalog", field="fault_catalog")
    zone = _report_zone(report) if timezone is None else timezone
    labels: ReportLabels = report_labels(locale, names, zone, catalog)
    return document_for(report, labels, **options)


def _hours(value: timedelta) -> str:
    return str((Decimal(value.total_seconds()) / 3600).quantize(Decimal("0.01")))


def _plain(value: DocCell, kind: ColumnKind, codes: bool) -> str:
    """A CSV cell: numbers a spreadsheet parses (rates as fractions or "85.3%", durations in hours)."""
    if isinstance(value, Judged):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("true" if value else "false") if codes else ("1" if value else "0")
    if isinstance(value, timedelta):
        return _hours(value)
    if isinstance(value, Money):
        return str(value.amount)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal) and kind is ColumnKind.RATE and not codes:
        return percent_text(value)
    if isinstance(value, str):
        return spreadsheet_text(value)  # a name or a description: never a formula
    return str(value)


def _csv_header(table: ReportTable, doc: ReportDocument, codes: bool) -> list[str]:
    if codes:
        return [c.code for c in table.columns]
    units = {c.unit: doc.labels.catalog.get(c.unit) for c in table.columns if c.kind is ColumnKind.DURATION}
    return [
        f"{c.label} {units[c.unit]}" if c.kind is ColumnKind.DURATION and units[c.unit] else c.label
        for c in table.columns
    ]


def to_csv(
    report: object,
    locale: str = "en",
    *,
    bom: bool | None = None,
    codes: bool = False,
    names: Mapping[str, str] | None = None,
    timezone: str | None = None,
    **options: Any,
) -> str:
    """The report's main table as CSV.

    Headers are in ``locale`` (or the column codes with ``codes=True``, for programs). Rates are
    written "85.3%" (fractions with ``codes=True``), durations in hours (working hours, or clock
    hours where the dues count on the clock: the header says which), money as its amount.
    ``bom`` starts the text with a UTF-8 byte-order mark; by default it does for Chinese locales,
    because Excel on Chinese Windows shows mojibake without it.
    """
    if bom is not None and not isinstance(bom, bool):
        raise ValidationError("bom is true or false", field="bom", rule="true_or_false")
    if not isinstance(codes, bool):  # a truthy "no" wrote the column codes for people
        raise ValidationError("codes is true or false", field="codes", rule="true_or_false")
    doc = _document(report, locale, names, timezone, options)
    table = doc.tables[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_csv_header(table, doc, codes))
    kinds = [c.kind for c in table.columns]
    rows = table.rows + ((table.total,) if table.total is not None else ())
    for row in rows:
        writer.writerow([_plain(v, k, codes) for v, k in zip(row, kinds, strict=True)])
    use_bom = doc.locale.startswith("zh") if bom is None else bom
    return (BOM if use_bom else "") + out.getvalue()


def _table_lines(table: ReportTable, doc: ReportDocument) -> tuple[list[str], list[list[str]]]:
    header = [c.label for c in table.columns]
    rows = table.rows + ((table.total,) if table.total is not None else ())
    body = [
        [one_line(cell_text(v, c.kind, doc.labels)) for v, c in zip(row, table.columns, strict=True)]
        for row in rows
    ]
    # As the HTML page says it: a header alone reads as a table cut off. A total is a row, though: "no
    # records" above "total 2" (a KPI table of all tickets) contradicts it.
    if not table.rows and table.total is None:
        empty = [doc.labels.text("report.table.empty"), *[""] * (len(header) - 1)]
        body.insert(0, empty)
    return header, body


def _meta_lines(doc: ReportDocument) -> list[str]:
    """The header lines ``label: value``, with the locale's colon (full-width in Chinese: 统计期间：…)."""
    labels = doc.labels
    pairs = [*doc.meta, (labels.text("report.meta.generated_at"), labels.datetime(doc.generated_at))]
    # Cut once, filled by position: a label or value that holds "{value}" is shown as it is.
    head, _, rest = labels.text("report.meta.line").partition("{label}")
    middle, _, tail = rest.partition("{value}")
    return [f"{head}{k}{middle}{v}{tail}" for k, v in pairs]


def to_markdown(
    report: object,
    locale: str = "en",
    *,
    names: Mapping[str, str] | None = None,
    timezone: str | None = None,
    **options: Any,
) -> str:
    """Markdown: a title, the period and filters, each table, the notes (charts are left to HTML)."""
    doc = _document(report, locale, names, timezone, options)
    lines = [f"## {doc.title}", ""]
    lines += [f"- {markdown_text(m)}" for m in _meta_lines(doc)]
    for table in doc.tables:
        header, body = _table_lines(table, doc)
        lines += [""] if table.title == doc.title else ["", f"### {table.title}", ""]
        # Each cell as typed: a customer's words may hold markup or "|" (see plain_cells).
        lines.append("| " + " | ".join(markdown_text(h) for h in header) + " |")
        lines.append("|" + "".join("---|" if c.kind is ColumnKind.TEXT else "--:|" for c in table.columns))
        lines += ["| " + " | ".join(markdown_text(c) for c in r) + " |" for r in body]
    if doc.notes:
        lines.append("")
        lines += [f"> {n}" for n in doc.notes]
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Display columns: CJK characters take two."""
    return sum(2 if ord(ch) >= 0x1100 and not 0x2000 <= ord(ch) <= 0x27BF else 1 for ch in text)


def to_text(
    report: object,
    locale: str = "en",
    *,
    names: Mapping[str, str] | None = None,
    timezone: str | None = None,
    **options: Any,
) -> str:
    """Aligned plain text for a terminal (CJK characters counted as two columns)."""
    doc = _document(report, locale, names, timezone, options)
    lines = [doc.title, "=" * _width(doc.title), *_meta_lines(doc)]
    for table in doc.tables:
        header, body = _table_lines(table, doc)
        widths = [max(_width(r[i]) for r in [header, *body]) for i in range(len(header))]
        right = [c.kind is not ColumnKind.TEXT for c in table.columns]

        def fmt(cells: list[str], widths: list[int] = widths, right: list[bool] = right) -> str:
            out = []
            for cell, w, r in zip(cells, widths, right, strict=True):
                pad = " " * (w - _width(cell))
                out.append(pad + cell if r else cell + pad)
            return "  ".join(out).rstrip()

        lines += [""] if table.title == doc.title else ["", table.title]
        lines += [fmt(header), "  ".join("-" * w for w in widths)]
        lines += [fmt(r) for r in body]
    if doc.notes:
        lines.append("")
        lines += list(doc.notes)
    return "\n".join(lines) + "\n"


def to_html(
    report: object,
    locale: str = "en",
    *,
    names: Mapping[str, str] | None = None,
    timezone: str | None = None,
    **options: Any,
) -> str:
    """A complete HTML page (doctype, charset, title, print styles) with inline SVG charts."""
    from aftersales.reports.html import render_page

    return render_page(_document(report, locale, names, timezone, options))


def to_xlsx(
    report: object,
    out: IO[bytes] | str | Path,
    locale: str = "en",
    *,
    names: Mapping[str, str] | None = None,
    timezone: str | None = None,
    **options: Any,
) -> None:
    """An Excel workbook: one sheet per table with typed cells and frozen headers, a Pareto chart sheet."""
    from aftersales.reports.xlsx import write_workbook

    if not isinstance(out, str | Path) and (isinstance(out, io.TextIOBase) or not hasattr(out, "write")):
        raise ValidationError("to_xlsx writes a workbook to a path or a binary stream", field="out")
    doc = _document(report, locale, names, timezone, options)
    if not isinstance(out, str | Path):
        write_workbook(doc, out)
        return
    try:
        write_workbook(doc, out)
    except ValidationError:
        raise
    except (OSError, ValueError) as error:  # no such folder, a blank or too long name, a NUL byte
        raise ValidationError(f"out is not a file that can be written: {error}", field="out") from None


def render(
    report: object,
    format: str,
    locale: str = "en",
    *,
    names: Mapping[str, str] | None = None,
    timezone: str | None = None,
    bom: bool | None = None,
    **options: Any,
) -> str | bytes:
    """``report`` in ``format`` (text, md, csv, html: a str; xlsx: the workbook's bytes)."""
    if format not in FORMATS:
        raise ValidationError(f"format is one of {', '.join(FORMATS)}, got {format!r}", field="format")
    doc = _document(report, locale, names, timezone, options)
    if format == "xlsx":
        buffer = io.BytesIO()
        to_xlsx(doc, buffer)
        return buffer.getvalue()
    if format == "csv":
        return to_csv(doc, bom=bom)
    if bom is not None:
        raise ValidationError("a byte-order mark is only written before CSV", field="bom")
    return {"text": to_text, "md": to_markdown, "html": to_html}[format](doc)
