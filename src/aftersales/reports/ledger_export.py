"""Export the ledger (售后问题台账) to CSV, XLSX or JSON lines, streaming, scoped to the actor.

The export walks :meth:`ServiceDesk.ledger` page by page (keyset pages, oldest first), so it holds one
page of tickets at a time whatever the size of the store, and an actor exports exactly what they may
see (a dealer its own tickets). CSV and XLSX are for people: headers, states, categories, priorities
and fault codes in the report's locale, instants in its time zone. JSON lines are for programs:
codes and ISO 8601 instants with their offset.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

import orjson

from aftersales.errors import ValidationError
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.reports.labels import ReportLabels, report_labels
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.views import TicketView

__all__ = ["LEDGER_COLUMNS", "LEDGER_FORMATS", "export_ledger", "iter_ledger", "ledger_row"]

LEDGER_COLUMNS: Final = (
    "id", "kind", "state", "category", "priority", "channel", "received_at", "customer", "dealer",
    "region", "engineer", "product", "batch", "description", "response_due_at", "resolution_due_at",
    "resolved_at", "closed_at", "symptom", "cause", "action",
)  # fmt: skip
"""The exported columns, in order (their headers are ``report.column.<code>``)."""

LEDGER_FORMATS: Final = ("csv", "xlsx", "jsonl")
PAGE: Final = 1000
BOM: Final = "\ufeff"


def iter_ledger(
    desk: ServiceDesk, actor: Actor, filters: TicketFilter | None = None, *, page_size: int = PAGE
) -> Iterator[TicketView]:
    """Every ticket of the ledger matching ``filters`` that ``actor`` may see, oldest first, page by page."""
    cursor: str | None = None
    while True:
        page = desk.ledger(actor, filters, PageRequest(page_size, cursor, Sort.RECEIVED_ASC))
        yield from page.items
        cursor = page.next_cursor
        if cursor is None or not page.items:
            return


def ledger_row(t: TicketView) -> dict[str, Any]:
    """The codes and instants of one exported row (what JSON lines hold)."""
    fault = t.fault_records[-1] if t.fault_records else None
    assignee = t.assignee
    return {
        "id": t.id,
        "kind": t.kind.value,
        "state": t.state,
        "category": t.category.code,
        "priority": t.priority.value if t.priority is not None else None,
        "channel": t.channel.value,
        "received_at": t.received_at,
        "customer": t.customer_id,
        "dealer": t.dealer_id,
        "region": t.region,
        "engineer": assignee.name or assignee.id if assignee is not None else None,
        "product": t.product_id,
        "batch": t.batch,
        "description": t.description,
        "response_due_at": t.response_due_at,
        "resolution_due_at": t.resolution_due_at,
        "resolved_at": t.resolved_at,
        "closed_at": t.closed_at,
        "symptom": fault.symptom if fault else None,
        "cause": fault.cause if fault else None,
        "action": fault.action if fault else None,
    }


def _local_text(row: dict[str, Any], labels: ReportLabels) -> list[object]:
    """A row in the reader's words; instants stay datetimes (local, naive) for the caller to write."""
    tz = labels.timezone
    out: list[object] = []
    for code in LEDGER_COLUMNS:
        value = row[code]
        if value is None:
            out.append(None)
        elif isinstance(value, datetime):
            out.append(value.astimezone(tz).replace(tzinfo=None, microsecond=0))
        elif code == "state":
            out.append(labels.state(value))
        elif code == "category":
            out.append(labels.category(value))
        elif code == "priority":
            out.append(labels.priority(value))
        elif code == "kind":
            out.append(labels.kind(value))
        elif code == "channel":
            out.append(labels.channel(value))
        elif code in ("symptom", "cause", "action"):
            out.append(labels.fault(code, value))
        elif code in ("dealer", "product"):
            out.append(labels.name(value))
        else:
            out.append(value)
    return out


def _binary(out: IO[Any] | str | Path) -> tuple[IO[bytes], bool]:
    if isinstance(out, str | Path):
        return open(out, "wb"), True
    if isinstance(out, io.TextIOBase):
        raise ValidationError("export_ledger writes bytes: pass a path or a binary stream", field="out")
    return out, False


def export_ledger(
    desk: ServiceDesk,
    actor: Actor,
    out: IO[bytes] | str | Path,
    *,
    format: str = "csv",
    filters: TicketFilter | None = None,
    locale: str = "zh_Hans",
    timezone: str = "Asia/Shanghai",
    bom: bool | None = None,
    names: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the ledger to ``out`` (a path or a binary stream) as ``format``; returns the rows written.

    ``bom`` puts a UTF-8 byte-order mark before CSV so Excel on Chinese Windows reads it as UTF-8; by
    default it is on for Chinese locales. ``progress`` is called with the rows written so far after
    each page. Nothing is written when an argument is refused.
    """
    if format not in LEDGER_FORMATS:
        raise ValidationError(f"format is one of {', '.join(LEDGER_FORMATS)}, got {format!r}", field="format")
    if bom is not None and not isinstance(bom, bool):
        raise ValidationError("bom is true or false", field="bom")
    if bom and format != "csv":
        raise ValidationError("a byte-order mark is only written before CSV", field="bom")
    labels = report_labels(locale, names, timezone)
    if not isinstance(actor, Actor):
        raise ValidationError("actor must be an Actor", field="actor")
    stream, owned = _binary(out)
    try:
        if format == "jsonl":
            return _jsonl(desk, actor, filters, stream, progress)
        if format == "xlsx":
            from aftersales.reports.xlsx import write_ledger_xlsx

            rows = (_local_text(ledger_row(t), labels) for t in iter_ledger(desk, actor, filters))
            return write_ledger_xlsx(stream, labels, rows, progress)
        use_bom = labels.locale.startswith("zh") if bom is None else bom
        return _csv(desk, actor, filters, stream, labels, use_bom, progress)
    finally:
        if owned:
            stream.close()


def _jsonl(
    desk: ServiceDesk,
    actor: Actor,
    filters: TicketFilter | None,
    stream: IO[bytes],
    progress: Callable[[int], None] | None,
) -> int:
    n = 0
    chunk: list[bytes] = []
    for t in iter_ledger(desk, actor, filters):
        chunk.append(orjson.dumps(ledger_row(t)))
        n += 1
        if len(chunk) == PAGE:
            stream.write(b"\n".join(chunk) + b"\n")
            chunk.clear()
            if progress is not None:
                progress(n)
    if chunk:
        stream.write(b"\n".join(chunk) + b"\n")
    if progress is not None:
        progress(n)
    return n


def _csv(
    desk: ServiceDesk,
    actor: Actor,
    filters: TicketFilter | None,
    stream: IO[bytes],
    labels: ReportLabels,
    bom: bool,
    progress: Callable[[int], None] | None,
) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([labels.column(c) for c in LEDGER_COLUMNS])
    stream.write(((BOM if bom else "") + buffer.getvalue()).encode())
    buffer.seek(0)
    buffer.truncate()
    n = 0
    for t in iter_ledger(desk, actor, filters):
        writer.writerow(
            [
                "" if v is None else v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else v
                for v in _local_text(ledger_row(t), labels)
            ]
        )
        n += 1
        if n % PAGE == 0:
            stream.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
            if progress is not None:
                progress(n)
    stream.write(buffer.getvalue().encode())
    if progress is not None:
        progress(n)
    return n
