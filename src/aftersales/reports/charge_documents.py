"""The money papers as people read them: a ticket's charge sheet and a fee slip, in the reader's words.

Seed 002 asks that every repair's money be explainable on paper: which part, free or charged, why, and
what the fault was (故障描述 → 故障原因 → 处理措施). The charge sheet and the fee slip carry codes; these
builders turn them into a :class:`~aftersales.reports.document.ReportDocument` (rendered by
:mod:`aftersales.reports.render` as text, Markdown, CSV, HTML or XLSX) where

- fault symptoms, causes and actions read as the **pack's fault catalog** labels them (``[faults]``, the
  Chinese or English label of the reader's locale), else as the message catalogs do, else as the code;
- a line's kind and warranty phase read as the catalogs label them (``charge_kind.*``,
  ``warranty_phase.*``);
- every reason is rendered in words, a cause named in a reason with the pack's label too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from aftersales.domain.charges import ChargeLine, ChargeSheet
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.reasons import Reason
from aftersales.domain.work import FaultRecord
from aftersales.i18n.pack_words import PackWords
from aftersales.i18n.reasons import ReasonRenderer
from aftersales.reports.document import Column, ColumnKind, DocCell, ReportDocument, ReportTable
from aftersales.reports.labels import ReportLabels

__all__ = ["ChargedTicket", "charge_sheet_document", "fee_slip_document"]

K = ColumnKind


class ChargedTicket(Protocol):
    """What the charge-sheet paper reads of a ticket (a ``Ticket`` or a ``TicketView``)."""

    @property
    def id(self) -> str: ...

    @property
    def charges(self) -> ChargeSheet | None: ...

    @property
    def fault_records(self) -> Sequence[FaultRecord]: ...


def _renderer(labels: ReportLabels) -> ReasonRenderer:
    # A reason's cause (symptom, action) parameter in the pack's words, as the desk's views word it.
    faults = labels.faults
    codes = None if faults is None else PackWords(faults).codes(labels.catalog.locale)
    return ReasonRenderer(labels.formatter, labels.catalog, codes)


def _said(renderer: ReasonRenderer, reasons: Iterable[Reason]) -> str:
    return "; ".join(renderer.render(r) for r in reasons)


def _code(labels: ReportLabels, prefix: str, code: str) -> str:
    found = labels.catalog.get(f"{prefix}.{code}")
    return found if found is not None else code


def _faults_table(records: Sequence[FaultRecord], labels: ReportLabels) -> ReportTable:
    columns = (
        Column("symptom", labels.column("symptom")),
        Column("cause", labels.column("cause")),
        Column("action", labels.column("action")),
        Column("part", labels.column("part")),
        Column("component", labels.column("component")),
    )
    rows = tuple(
        (
            labels.fault("symptom", r.symptom),
            labels.fault("cause", r.cause),
            labels.fault("action", r.action),
            r.part,
            r.component,
        )
        for r in records
    )
    return ReportTable("fault_records", labels.title("fault_records"), columns, rows)


def _line_columns(labels: ReportLabels) -> tuple[Column, ...]:
    return (
        Column("kind", labels.column("charge_kind")),
        Column("item", labels.column("item")),
        Column("quantity", labels.column("quantity"), K.COUNT),
        Column("unit_price", labels.column("unit_price"), K.MONEY),
        Column("chargeable", labels.column("chargeable"), K.FLAG),
        Column("amount", labels.column("amount"), K.MONEY),
    )


def _line_cells(line: ChargeLine, labels: ReportLabels, sign: int = 1) -> tuple[DocCell, ...]:
    return (
        _code(labels, "charge_kind", line.kind.value),
        line.item,
        sign * line.quantity,
        line.unit_price,
        line.chargeable,
        line.amount if sign > 0 else -line.amount,
    )


def charge_sheet_document(
    ticket: ChargedTicket, labels: ReportLabels, *, generated_at: datetime
) -> ReportDocument:
    """The ticket's charge sheet: its fault records and one row per line with the reasons in words.

    ``labels`` carries the reader's locale and (``report_labels(..., faults=...)``) the pack's fault
    catalog. A ticket not yet assessed has an empty lines table and a note saying so.
    """
    sheet = ticket.charges
    renderer = _renderer(labels)
    columns = (
        *_line_columns(labels),
        Column("phase", labels.column("phase")),
        Column("reasons", labels.column("reasons")),
    )
    rows: list[tuple[DocCell, ...]] = []
    total: tuple[DocCell, ...] | None = None
    meta = [(labels.text("report.meta.ticket"), ticket.id)]
    notes: list[str] = []
    if sheet is not None and sheet.assessed_at is not None:
        for sheet_line in sheet.lines:
            phase = _code(labels, "warranty_phase", sheet_line.phase) if sheet_line.phase else None
            cells = _line_cells(sheet_line.line, labels)
            rows.append((*cells, phase, _said(renderer, sheet_line.reasons)))
        total = (labels.text("report.meta.total"), None, None, None, None, sheet.customer_total, None, None)
        meta += [
            (labels.text("report.meta.phase"), _code(labels, "warranty_phase", sheet.phase)),
            (labels.text("report.meta.assessed_at"), labels.datetime(sheet.assessed_at)),
        ]
        if sheet.reasons:
            notes.append(_said(renderer, sheet.reasons))
    else:
        notes.append(labels.text("report.note.not_assessed"))
    tables = (
        _faults_table(ticket.fault_records, labels),
        ReportTable("charge_lines", labels.title("charge_sheet"), columns, tuple(rows), total),
    )
    return ReportDocument(
        "charge_sheet",
        labels.title("charge_sheet"),
        labels,
        tuple(meta),
        generated_at,
        tables,
        (),
        tuple(notes),
    )


def fee_slip_document(
    slip: FeeSlip,
    labels: ReportLabels,
    *,
    generated_at: datetime,
    fault_records: Sequence[FaultRecord] = (),
) -> ReportDocument:
    """A fee slip (售后服务材料收费暨报销单): its lines, who owes it, why, and the ticket's faults.

    A credit slip (退款单, origin ``refund``) is written as it counts in the books: its quantities and
    amounts negative, its total the slip's signed total, and the slip it credits named — so its paper, its
    CSV and the month's revenue list say the same figure.
    """
    renderer = _renderer(labels)
    sign = -1 if slip.is_credit else 1
    rows = tuple(_line_cells(line, labels, sign) for line in slip.lines)
    total = (labels.text("report.meta.total"), None, None, None, None, slip.signed_total)
    meta: tuple[tuple[str, str], ...] = (
        (labels.text("report.meta.slip"), slip.id),
        (labels.text("report.meta.ticket"), slip.ticket_id),
        (labels.text("report.meta.payer"), labels.payer(slip.payer_kind, slip.payer_id or slip.customer_id)),
        (labels.text("report.meta.issued_at"), labels.datetime(slip.issued_at)),
        # A credit slip's balance is what is still to pay back: negative, as its total is.
        (labels.text("report.meta.balance"), labels.money(slip.balance if sign > 0 else -slip.balance)),
    )
    if slip.credits_slip is not None:
        meta += ((labels.text("report.meta.credits_slip"), slip.credits_slip),)
    tables = [ReportTable("slip_lines", labels.title("fee_slip"), _line_columns(labels), rows, total)]
    if fault_records:
        tables.insert(0, _faults_table(fault_records, labels))
    notes = (_said(renderer, slip.reasons),) if slip.reasons else ()
    return ReportDocument(
        "fee_slip", labels.title("fee_slip"), labels, meta, generated_at, tuple(tables), (), notes
    )
