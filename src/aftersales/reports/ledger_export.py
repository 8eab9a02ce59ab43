"""Export the ledger (售后问题台账) to CSV, XLSX or JSON lines, streaming, scoped to the actor.

The export reads flat records page by page (``store.ledger_rows()`` where the store offers it, as
SQLite does: no ticket objects are built; otherwise through the ticket repository), so it holds one
page at a time whatever the size of the store. The filter is first narrowed to what the actor may
see (:meth:`ServiceDesk.ledger_scope`): a dealer exports its own tickets and those dispatched to it,
exactly as :meth:`ServiceDesk.ledger` lists them. CSV and XLSX are for people: headers, states, categories,
priorities and fault codes in the report's locale, instants in its time zone. JSON lines are for
programs: codes, and instants in ISO 8601 with their offset.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import IO, Any, Final

import orjson

from aftersales.errors import ValidationError
from aftersales.i18n.callback_complaint_words import CODED_PREFIX, worded_description
from aftersales.i18n.cell_safety import spreadsheet_column
from aftersales.ports.ledger_rows import LEDGER_FIELDS, LedgerRecord, LedgerRows, ticket_record
from aftersales.ports.queries import UNSET, PageRequest, Sort, TicketFilter
from aftersales.ports.reporting import GroupBy
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.reports.labels import ReportLabels, report_labels
from aftersales.reports.sources import LedgerDesk, desk_zone

__all__ = ["LEDGER_COLUMNS", "LEDGER_FORMATS", "export_ledger", "iter_ledger", "ledger_records"]


def _column(field: str) -> str:
    """A record field's column: an instant ``x_us`` is ``x_at``, or ``x`` when ``x`` already names the
    instant (``expected_by_us`` → ``expected_by``: the names the ticket's views use)."""
    if not field.endswith("_us"):
        return field
    name = field.removesuffix("_us")
    return name if name.endswith(("_at", "_by")) else name + "_at"


LEDGER_COLUMNS: Final = tuple(_column(f) for f in LEDGER_FIELDS)
"""The exported columns, in order (headers ``report.column.<code>``; JSON lines keys)."""

LEDGER_FORMATS: Final = ("csv", "xlsx", "jsonl")
PAGE: Final = 1000
BOM: Final = "\ufeff"
_EPOCH = datetime.fromtimestamp(0, UTC).replace(tzinfo=None)  # naive: Excel and CSV have no zones
_HOUR_US = 3_600_000_000
_DAY_US = 86_400_000_000


def iter_ledger(
    desk: LedgerDesk, actor: object, filters: TicketFilter | None = None, *, page_size: int = PAGE
) -> Iterator[Any]:
    """Every ticket of the ledger matching ``filters`` that ``actor`` may see, oldest first, page by page."""
    cursor: str | None = None
    while True:
        page = desk.ledger(actor, filters, PageRequest(page_size, cursor, Sort.RECEIVED_ASC))
        yield from page.items
        cursor = page.next_cursor
        if cursor is None or not page.items:
            return


def ledger_records(
    desk: LedgerDesk, actor: object, filters: TicketFilter | None = None, *, page_size: int = PAGE
) -> Iterator[Sequence[LedgerRecord]]:
    """Pages of flat records (:data:`~aftersales.ports.ledger_rows.LEDGER_FIELDS`) ``actor`` may see."""
    return _pages(desk.store, desk.ledger_scope(actor, filters), page_size)


def _pages(store: StoreFactory, scoped: TicketFilter, page_size: int) -> Iterator[Sequence[LedgerRecord]]:
    own = getattr(store, "ledger_rows", None)
    if callable(own):
        source: LedgerRows = own()
        yield from source.pages(scoped, page_size)
        return
    cursor: str | None = None
    while True:
        with store() as uow:
            page = uow.tickets.query(scoped, PageRequest(page_size, cursor, Sort.RECEIVED_ASC))
            records = [ticket_record(t) for t in page.items]
        if records:
            yield records
        cursor = page.next_cursor
        if cursor is None:
            return


class _LocalTime:
    """Epoch microseconds → naive local time in one zone; the UTC offset is looked up once per hour."""

    __slots__ = ("_offsets", "_zone")

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self._offsets: dict[int, int] = {}

    def offset(self, us: int) -> int:
        """The zone's UTC offset at ``us``, in microseconds (cached per hour)."""
        hour = us // _HOUR_US
        offset = self._offsets.get(hour)
        if offset is None:
            at = datetime.fromtimestamp(hour * 3600, UTC).astimezone(self._zone)
            delta = at.utcoffset() or timedelta(0)
            offset = self._offsets[hour] = delta // timedelta(microseconds=1)
        return offset

    def __call__(self, us: int) -> datetime:
        return _EPOCH + timedelta(microseconds=us + self.offset(us))

    def steady(self, first: int, last: int) -> int | None:
        """The offset from ``first`` to ``last`` if the zone's clocks do not change between them, else None.

        Sampled once a day (a change of clocks lasts months) for spans up to a year; longer spans
        answer None and are converted value by value.
        """
        if last - first > 366 * _DAY_US:
            return None
        offset = self.offset(first)
        for at in range(first + _DAY_US, last, _DAY_US):
            if self.offset(at) != offset:
                return None
        return offset if self.offset(last) == offset else None


class _LocalText:
    """Epoch microseconds → "YYYY-MM-DD HH:MM:SS" local text; day and time-of-day strings memoised.

    The hot path of a CSV export converts a page's column at a time: where the zone's offset is the
    same across the column (always in China; elsewhere outside the days a clock changes) each value
    is two dict lookups and a concatenation inside one comprehension, no call and no datetime.
    """

    __slots__ = ("_clock", "_days", "_local")

    def __init__(self, local: _LocalTime) -> None:
        self._local = local
        self._days = _Memo(lambda day: (_EPOCH + timedelta(days=day)).date().isoformat())
        self._clock = _Memo(_clock_text)

    def __call__(self, us: int) -> str:
        shifted = us + self._local.offset(us)
        text: str = self._days[shifted // _DAY_US] + self._clock[shifted // 1_000_000 % 86_400]
        return text

    def column(self, values: Sequence[Any]) -> list[Any]:
        """``values`` (epoch µs or None) as local text (None stays None)."""
        present = [v for v in values if v is not None]
        if not present:
            return list(values)
        offset = self._local.steady(min(present), max(present))
        if offset is None:  # the clocks change within the column: look each offset up
            return [None if v is None else self(v) for v in values]
        days, clock = self._days, self._clock
        return [
            None if v is None else days[(w := v + offset) // _DAY_US] + clock[w // 1_000_000 % 86_400]
            for v in values
        ]


def _clock_text(second: Any) -> str:
    h, m = divmod(int(second) // 60, 60)
    return f" {h:02d}:{m:02d}:{int(second) % 60:02d}"


class _Memo(dict[Any, Any]):
    """A value's text computed on first sight, then a dict lookup; None stays None (an empty field)."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        super().__init__()
        self._fn = fn
        self[None] = None

    def __missing__(self, key: Any) -> Any:
        found = self[key] = self._fn(key)
        return found


def _labeller(labels: ReportLabels) -> list[Callable[[Any], object]]:
    """One function per field: a value (never None) in the reader's words; instants as local datetimes."""
    local = _LocalTime(labels.timezone)

    def cached(fn: Callable[[str], str]) -> Callable[[Any], object]:
        memo: dict[str, str] = {}

        def label(code: Any) -> object:
            found = memo.get(code)
            if found is None:
                found = memo[code] = fn(code)
            return found

        return label

    def same(value: Any) -> object:
        return value

    by_field: dict[str, Callable[[Any], object]] = {
        "kind": cached(labels.kind), "state": cached(labels.state), "category": cached(labels.category),
        "priority": cached(labels.priority), "channel": cached(labels.channel), "dealer": cached(labels.name),
        "product": cached(labels.name),
    }  # fmt: skip
    for part in ("symptom", "cause", "action"):
        by_field[part] = cached(partial(labels.fault, part))
    by_field["description"] = partial(worded_description, labels.catalog)  # a callback's complaint
    by_field["urgent_claimed"] = cached(lambda flag: labels.yes_no(bool(flag)))  # a store's 0/1 too
    return [local if f.endswith("_us") else by_field.get(f, same) for f in LEDGER_FIELDS]


def _blank_words(labels: ReportLabels) -> dict[int, str]:
    """What an empty dealer or assignee cell says, by field index: the words the KPI report groups such
    tickets under (no dealer: the maker's direct customer; no assignee: not set), so a ledger and a report
    of the same tickets agree; a blank cell read as a lost value (session 32)."""
    return {
        LEDGER_FIELDS.index("dealer"): labels.group(GroupBy.DEALER, UNSET),
        LEDGER_FIELDS.index("engineer"): labels.group(GroupBy.ENGINEER, UNSET),
    }


_LABELLED = frozenset(
    {"kind", "state", "category", "priority", "channel", "dealer", "product", "symptom", "cause", "action",
     "urgent_claimed"}
)  # fmt: skip


def _binary(out: IO[Any] | str | Path) -> tuple[IO[bytes], bool]:
    if isinstance(out, str | Path):
        try:
            return open(out, "wb"), True
        except (OSError, ValueError) as error:  # no such folder, a blank or too long name, a NUL byte
            raise ValidationError(f"out is not a file that can be written: {error}", field="out") from None
    if isinstance(out, io.TextIOBase) or not callable(getattr(out, "write", None)):
        raise ValidationError("export_ledger writes bytes: pass a path or a binary stream", field="out")
    return out, False


def export_ledger(
    desk: LedgerDesk,
    actor: object,
    out: IO[bytes] | str | Path,
    *,
    format: str = "csv",
    filters: TicketFilter | None = None,
    locale: str = "zh_Hans",
    timezone: str | None = None,
    bom: bool | None = None,
    names: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the ledger to ``out`` (a path or a binary stream) as ``format``; returns the rows written.

    ``filters`` are those of :meth:`ServiceDesk.ledger`, narrowed to ``actor``'s scope. ``bom`` puts a
    UTF-8 byte-order mark before CSV so Excel on Chinese Windows reads it as UTF-8; by default it is
    on for Chinese locales. ``names`` maps dealer and product ids to names. ``progress`` is called
    with the rows written so far after each page. A refused argument writes nothing. Instants are
    shown in ``timezone``, by default the desk's zone (``desk.zone``; session 38: ``Asia/Shanghai``
    whatever the desk's settings said, so a Berlin desk's call at 23:30 on Sunday read 06:30 Monday).
    """
    if format not in LEDGER_FORMATS:
        raise ValidationError(f"format is one of {', '.join(LEDGER_FORMATS)}, got {format!r}", field="format")
    if bom is not None and not isinstance(bom, bool):
        raise ValidationError("bom is true or false", field="bom", rule="true_or_false")
    if bom and format != "csv":
        raise ValidationError("a byte-order mark is only written before CSV", field="bom")
    if filters is not None and not isinstance(filters, TicketFilter):
        raise ValidationError("filters must be a TicketFilter", field="filters")
    if progress is not None and not callable(progress):
        raise ValidationError("progress is a function called with the rows written", field="progress")
    labels = report_labels(locale, names, desk_zone(desk) if timezone is None else timezone)
    pages = _pages(desk.store, desk.ledger_scope(actor, filters), PAGE)  # the desk checks the actor now
    stream, owned = _binary(out)
    try:
        if format == "jsonl":
            return _jsonl(pages, stream, labels.timezone, progress)
        if format == "xlsx":
            from aftersales.reports.xlsx import write_ledger_xlsx

            fns = _labeller(labels)
            blank = _blank_words(labels)
            rows = (
                [
                    blank.get(i) if v is None else fn(v)
                    for i, (fn, v) in enumerate(zip(fns, record, strict=True))
                ]
                for page in pages
                for record in page
            )
            return write_ledger_xlsx(stream, labels, rows, progress)
        use_bom = labels.locale.startswith("zh") if bom is None else bom
        return _csv(pages, stream, labels, use_bom, progress)
    finally:
        if owned:
            stream.close()


def _jsonl(
    pages: Iterator[Sequence[LedgerRecord]],
    stream: IO[bytes],
    zone: tzinfo,
    progress: Callable[[int], None] | None,
) -> int:
    n = 0
    instants = [i for i, f in enumerate(LEDGER_FIELDS) if f.endswith("_us")]
    for page in pages:
        lines = []
        for record in page:
            row = dict(zip(LEDGER_COLUMNS, record, strict=True))
            row["urgent_claimed"] = bool(row["urgent_claimed"])  # true or false, whatever the store's type
            for i in instants:
                us = record[i]
                if us is not None:
                    at = datetime.fromtimestamp(0, UTC) + timedelta(microseconds=us)  # type: ignore[arg-type]
                    row[LEDGER_COLUMNS[i]] = at.astimezone(zone).isoformat()
            lines.append(orjson.dumps(row))
        n += len(lines)
        stream.write(b"\n".join(lines) + b"\n")
        if progress is not None:
            progress(n)
    return n


def _worded(labels: ReportLabels, column: Sequence[Any]) -> Sequence[Any]:
    """The descriptions of a page, a callback's complaint's in ``labels``' words (the column as it came
    when none is one: a page of typed descriptions costs one pass of ``startswith``)."""
    if not any(isinstance(v, str) and v.startswith(CODED_PREFIX) for v in column):
        return column
    return [worded_description(labels.catalog, v) if isinstance(v, str) else v for v in column]


def _csv(
    pages: Iterator[Sequence[LedgerRecord]],
    stream: IO[bytes],
    labels: ReportLabels,
    bom: bool,
    progress: Callable[[int], None] | None,
) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([labels.column(c) for c in LEDGER_COLUMNS])
    stream.write(((BOM if bom else "") + buffer.getvalue()).encode())
    # The hot loop of a million-ticket export works a page's column at a time: each labelled column is
    # one map over a memo (C speed once every code is seen), each instant column one comprehension;
    # the other columns go to the csv writer as they came (it writes None as an empty field).
    fns = _labeller(labels)
    coded = [(i, _Memo(fns[i])) for i, f in enumerate(LEDGER_FIELDS) if f in _LABELLED]
    local = _LocalText(_LocalTime(labels.timezone))
    instants = [i for i, f in enumerate(LEDGER_FIELDS) if f.endswith("_us")]
    # The people's text (names, descriptions, outcomes): never a formula in the reader's spreadsheet.
    texts = [i for i, f in enumerate(LEDGER_FIELDS) if f not in _LABELLED and not f.endswith("_us")]
    described = LEDGER_FIELDS.index("description")
    blank = _blank_words(labels)
    n = 0
    for page in pages:
        if not page:
            continue
        columns: list[Sequence[Any]] = list(zip(*page, strict=True))
        for i, memo in coded:
            columns[i] = list(map(memo.__getitem__, columns[i]))
        for i, word in blank.items():
            columns[i] = [word if v is None else v for v in columns[i]]
        for i in instants:
            columns[i] = local.column(columns[i])
        # A callback's complaint keeps its description as codes: worded in the reader's locale.
        columns[described] = _worded(labels, columns[described])
        for i in texts:
            columns[i] = spreadsheet_column(columns[i])
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(zip(*columns, strict=True))
        stream.write(buffer.getvalue().encode())
        n += len(page)
        if progress is not None:
            progress(n)
    if progress is not None and n == 0:
        progress(0)
    return n
