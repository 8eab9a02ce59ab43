"""Reports as tables, then as CSV (plain values, for spreadsheets) or a localised Markdown/HTML summary.

:func:`table` turns any report of this package into a header of codes and rows of typed values;
the text renderers format numbers, rates, durations and money with :mod:`aftersales.i18n.format`.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.i18n.format import formatter_for
from aftersales.reports.dealer_monthly import DealerMonthlySummary
from aftersales.reports.faults import ParetoReport
from aftersales.reports.kpi import DurationStats, KpiReport, KpiRow

__all__ = ["Cell", "Table", "table", "to_csv", "to_html", "to_markdown"]

Cell = str | int | Decimal | timedelta | Money | datetime | bool | None
Table = tuple[str, list[str], list[list[Cell]]]

_KPI_HEADER = [
    "group", "tickets", "resolution_rate", "satisfaction_rate", "response_on_time_rate",
    "resolution_on_time_rate", "first_time_fix_rate", "rework_count", "complaint_resolution_rate",
    "callback_on_time_rate", "response_mean", "response_p90", "resolution_mean", "resolution_p90",
    "cost_per_ticket", "over_budget",
]  # fmt: skip


def _kpi_row(r: KpiRow) -> list[Cell]:
    def d(s: DurationStats) -> tuple[Cell, Cell]:
        return s.mean, s.p90

    return [
        r.group, r.counts.tickets, r.resolution_rate, r.satisfaction_rate, r.response_on_time_rate,
        r.resolution_on_time_rate, r.first_time_fix_rate, r.rework_count, r.complaint_resolution_rate,
        r.callback_on_time_rate, *d(r.response), *d(r.resolution), r.cost_per_ticket, r.over_budget,
    ]  # fmt: skip


def table(report: object) -> Table:
    """(title code, header codes, rows) of a KPI, Pareto or dealer-monthly report."""
    if isinstance(report, KpiReport):
        rows = [_kpi_row(r) for r in report.rows] + [_kpi_row(report.total)]
        return "kpi", list(_KPI_HEADER), rows
    if isinstance(report, ParetoReport):
        header = [report.dimension.name.lower(), "count", "share", "cumulative_share", "vital"]
        return (
            "faults",
            header,
            [[i.key, i.count, i.share, i.cumulative_share, i.vital] for i in report.items],
        )
    if isinstance(report, DealerMonthlySummary):
        header = [
            "dealer",
            "installations",
            "repairs",
            "reported_installations",
            "reported_repairs",
            "status",
        ]
        body: list[list[Cell]] = [
            [
                r.dealer_id,
                r.installations,
                r.repairs,
                r.submitted.installations if r.submitted else None,
                r.submitted.repairs if r.submitted else None,
                r.status.value,
            ]
            for r in report.rows
        ]
        return "dealers", header, body
    raise ValidationError(f"cannot render {type(report).__name__}", field="report")


def _plain(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, timedelta):
        return str(round(value.total_seconds() / 3600, 2))
    if isinstance(value, Money):
        return f"{value.amount} {value.currency}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(report: object) -> str:
    """CSV with code headers; rates as fractions, durations in working hours, money as 'amount CUR'."""
    _, header, rows = table(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_plain(v) for v in row])
    return out.getvalue()


def _local(value: Cell, locale: str, percent: bool) -> str:
    f = formatter_for(locale)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, Decimal) and percent:
        return f.number((value * 100).quantize(Decimal("0.1"))) + "%"
    if isinstance(value, int | Decimal):
        return f.number(value)
    if isinstance(value, timedelta):
        return f.duration(value)
    if isinstance(value, Money):
        return f.money(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return f.datetime(value, value.tzinfo)
    return str(value)


def _cells(header: Sequence[str], row: Sequence[Cell], locale: str) -> list[str]:
    return [_local(v, locale, "rate" in h or "share" in h) for h, v in zip(header, row, strict=True)]


def to_markdown(report: object, locale: str = "en") -> str:
    """A Markdown table with localised values."""
    title, header, rows = table(report)
    lines = [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cells(header, r, locale)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def to_html(report: object, locale: str = "en") -> str:
    """An HTML table with localised, escaped values."""
    title, header, rows = table(report)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(header, r, locale)) + "</tr>"
        for r in rows
    )
    table_html = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<section class="report-{title}">{table_html}</section>\n'
