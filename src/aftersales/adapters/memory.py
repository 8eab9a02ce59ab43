"""The in-memory store: same semantics as the SQL adapters, for tests and embedding.

Committed state is kept as JSON text (and the value parsed from it, once read), so every ``get``
returns a fresh copy and nothing a caller mutates leaks into the store. A ticket is kept as its parsed
value, its text made from it when first read (every ``get`` copies the parsed ticket).

A unit of work collects its writes privately and publishes them on ``commit`` under a lock, after
re-checking every version it relied on: a conflicting commit raises ``ConcurrencyConflict`` (or
``DuplicateError``) and publishes nothing.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import attrs

from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.parsed_documents import ParsedDocuments
from aftersales.adapters.sla_candidates_memory import candidates
from aftersales.adapters.text_index_memory import MemoryStoredTextIndex
from aftersales.adapters.ticket_search_memory import MemoryTicketSearch, labels_match, member_ids, works_on
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.domain.ticket import Ticket
from aftersales.errors import (
    ConcurrencyConflict,
    DuplicateError,
    InvalidStoreOption,
    NotFound,
    StorageError,
    ValidationError,
)
from aftersales.ports.documents import D, Document, document_spec, index_value, with_version
from aftersales.ports.erasure import (
    ScrubPlan,
    keeps_personal_copies,
    scrub_idempotency_row,
    scrub_message,
)
from aftersales.ports.fork_renewal import renew_after_fork
from aftersales.ports.outbox import (
    OutboxBookkeeping,
    OutboxMessage,
    check_claim,
    claimed,
    distinct_messages,
    outbox_message,
    stored_outbox_record,
)
from aftersales.ports.queries import (
    UNSET,
    CountField,
    Page,
    PageRequest,
    Sort,
    TicketFilter,
    decode_cursor,
    encode_cursor,
)
from aftersales.ports.repositories import distinct_batch
from aftersales.ports.sla_candidates import SlaCandidate
from aftersales.ports.ticket_index import (
    COUNT_COLUMNS,
    SORT_ARITY,
    TicketRow,
    matches,
    row_values,
    sort_key,
)
from aftersales.serialization import (
    EventsText,
    decode_json,
    dumps,
    encode_json,
    loads,
    structure,
    ticket_text_utf8,
    unstructure,
)

if TYPE_CHECKING:
    from aftersales.adapters.memory_read import MemoryReadUnitOfWork

__all__ = ["MemoryStore", "MemoryUnitOfWork", "open_memory"]

T = TypeVar("T")

# A key in the store: (table, id). Tables: "tickets", "entity:<name>", "doc:<kind>", "outbox", "idem".
Key = tuple[str, str]
_ABSENT: Any = object()


def _kind(table: str) -> str:
    """What a table holds, as the SQL stores name it in their errors (``doc:fee_slip`` → ``fee_slip``)."""
    return table.partition(":")[2] or ("ticket" if table == "tickets" else table)


R = TypeVar("R")


class _made_once(Generic[R]):
    """``functools.cached_property`` without its lock (Python 3.11 takes one on every first read): a
    unit of work belongs to one thread, and each command makes its three or four repositories anew."""

    def __init__(self, make: Callable[[Any], R]) -> None:
        self._make = make
        self._name = make.__name__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _made_once[R]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> R: ...
    def __get__(self, obj: object, owner: type | None = None) -> R | _made_once[R]:
        if obj is None:
            return self
        value = obj.__dict__[self._name] = self._make(obj)
        return value


@attrs.define
class _Record:
    version: int
    text: str
    row: Any = None  # TicketRow for tickets, index values for documents, a message's marks (outbox)
    # The value parsed from ``text``, kept once read (or written): a ticket (handed out as copies) or an
    # immutable entity. Parsing is most of a read; the text stays the stored truth.
    parsed: Any = None
    # A ticket's events as stored in ``text``: its next save writes only the events added since.
    events: EventsText | None = None

    def ticket_row(self) -> TicketRow:
        """A ticket record's indexed columns, made on first use and kept with the record.

        Why not at the save: a ticket is saved by every command on it and queried far less often, so
        most rows were made only to be replaced by the next save. The record's version and parsed
        ticket never change, so neither does its row.
        """
        row: TicketRow | None = self.row
        if row is None:
            ticket = self.parsed if self.parsed is not None else loads(self.text, Ticket)
            row = self.row = TicketRow(*row_values(ticket, self.version))  # type: ignore[arg-type]
        return row


class _TicketRecord(_Record):
    """A ticket's record, whose JSON text is made from its parsed ticket when first read, not at the save.

    Why: every read of a ticket copies the parsed one (never parses the text), so the text is read only
    by inspection (an export of the store's records, a test, an erasure check); serialising the ticket at
    every save was a sixth of a command on this store (issue 21). The parsed ticket is never changed
    after its save (the store hands out copies, and the runner gives its ticket up only once done with
    it), so the text made later is the one the save would have made.
    """

    __slots__ = ("_events_text", "_text")

    def __init__(self, version: int, parsed: Ticket) -> None:
        self.version = version
        self.row = None
        self.parsed = parsed
        self._text: str | None = None
        self._events_text: EventsText | None = None

    @property
    def text(self) -> str:
        """The stored JSON of the ticket (as ``dumps`` of it at the record's version), made once."""
        text = self._text
        if text is None:
            made, self._events_text = ticket_text_utf8(self.parsed, self.version, None)
            text = self._text = made.decode()
        return text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    @property
    def events(self) -> EventsText | None:
        """The text of the ticket's events (made with :attr:`text`)."""
        if self._events_text is None:
            self.text  # noqa: B018 - made with the text
        return self._events_text

    @events.setter
    def events(self, value: EventsText | None) -> None:
        self._events_text = value


_READER: list[type[MemoryReadUnitOfWork]] = []  # the read-only unit of work's class, imported on first use


class MemoryStore:
    """A store factory whose data lives in this process; ``MemoryStore()()`` is a unit of work."""

    def __init__(self, url: str = "memory://") -> None:
        if url != "memory://":  # a path or an option would be silently ignored: say so instead
            path, _, query = url.partition("://")[2].partition("?")
            names = [part.partition("=")[0] for part in query.split("&") if part]
            raise InvalidStoreOption(
                f"the memory store takes no path and no options: its URL is 'memory://', got {url!r}",
                option=names[0] if names and not path else "path",
            )
        self.url = url
        self._lock = threading.Lock()
        # Units of work entered with ``with`` take turns, as SQLite's BEGIN IMMEDIATE makes them: one
        # desk shared by threads then never sees two commands race for the same ticket number.
        # Re-entrant: a unit of work opened inside another in the same thread does not wait for itself.
        self._turn = threading.RLock()
        self._data: dict[Key, _Record] = {}
        # Issue 20: each table's records, and the documents' index values (table, field, value) → ids,
        # kept as writes are published, so a scan reads one table and a query by value reads no scan.
        self._tables: dict[str, dict[str, _Record]] = {}
        self._values: dict[tuple[str, str, Any], set[str]] = {}
        self._closed = False
        self._attachments = MemoryAttachmentStore()
        # Documents of immutable values read again unchanged are copied, not parsed again (issue 21).
        self._parsed_documents = ParsedDocuments()
        renew_after_fork(self)
        keeps_personal_copies(self)  # an erasure through any desk of this process reaches that memo

    def _renew_locks_after_fork(self) -> None:
        # A parent's thread inside a unit of work at the fork does not live on here: its turn is void.
        self._lock, self._turn = threading.Lock(), threading.RLock()

    def forget_erased(self, customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> int:
        """Drop the parsed documents kept for reads (one may quote the erased person: the stored rows
        are scrubbed, so are these copies); returns how many were dropped."""
        dropped = len(self._parsed_documents)
        self._parsed_documents = ParsedDocuments()
        return dropped

    def default_attachments(self) -> MemoryAttachmentStore:
        """Attachments kept in this process, like the rest of the store."""
        return self._attachments

    def __call__(self) -> MemoryUnitOfWork:
        if self._closed:
            raise StorageError("the memory store is closed")
        return MemoryUnitOfWork(self)

    def reader(self, *, snapshot: bool = True) -> MemoryReadUnitOfWork:
        """A read-only unit of work (issue 18), writes refused: it holds the writer turn for one snapshot,
        or with ``snapshot=False`` takes no turn and reads each record as last committed."""
        if self._closed:
            raise StorageError("the memory store is closed")
        if not _READER:
            from aftersales.adapters.memory_read import MemoryReadUnitOfWork

            _READER.append(MemoryReadUnitOfWork)
        return _READER[0](self, snapshot)

    def close(self) -> None:
        """Forget nothing, refuse new units of work."""
        self._closed = True

    # -- used by units of work ---------------------------------------------------------------

    def _read(self, key: Key) -> _Record | None:
        return self._data.get(key)

    def _scan(self, table: str) -> list[tuple[str, _Record]]:
        with self._lock:
            return list(self._tables.get(table, {}).items())

    def _ids_with(self, table: str, field: str, value: Any) -> set[str]:
        """The ids of ``table``'s documents whose index ``field`` holds ``value`` (committed)."""
        with self._lock:
            return set(self._values.get((table, field, value), ()))

    def _file(self, key: Key, old: _Record | None, new: _Record | None) -> None:
        table, id_ = key
        if new is None:
            self._tables.get(table, {}).pop(id_, None)
        else:
            self._tables.setdefault(table, {})[id_] = new
        if not table.startswith("doc:"):
            return
        for field, value in (old.row or {}).items() if old is not None else ():
            ids = self._values.get((table, field, value))
            if ids is not None:
                ids.discard(id_)
                if not ids:
                    del self._values[(table, field, value)]
        for field, value in (new.row or {}).items() if new is not None else ():
            self._values.setdefault((table, field, value), set()).add(id_)

    def _publish(self, writes: dict[Key, _Record | None], expected: dict[Key, int | None]) -> None:
        with self._lock:
            for key, version in expected.items():
                current = self._data.get(key)
                if version is None and current is not None:
                    raise DuplicateError(f"{_kind(key[0])} {key[1]!r} already exists")
                if version is not None and (current is None or current.version != version):
                    raise ConcurrencyConflict(
                        _kind(key[0]), key[1], version, current.version if current is not None else None
                    )
            for key, record in writes.items():
                if record is None:
                    old = self._data.pop(key, None)
                else:
                    old = self._data.get(key)
                    self._data[key] = record
                self._file(key, old, record)


class MemoryUnitOfWork:
    """A unit of work on a :class:`MemoryStore`."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._writes: dict[Key, _Record | None] = {}
        self._expected: dict[Key, int | None] = {}

    # The repositories are made on first use: a read (desk.sla, a view) touches two or three of them,
    # and making all eleven was a fifth of such a read.
    @_made_once
    def tickets(self) -> _Tickets:
        return _Tickets(self)

    @_made_once
    def customers(self) -> _Entities[Customer]:
        return _Entities(self, "customer", Customer)

    @_made_once
    def assets(self) -> _Entities[Asset]:
        return _Entities(self, "asset", Asset)

    @_made_once
    def products(self) -> _Entities[Product]:
        return _Entities(self, "product", Product)

    @_made_once
    def dealers(self) -> _Entities[Dealer]:
        return _Entities(self, "dealer", Dealer)

    @_made_once
    def engineers(self) -> _Entities[Engineer]:
        return _Entities(self, "engineer", Engineer)

    @_made_once
    def documents(self) -> _Documents:
        return _Documents(self)

    @_made_once
    def outbox(self) -> _Outbox:
        return _Outbox(self)

    @_made_once
    def idempotency(self) -> _Idempotency:
        return _Idempotency(self)

    @_made_once
    def search(self) -> MemoryTicketSearch:
        return MemoryTicketSearch(self, _Record)

    @_made_once
    def texts(self) -> MemoryStoredTextIndex:
        return MemoryStoredTextIndex(self, _Record)

    def __enter__(self) -> MemoryUnitOfWork:
        self._store._turn.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.rollback()
            # Each repository refers back to this unit of work: dropping them breaks the cycle, so a
            # command's unit of work is freed when it ends, not left to the garbage collector (a
            # repository used after the end is made again on first use).
            made = self.__dict__
            for name in _REPOSITORIES.intersection(made):
                del made[name]
        finally:
            self._store._turn.release()

    def commit(self) -> None:
        """Publish every write atomically, or raise and publish nothing."""
        try:
            self._store._publish(self._writes, self._expected)
        finally:
            self._writes = {}
            self._expected = {}

    def rollback(self) -> None:
        """Drop uncommitted writes."""
        self._writes = {}
        self._expected = {}

    # -- shared helpers ----------------------------------------------------------------------

    def _read(self, key: Key) -> _Record | None:
        record = self._writes.get(key, _ABSENT)
        if record is _ABSENT:
            return self._store._read(key)
        return record  # type: ignore[no-any-return]

    def _ids_with(self, table: str, field: str, value: Any) -> list[tuple[str, _Record]]:
        """The records of ``table`` whose index ``field`` holds ``value``, this unit's writes included."""
        ids = self._store._ids_with(table, field, value)
        for (tab, id_), record in self._writes.items():
            if tab == table:
                if record is not None and record.row.get(field) == value:
                    ids.add(id_)
                else:
                    ids.discard(id_)
        found = ((id_, self._read((table, id_))) for id_ in sorted(ids))
        return [(id_, record) for id_, record in found if record is not None]

    def _scan(self, table: str) -> list[tuple[str, _Record]]:
        merged = dict(self._store._scan(table))
        for (tab, id_), record in self._writes.items():
            if tab == table:
                if record is None:
                    merged.pop(id_, None)
                else:
                    merged[id_] = record
        return sorted(merged.items())

    def _insert(self, key: Key, record: _Record) -> None:
        if self._read(key) is not None:
            raise DuplicateError(f"{_kind(key[0])} {key[1]!r} already exists")
        self._expected.setdefault(key, None)
        self._writes[key] = record

    def _update(self, key: Key, expected_version: int, record: _Record, kind: str) -> None:
        current = self._read(key)
        if current is None:
            raise NotFound(kind, key[1])
        if current.version != expected_version:
            raise ConcurrencyConflict(kind, key[1], expected_version, current.version)
        if key not in self._expected:
            self._expected[key] = current.version
        self._writes[key] = record

    def _remove(self, key: Key, expected_version: int) -> None:
        """Delete the record at ``key`` (read at ``expected_version``: a concurrent change conflicts)."""
        self._expected.setdefault(key, expected_version)
        self._writes[key] = None

    def _upsert(self, key: Key, record: _Record | None) -> None:
        self._writes[key] = record


_REPOSITORIES = frozenset(n for n, v in vars(MemoryUnitOfWork).items() if isinstance(v, _made_once))
"""The names of a unit of work's repositories, made on first use (see ``MemoryUnitOfWork.__exit__``)."""


class _Tickets:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, ticket: Ticket) -> None:
        self._uow._insert(("tickets", ticket.id), _ticket_record(ticket.version, ticket.copy()))

    def add_many(self, tickets: Iterable[Ticket]) -> None:
        batch = distinct_batch(tickets)
        for ticket in batch:
            if self._uow._read(("tickets", ticket.id)) is not None:
                raise DuplicateError(f"ticket {ticket.id!r} already exists")
        for ticket in batch:
            self.add(ticket)

    def _parsed(self, id: str) -> tuple[_Record, Ticket]:
        """The stored record of ticket ``id`` and its parsed ticket, parsed once and kept with it."""
        record = self._uow._read(("tickets", id))
        if record is None:
            raise NotFound("ticket", id)
        kept: Ticket | None = record.parsed
        if kept is None:
            kept = record.parsed = loads(record.text, Ticket)
        return record, kept

    def get(self, id: str) -> Ticket:
        record, kept = self._parsed(id)
        ticket = kept.copy()  # a fresh ticket per read, as parsing the text gave: callers change it
        ticket.version = record.version
        return ticket

    def get_for_update(self, id: str) -> Ticket:
        # Versions are checked when the unit of work publishes: no lock to take.
        return self.get(id)

    def save(self, ticket: Ticket) -> None:
        self._save(ticket, ticket.copy())

    def save_and_release(self, ticket: Ticket) -> None:
        """:meth:`save`, for a caller that never changes ``ticket`` again (the desk's command runner,
        whose result only reads it through a read-only view): the store keeps ``ticket`` itself as its
        parsed value instead of a copy, one ticket fewer made and kept per command."""
        self._save(ticket, ticket)

    def _save(self, ticket: Ticket, kept: Ticket) -> None:
        key = ("tickets", ticket.id)
        new = ticket.version + 1
        record = _ticket_record(new, kept)
        self._uow._update(key, ticket.version, record, "ticket")
        ticket.version = new  # ``kept`` too when it is ``ticket``: the record's version either way

    def _rows(self, f: TicketFilter) -> list[TicketRow]:
        rows = (r.ticket_row() for _, r in self._uow._scan("tickets"))
        return [
            row
            for row in rows
            if matches(row, f)
            and labels_match(self._uow, row.id, f)
            and works_on(self._uow, row.id, row.assignee_id, f)
        ]

    def query(self, filter: TicketFilter, page: PageRequest) -> Page[Ticket]:
        rows = self.query_rows(filter, page)
        return Page([self.get(r.id) for r in rows.items], rows.next_cursor)

    def sla_candidates(self, filter: TicketFilter, page: PageRequest) -> Page[SlaCandidate]:
        rows = self.query_rows(filter, page)
        return Page(candidates(self._uow.customers, rows.items), rows.next_cursor)

    def query_rows(self, filter: TicketFilter, page: PageRequest) -> Page[TicketRow]:
        sort = page.sort
        descending = sort is Sort.RECEIVED_DESC
        rows = self._rows(filter)
        if page.cursor is not None:
            after = decode_cursor(sort, page.cursor, SORT_ARITY[sort])
            if descending:
                rows = [r for r in rows if sort_key(r, sort) < after]
            else:
                rows = [r for r in rows if sort_key(r, sort) > after]
        # Only the page (and one more, to know there is a next page) is sorted out of the matches.
        pick = heapq.nlargest if descending else heapq.nsmallest
        chosen = pick(page.limit + 1, rows, key=lambda r: sort_key(r, sort))
        more = len(chosen) > page.limit
        chosen = chosen[: page.limit]
        cursor = encode_cursor(sort, sort_key(chosen[-1], sort)) if more and chosen else None
        return Page(chosen, cursor)

    def count(self, filter: TicketFilter) -> int:
        return len(self._rows(filter))

    def count_by(self, field: CountField, filter: TicketFilter) -> dict[str, int]:
        column = COUNT_COLUMNS[CountField(field)]
        counts: dict[str, int] = {}
        if column == "member":  # issue 20: engineers added to the team, the assignee left out
            for row in self._rows(filter):
                for member in member_ids(self._uow, row.id):
                    if member != row.assignee_id:
                        counts[member] = counts.get(member, 0) + 1
            return counts
        for row in self._rows(filter):
            value = getattr(row, column) or UNSET
            counts[value] = counts.get(value, 0) + 1
        return counts

    def open_loads(self, assignee_ids: Collection[str], states: Sequence[str]) -> dict[str, int]:
        """Open tickets of the named assignees only (issue 26: dispatch's loads)."""
        wanted, open_states = set(assignee_ids), set(states)
        counts: dict[str, int] = {}
        for _, record in self._uow._scan("tickets"):
            row = record.ticket_row()
            if row.assignee_id in wanted and row.state in open_states and row.is_open:
                counts[row.assignee_id] = counts.get(row.assignee_id, 0) + 1
        return counts


def _ticket_record(version: int, copy: Ticket) -> _Record:
    """The stored form of a ticket at ``version``: ``copy`` (the store's private parsed value: a copy, or
    the ticket itself when its caller gives it up); its text and indexed row are made on first use.

    Why keep the copy: the next command on the ticket reads it back, and a copy is many times cheaper
    than parsing the text again (the SQL stores keep written tickets the same way).
    """
    return _TicketRecord(version, copy)


class _Entities(Generic[T]):
    def __init__(self, uow: MemoryUnitOfWork, name: str, cls: type[T]) -> None:
        self._uow = uow
        self._name = name
        self._table = f"entity:{name}"
        self._cls = cls

    def add(self, obj: T) -> None:
        self._uow._insert((self._table, obj.id), _Record(0, dumps(obj)))  # type: ignore[attr-defined]

    def get(self, id: str) -> T:
        record = self._uow._read((self._table, id))
        if record is None:
            raise NotFound(self._name, id)
        return self._parsed(record)

    def _parsed(self, record: _Record) -> T:
        # Entities are immutable values: one parse per stored text serves every read.
        if record.parsed is None:
            record.parsed = loads(record.text, self._cls)
        return record.parsed  # type: ignore[no-any-return]

    def save(self, obj: T) -> None:
        self._uow._upsert((self._table, obj.id), _Record(0, dumps(obj)))  # type: ignore[attr-defined]

    def find(self, ids: Iterable[str]) -> dict[str, T]:
        found: dict[str, T] = {}
        for id_ in ids:
            record = self._uow._read((self._table, id_))
            if record is not None:
                found[id_] = self._parsed(record)
        return found

    def list(self, **equals: str | None) -> Sequence[T]:
        unknown = set(equals) - {a.name for a in attrs.fields(self._cls)}  # type: ignore[arg-type]
        if unknown:
            raise ValidationError(f"{self._name} has no field(s) {', '.join(sorted(unknown))}")
        result: list[T] = []
        for _, record in self._uow._scan(self._table):
            data = decode_json(record.text)
            if all(data.get(k) == v for k, v in equals.items()):
                result.append(structure(data, self._cls))
        return result


class _Documents:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @staticmethod
    def _record(obj: Document, version: int) -> _Record:
        spec = document_spec(type(obj))
        data = unstructure(obj)
        data["version"] = version
        index = {name: index_value(getattr(obj, name)) for name in spec.index}
        return _Record(version, encode_json(data), index)

    def get(self, cls: type[D], id: str) -> D:
        kind = document_spec(cls).kind
        record = self._uow._read((f"doc:{kind}", id))
        if record is None:
            raise NotFound(kind, id)
        # The calendar stamp is read by most commands: copied, not parsed again (as SQLite reads it).
        return self._uow._store._parsed_documents.read(cls, record.text, record.version, loads)

    def add(self, obj: Document) -> None:
        kind = document_spec(type(obj)).kind
        self._uow._insert((f"doc:{kind}", obj.id), self._record(obj, obj.version))

    def save(self, obj: D) -> D:
        kind = document_spec(type(obj)).kind
        new = obj.version + 1
        self._uow._update((f"doc:{kind}", obj.id), obj.version, self._record(obj, new), kind)
        return with_version(obj, new)

    def query(self, cls: type[D], **equals: object) -> Sequence[D]:
        spec = document_spec(cls)
        unknown = set(equals) - set(spec.index)
        if unknown:
            raise ValidationError(f"{spec.kind} has no index field(s) {', '.join(sorted(unknown))}")
        wanted = {k: index_value(v) for k, v in equals.items()}
        return [with_version(loads(r.text, cls), r.version) for _, r in self._matching(spec.kind, wanted)]

    def _matching(self, kind: str, wanted: dict[str, Any]) -> list[tuple[str, _Record]]:
        # The first value given is looked up in the store's value index (no scan of the kind), as the
        # SQL stores drive the query from their (kind, field, value) index.
        lead = next((k for k, v in wanted.items() if v is not None), None)
        table = f"doc:{kind}"
        found = self._uow._scan(table) if lead is None else self._uow._ids_with(table, lead, wanted[lead])
        return [(id_, r) for id_, r in found if all(r.row.get(k) == v for k, v in wanted.items())]

    def version(self, cls: type[Document], id: str) -> int:
        """The stored version of one document (see ``SqlDocuments.version``)."""
        kind = document_spec(cls).kind
        record = self._uow._read((f"doc:{kind}", id))
        if record is None:
            raise NotFound(kind, id)
        return record.version

    def versions(self, cls: type[Document], **equals: object) -> dict[str, int]:
        """Id → version of the documents :meth:`query` would return (see ``SqlDocuments.versions``)."""
        spec = document_spec(cls)
        unknown = set(equals) - set(spec.index)
        if unknown:
            raise ValidationError(f"{spec.kind} has no index field(s) {', '.join(sorted(unknown))}")
        wanted = {k: index_value(v) for k, v in equals.items()}
        return {id_: r.version for id_, r in self._matching(spec.kind, wanted)}

    def query_range(
        self,
        cls: type[D],
        field: str,
        upto: str,
        *,
        limit: int | None = None,
        after: tuple[str, str] | None = None,
        **equals: object,
    ) -> Sequence[D]:
        """Documents whose index ``field`` is set and at most ``upto``, past ``after`` (a value and an id)
        when given (see ``SqlDocuments.query_range``)."""
        spec = document_spec(cls)
        unknown = ({field} | set(equals)) - set(spec.index)
        if unknown:
            raise ValidationError(f"{spec.kind} has no index field(s) {', '.join(sorted(unknown))}")
        wanted = {k: index_value(v) for k, v in equals.items()}
        found = sorted(
            ((r.row[field], id_), r)
            for id_, r in self._uow._scan(f"doc:{spec.kind}")
            if r.row.get(field) is not None
            and r.row[field] <= upto
            and (after is None or (r.row[field], id_) > after)
            and all(r.row.get(k) == v for k, v in wanted.items())
        )
        return [with_version(loads(r.text, cls), r.version) for _, r in found[:limit]]

    def query_newest(
        self, cls: type[D], field: str, below: str | None, *, limit: int
    ) -> Sequence[tuple[str, D]]:
        """Up to ``limit`` documents whose index ``field`` is set and below ``below`` (any when ``None``),
        the highest value first, with that value (see ``SqlDocuments.query_newest``)."""
        spec = document_spec(cls)
        if field not in spec.index:
            raise ValidationError(f"{spec.kind} has no index field {field}", field="field")
        found = sorted(
            (
                (r.row[field], id_, r)
                for id_, r in self._uow._scan(f"doc:{spec.kind}")
                if r.row.get(field) is not None and (below is None or r.row[field] < below)
            ),
            key=lambda item: item[0],
            reverse=True,
        )[:limit]
        return [(value, with_version(loads(r.text, cls), r.version)) for value, _, r in found]

    def purge_range(self, cls: type[Document], field: str, upto: str, limit: int) -> int:
        """Delete up to ``limit`` documents whose index ``field`` is at most ``upto``, lowest first (see
        ``SqlDocuments.purge_range``); returns how many were deleted."""
        spec = document_spec(cls)
        if field not in spec.index:
            raise ValidationError(f"{spec.kind} has no index field {field}", field="field")
        table = f"doc:{spec.kind}"
        found = sorted(
            (r.row[field], id_, r.version)
            for id_, r in self._uow._scan(table)
            if r.row.get(field) is not None and r.row[field] <= upto
        )[:limit]
        return self.remove(cls, [id_ for _, id_, _ in found])

    def remove(self, cls: type[Document], ids: Sequence[str]) -> int:
        """Delete the documents of ``cls`` with ``ids``, whatever their version; an id not stored is passed
        over (see ``SqlDocuments.remove``); returns how many were asked to go."""
        table = f"doc:{document_spec(cls).kind}"
        ids = list(dict.fromkeys(ids))
        for id_ in ids:
            record = self._uow._read((table, id_))
            if record is not None:
                self._uow._remove((table, id_), record.version)
        return len(ids)

    def query_data(self, kind: str, **equals: object) -> list[dict[str, Any]]:
        """Documents of ``kind`` as stored JSON (see the SQL stores' ``query_data``)."""
        wanted = {k: index_value(v) for k, v in equals.items()}
        return [decode_json(r.text) for _, r in self._matching(kind, wanted)]


def _record(message: OutboxMessage, version: int = 0) -> _Record:
    """The stored form of an outbox message: its JSON, and what a selection reads of it (:func:`_marks`).

    Why not the message itself, as until session 35: every command keeps its messages here until they
    are sent, and each kept message was four to six objects the garbage collector walks at every full
    collection (the message, its payload's dicts and lists), a third of what a dispatch left behind
    (issue 21). The marks are a tuple of texts, instants and ``None``, which the collector stops
    tracking; a message is read back from its JSON, as the SQL stores read theirs.
    """
    marks = (
        message.id,
        message.sent_at,
        message.dead_at,
        message.next_attempt_at or message.created_at,
        message.lease_until,
    )
    return _Record(version, encode_json(stored_outbox_record(message)), marks)


# The marks of a stored message (see _record): its id, when it was sent, when it died, when it is due,
# until when it is leased.
_ID, _SENT, _DEAD, _DUE, _LEASE = range(5)


def _pending(marks: tuple[Any, ...]) -> bool:
    return marks[_SENT] is None and marks[_DEAD] is None


def _claimable(marks: tuple[Any, ...], now: datetime) -> bool:
    """As :meth:`OutboxMessage.claimable`, on a stored message's marks."""
    lease = marks[_LEASE]
    return _pending(marks) and marks[_DUE] <= now and (lease is None or lease <= now)


def _message(record: _Record) -> OutboxMessage:
    """The stored message, read from its JSON (what a SQL store hands out too)."""
    return outbox_message(decode_json(record.text))


class _Outbox(OutboxBookkeeping):
    """The memory outbox. A claim is a compare-and-set on each record's version, checked at commit,
    so two threads claiming at once cannot both commit the same message."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def _records(self) -> list[_Record]:
        return [r for _, r in self._uow._scan("outbox")]

    def put(self, messages: Iterable[OutboxMessage]) -> None:
        for message in distinct_messages(messages):
            self._uow._insert(("outbox", message.id), _record(message))

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        waiting = [r for r in self._records() if _pending(r.row)]
        waiting.sort(key=lambda r: (r.row[_DUE], r.row[_ID]))
        return [_message(r) for r in waiting[:limit]]

    def claim(self, owner: str, now: datetime, lease: timedelta, limit: int = 100) -> Sequence[OutboxMessage]:
        check_claim(owner, now, lease, limit)
        records = [r for r in self._records() if _claimable(r.row, now)]
        records.sort(key=lambda r: (r.row[_DUE], r.row[_ID]))
        taken = []
        for record in records[:limit]:
            new = claimed(_message(record), owner, now, lease)
            # Expect the version that was read: a claim committed since then makes this one fail.
            self._uow._update(("outbox", new.id), record.version, _record(new, record.version + 1), "outbox")
            taken.append(new)
        return taken

    def dead(self, limit: int = 100) -> Sequence[OutboxMessage]:
        dead = [r for r in self._records() if r.row[_SENT] is None and r.row[_DEAD] is not None]
        dead.sort(key=lambda r: (r.row[_DEAD], r.row[_ID]))
        return [_message(r) for r in dead[:limit]]

    def purge_sent(self, before: datetime, limit: int = 1000) -> int:
        sent = [r.row for r in self._records() if r.row[_SENT] is not None and r.row[_SENT] < before]
        sent.sort(key=lambda marks: (marks[_SENT], marks[_ID]))
        for marks in sent[:limit]:
            self._uow._upsert(("outbox", marks[_ID]), None)
        return min(len(sent), limit)

    def purge_dead(self, before: datetime, limit: int = 1000) -> int:
        dead = [
            r.row
            for r in self._records()
            if r.row[_SENT] is None and r.row[_DEAD] is not None and r.row[_DEAD] < before
        ]
        dead.sort(key=lambda marks: (marks[_DEAD], marks[_ID]))
        for marks in dead[:limit]:
            self._uow._upsert(("outbox", marks[_ID]), None)
        return min(len(dead), limit)

    def _load(self, id: str) -> OutboxMessage | None:
        record = self._uow._read(("outbox", id))
        return _message(record) if record is not None else None

    def _store(self, message: OutboxMessage) -> None:
        current = self._uow._read(("outbox", message.id))
        version = 0 if current is None else current.version + 1
        self._uow._upsert(("outbox", message.id), _record(message, version))

    def scrub(
        self, needles: Sequence[str], *, free_text: Sequence[str] = (), within: Sequence[str] = ()
    ) -> int:
        """Replace each of ``needles`` in every message, sent or not, and ``free_text`` in those naming
        one of ``within`` (:func:`~aftersales.ports.erasure.scrub_needles`); returns how many were
        rewritten."""
        found = []
        plan = ScrubPlan(needles, free_text, within)  # once: every row is asked of it
        for id_, r in self._uow._scan("outbox"):
            wanted = plan.for_row([r.text])
            if wanted.in_json(r.text):
                found.append((id_, wanted))
        count = 0
        for id_, wanted in found:
            message = self._load(id_)
            scrubbed = None if message is None else scrub_message(message, wanted)
            if scrubbed is not None and scrubbed != message:  # a whole value may be only a part here
                self._store(scrubbed)
                count += 1
        return count


class _Idempotency:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def get(self, key: str) -> str | None:
        record = self._uow._read(("idem", key))
        return record.text if record is not None else None

    def put(self, key: str, result_json: str) -> None:
        self._uow._insert(("idem", key), _Record(0, result_json))

    def sweep(self, now_us: int, before_us: int, limit: int | None = None) -> int:
        """The retention pass: drop results first seen before ``before_us``; stamp new ones ``now_us``.
        ``limit`` bounds the stamps expired: the oldest first, then by key (as the SQL stores order)."""
        seen = {key: int(record.text) for key, record in self._uow._scan("idem_seen")}
        expired = sorted((at, key) for key, at in seen.items() if at < before_us)
        dropped = 0
        for _, key in expired if limit is None else expired[:limit]:
            if self._uow._read(("idem", key)) is not None:
                self._uow._writes[("idem", key)] = None
                dropped += 1
            self._uow._writes[("idem_seen", key)] = None
        for key, _ in self._uow._scan("idem"):
            if key not in seen:
                self._uow._upsert(("idem_seen", key), _Record(0, str(now_us)))
        return dropped

    def scrub(
        self, needles: Sequence[str], *, free_text: Sequence[str] = (), within: Sequence[str] = ()
    ) -> int:
        """Replace each of ``needles`` in every stored result and key, and ``free_text`` in the rows
        naming one of ``within``; returns how many rows changed.

        A rewritten key takes its retention stamp along (the old key, person and all, is gone from both
        tables); when it reads like a key kept already, the first in key order is kept, the rest dropped
        with their stamps — as the SQL stores do.
        """
        count = 0
        plan = ScrubPlan(needles, free_text, within)
        for key, record in sorted(self._uow._scan("idem"), key=lambda item: item[0]):
            wanted = plan.for_row([key, record.text])
            if not (wanted.as_written(key) or wanted.in_json(record.text)):
                continue
            new_key, new_text = scrub_idempotency_row(key, record.text, wanted)
            if (new_key, new_text) == (key, record.text):  # as the SQL stores: rewritten rows only
                continue
            count += 1
            if new_key != key:
                self._uow._writes[("idem", key)] = None
                seen = self._uow._read(("idem_seen", key))
                if seen is not None:
                    self._uow._writes[("idem_seen", key)] = None
                if self._uow._read(("idem", new_key)) is not None:
                    continue
                if seen is not None:
                    self._uow._upsert(("idem_seen", new_key), seen)
            self._uow._upsert(("idem", new_key), _Record(record.version, new_text))
        return count


def open_memory(url: str = "memory://") -> MemoryStore:
    """Entry point for ``memory://``: a new, empty in-process store."""
    if not isinstance(url, str) or not url.startswith("memory://"):
        raise ValidationError(f"not a memory URL: {url!r}", field="url")
    return MemoryStore(url)
