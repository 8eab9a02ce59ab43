"""A report as people read it: titled tables of typed cells, charts, notes, in one locale.

Builders (:mod:`aftersales.reports.pages`) turn a computed report into a :class:`ReportDocument`
with every label already in the reader's words; the renderers (text, Markdown, CSV, HTML, XLSX)
only lay it out. Cells stay typed (a rate is a ``Decimal`` fraction, a duration a ``timedelta``) so
a spreadsheet gets numbers and a page gets Babel-formatted text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.erasure import ERASED
from aftersales.domain.money import Money
from aftersales.domain.shown_text import BIDI_CONTROLS, bidi_shown
from aftersales.errors import ValidationError
from aftersales.reports.labels import ReportLabels

__all__ = [
    "BIDI_CONTROLS",
    "Chart",
    "Column",
    "ColumnKind",
    "DocCell",
    "Judged",
    "ReportDocument",
    "ReportTable",
    "bidi_shown",
    "cell_text",
]


class ColumnKind(CodedEnum):
    """How a column's cells are typed and shown."""

    TEXT = "text"
    COUNT = "count"
    NUMBER = "number"
    RATE = "rate"
    DURATION = "duration"
    MONEY = "money"
    FLAG = "flag"
    DATETIME = "datetime"


@attrs.frozen
class Judged:
    """A rate with its goal: ``passed`` is whether it reached the goal (``None`` without a value)."""

    value: Decimal | None
    goal: Decimal
    passed: bool | None


DocCell = str | int | Decimal | timedelta | Money | datetime | bool | Judged | None


@attrs.frozen
class Column:
    """One column: its code (stable, for programs), its header in the reader's words, its kind."""

    code: str
    label: str
    kind: ColumnKind = ColumnKind.TEXT
    unit: str = "report.unit.hours"
    """The catalog key of a duration column's unit in a CSV header: working hours, or
    ``report.unit.wall_hours`` for a time counted on the clock (seed 002's 24 hours)."""


@attrs.frozen
class ReportTable:
    """A titled table; ``total`` is the summary row, kept apart so renderers can set it off."""

    code: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[DocCell, ...], ...]
    total: tuple[DocCell, ...] | None = None

    def __attrs_post_init__(self) -> None:
        width = len(self.columns)
        for row in (*self.rows, *((self.total,) if self.total is not None else ())):
            if len(row) != width:
                raise ValidationError(
                    f"table {self.code}: a row has {len(row)} cells for {width} columns", field="rows"
                )


@attrs.frozen
class Chart:
    """An inline SVG chart (already escaped) with its title."""

    code: str
    title: str
    svg: str


@attrs.frozen(eq=False)
class ReportDocument:
    """Everything a rendered report shows, in ``labels``' locale."""

    kind: str
    title: str
    labels: ReportLabels
    meta: tuple[tuple[str, str], ...]
    generated_at: datetime
    tables: tuple[ReportTable, ...]
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def locale(self) -> str:
        """The locale every word of the document is in."""
        return self.labels.locale


def cell_text(value: DocCell, kind: ColumnKind, labels: ReportLabels) -> str:
    """A cell as text in the document's locale ("85.3%", "6 小时 16 分钟", "¥1,234.50", "–" for none)."""
    if isinstance(value, Judged):
        if value.value is None:
            return "–"
        mark = "✓" if value.passed else "✗"
        return f"{labels.percent(value.value)} {mark}"
    if value is None:
        return "–"
    if isinstance(value, bool):
        return labels.yes_no(value)
    if isinstance(value, Money):
        return labels.money(value)
    if isinstance(value, timedelta):
        return labels.work_duration(value) if kind is ColumnKind.DURATION else labels.duration(value)
    if isinstance(value, datetime):
        return labels.datetime(value)
    if isinstance(value, Decimal) and kind is ColumnKind.RATE:
        return labels.percent(value)
    if isinstance(value, Decimal | int) and kind is ColumnKind.NUMBER:
        return labels.decimal(value)
    if isinstance(value, int | Decimal):
        return labels.number(value)
    text = str(value)
    # What an erasure left of a person's words, in the reader's words ("（已删除）", not "[erased]").
    text = text.replace(ERASED, labels.text("value.erased")) if ERASED in text else text
    # A bidi override reordered the rest of a text or Markdown row and an HTML cell (session 29); CSV, XLSX
    # and JSON Lines keep the text as stored (data: a spreadsheet cell is its own paragraph).
    return bidi_shown(text)
