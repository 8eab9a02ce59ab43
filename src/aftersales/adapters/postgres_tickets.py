"""The PostgreSQL ticket repository: one round trip reads a ticket and what its command needs.

A command reads its ticket, then the customer (tier, search text), the assigned engineer (their
team may act), the dealer and the unit (search text), and the ticket's search row. Read one by one
that is seven round trips; here one ``SELECT`` returns them all and the unit of work keeps the
others for this transaction (:attr:`PostgresUnitOfWork.entity_texts`, ``search.known``). The
engineer, dealer and unit come along only while this store's commands use them
(:mod:`aftersales.adapters.postgres_entity_reads`); one left out is read when asked for.

Parsing a ticket is most of a read, so tickets this store wrote are kept parsed
(:class:`~aftersales.adapters.ticket_memo.TicketMemo`), keyed by ``version`` and the row's ``xmin``
(the transaction that wrote it: any other write, by any process or a migration, changes it).
The read sends the key it holds and the server leaves the ticket's JSON out when the row still
has it: a hit neither transfers nor parses the document. A row changed since (another process's
command) is parsed without the events kept: events are append-only, so only those appended are
parsed and the rest are the kept ones (:func:`_load`). Saves write the JSON of new events only
(:func:`~aftersales.serialization.ticket_text_utf8`) and, for a ticket this transaction locked,
are sent with the command's other writes (:mod:`aftersales.adapters.postgres_pipeline`): the lock
makes the version check pass by construction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from aftersales.adapters.completions_postgres import UPSERT, completion_params, write_completions
from aftersales.adapters.late_gap_postgres import pg_filter_gap_column
from aftersales.adapters.postgres_entity_reads import (
    BY_TICKET,
    DOCUMENTS,
    FAULT_STATS,
    PER_TICKET,
    VERSIONS,
    by_ticket,
    versions_of,
)
from aftersales.adapters.postgres_import import COPY_COMPLETIONS, COPY_TICKETS, completion_rows, copy_rows
from aftersales.adapters.postgres_kept_events import (
    reuse_kept_notes,
    same_first_events,
    sorted_events,
    sorted_saved,
)
from aftersales.adapters.sla_candidates_sql import POSTGRES_TIER, candidate_page, candidate_query
from aftersales.adapters.sql_assignee_loads import open_loads_in
from aftersales.adapters.sql_ledger import ROW_COLUMNS, count_query, page_query, where
from aftersales.adapters.ticket_memo import TicketMemo
from aftersales.domain.fault_stats import ALL_PRODUCTS
from aftersales.domain.ticket import Ticket
from aftersales.errors import ConcurrencyConflict, DuplicateError, NotFound
from aftersales.ports.queries import UNSET, CountField, Page, PageRequest, TicketFilter, encode_cursor
from aftersales.ports.repositories import distinct_batch
from aftersales.ports.sla_candidates import SlaCandidate
from aftersales.ports.ticket_index import TicketRow, row_values, ticket_row_of
from aftersales.serialization import (
    EventsText,
    datetime_text,
    decode_json,
    events_stored_as,
    structure,
    ticket_text_utf8,
)

try:
    from psycopg.types.json import Jsonb
except ImportError as exc:  # pragma: no cover - depends on the install
    from aftersales.errors import ConfigurationError

    raise ConfigurationError(
        "PostgreSQL storage needs psycopg 3 and psycopg_pool: pip install 'aftersales[postgres]'"
    ) from exc

if TYPE_CHECKING:
    from aftersales.adapters.postgres import PostgresUnitOfWork

__all__ = ["LOCK_NAME", "PostgresTickets", "locking_read", "memo_key"]

_INSERT = (
    f"INSERT INTO tickets ({', '.join(ROW_COLUMNS)}, data) "
    f"VALUES ({', '.join(['%s'] * (len(ROW_COLUMNS) + 1))}) ON CONFLICT (id) DO NOTHING RETURNING xmin::text"
)
_INSERT_MANY = _INSERT.removesuffix(" ON CONFLICT (id) DO NOTHING RETURNING xmin::text")
_INSERT_DEFERRED = f"{_INSERT_MANY} RETURNING xmin::text"  # a duplicate fails the commit
_SETS = ", ".join(f"{c} = %s" for c in ROW_COLUMNS[1:])
_UPDATE = f"UPDATE tickets SET {_SETS}, data = %s WHERE id = %s AND version = %s RETURNING xmin::text"
_UPDATE_LOCKED = _UPDATE.removesuffix(" RETURNING xmin::text")
# A save that changes none of the row's columns (a note) sends only the document: 4 parameters for
# the server to parse and coerce instead of 21 (measured: about 30 µs less server CPU per save on the
# development server), and 17 fewer for this side to render.
# A completion comes or goes only with a state change (resolve, confirm, reopen), and its dealer with the
# ticket's dealer or assignee: the row columns whose change rewrites the ticket's completion rows.
_COMPLETION_COLUMNS = tuple(
    ROW_COLUMNS.index(c) for c in ("state", "dealer_id", "assignee_id", "dispatched_dealer")
)
_UPDATE_DOCUMENT = "UPDATE tickets SET version = %s, data = %s WHERE id = %s AND version = %s"

# The entities a command reads beside its ticket, by the ticket column naming them (the unit: the kept
# ticket's, else the stored one's).
_NEEDS = (
    ("customer", "t.customer_id"),
    ("engineer", "t.assignee_id"),
    ("dealer", "t.dealer_id"),
    ("asset", "u.id"),
    ("product", "t.product_id"),
)
_NEED_KINDS = tuple(kind for kind, _ in _NEEDS)
_UNIT = "CROSS JOIN LATERAL (SELECT COALESCE(%s, t.data->>'asset_id') AS id) u"
# Each as (the id asked for, its JSON or NULL): an entity that is not there is known absent too. Each
# a lookup by the whole primary key: the plan never depends on how many entities of a kind the
# statistics saw (joins on them were planned as a scan of every unit while the statistics predated
# the units: 2.3 ms instead of 0.4 ms for the read, until the next ANALYZE).


def _entities(kinds: Collection[str]) -> str:
    """The entity columns of a ticket read: for each of :data:`_NEEDS`, the id and its stored JSON,
    or two NULLs for a kind left out (:mod:`aftersales.adapters.postgres_entity_reads`)."""
    return ", ".join(
        f"{column}, (SELECT data::text FROM entities WHERE kind = '{kind}' AND id = {column})"
        if kind in kinds
        else "NULL::text, NULL::text"
        for kind, column in _NEEDS
    )


def _documents(kinds: Collection[str]) -> str:
    """The document columns of a locking ticket read: for each of :data:`DOCUMENTS`, its version and
    stored JSON as one text (``NULL``: not stored, or a kind left out)."""
    return ", ".join(
        f"(SELECT version::text || ' ' || data::text FROM documents WHERE kind = '{kind}' AND id = '{id_}')"
        if kind in kinds
        else "NULL::text"
        for kind, id_ in DOCUMENTS
    )


def _per_ticket(kinds: Collection[str]) -> str:
    """The columns of a locking ticket read for each of :data:`PER_TICKET`: the version and stored
    JSON of its document stored under the ticket's id, as one text (``NULL``: none, or left out)."""
    return ", ".join(
        f"(SELECT version::text || ' ' || data::text FROM documents WHERE kind = '{kind}' AND id = t.id)"
        if kind in kinds
        else "NULL::text"
        for kind in PER_TICKET
    )


def _by_ticket(kinds: Collection[str]) -> str:
    """The document-query columns of a locking ticket read: for each of :data:`BY_TICKET`, the
    ``[version, data]`` pairs of its documents indexed under this ticket's id, in the order
    ``documents.query`` gives them, as JSON text (``NULL``: none stored, or a kind left out)."""
    return ", ".join(
        "(SELECT json_agg(json_build_array(d.version, d.data) ORDER BY d.id)::text"
        " FROM document_index l CROSS JOIN documents d"
        f" WHERE l.kind = '{kind}' AND l.field = 'ticket_id' AND l.value = t.id"
        " AND d.kind = l.kind AND d.id = l.id)"
        if by_ticket(kind) in kinds
        else "NULL::text"
        for kind in BY_TICKET
    )


def _versions(kinds: Collection[str]) -> str:
    """The version-query columns of a locking ticket read: for each of :data:`VERSIONS`, the
    ``[id, version]`` pairs of the documents ``documents.versions`` would name, as JSON text (``NULL``:
    none stored, or a query left out). Its kind, field and value are this module's constants."""
    return ", ".join(
        "(SELECT json_agg(json_build_array(l.id, d.version))::text"
        " FROM document_index l CROSS JOIN documents d"
        f" WHERE l.kind = '{kind}' AND l.field = '{field}' AND l.value = '{value}'"
        " AND d.kind = l.kind AND d.id = l.id)"
        if versions_of(kind, field, value) in kinds
        else "NULL::text"
        for kind, field, value in VERSIONS
    )


# The ids of the fault statistics a close counts into (``fault_stats.stats_id``: product, "|", symptom; a
# test holds them equal): each fault record's symptom under the ticket's product and under every product,
# and what the ticket taught them before (``TicketLearning.contributions``, taken back by a close).
_FAULT_STATS_IDS = (
    "SELECT p.product || '|' || (r.value->>'symptom') FROM tickets x"
    " CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(x.data->'fault_records')"
    " WHEN 'array' THEN x.data->'fault_records' ELSE '[]' END) r"
    f" CROSS JOIN LATERAL (VALUES (NULLIF(x.product_id, '')), ('{ALL_PRODUCTS}')) p(product)"
    " WHERE x.id = t.id AND p.product IS NOT NULL"
    " UNION SELECT (c.value->>'product_id') || '|' || (c.value->>'symptom') FROM documents l"
    " CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(l.data->'contributions')"
    " WHEN 'array' THEN l.data->'contributions' ELSE '[]' END) c"
    " WHERE l.kind = 'fault_learning' AND l.id = t.id"
)


def _fault_stats(kinds: Collection[str]) -> str:
    """The fault-statistics column of a locking ticket read (:data:`FAULT_STATS`): the ``[id, version,
    data]`` of each statistic the ticket's fault records name (version and data ``null``: not stored), as
    JSON text (``NULL``: none named, or left out)."""
    if FAULT_STATS not in kinds:
        return "NULL::text"
    return (
        "(SELECT json_agg(json_build_array(k.id, d.version, d.data) ORDER BY k.id)::text"
        f" FROM ({_FAULT_STATS_IDS}) k(id) LEFT JOIN documents d"
        f" ON d.kind = '{FAULT_STATS}' AND d.id = k.id WHERE k.id IS NOT NULL)"
    )


_ENTITY_COLUMNS = 2 * len(_NEEDS)
_ALL_KINDS = frozenset(
    (
        *(kind for kind, _ in _NEEDS),
        *(kind for kind, _ in DOCUMENTS),
        *PER_TICKET,
        *(by_ticket(k) for k in BY_TICKET),
        *(versions_of(*q) for q in VERSIONS),
        FAULT_STATS,
    )
)
_TICKET_DOCUMENTS = frozenset(
    (*PER_TICKET, *(by_ticket(k) for k in BY_TICKET), *(versions_of(*q) for q in VERSIONS), FAULT_STATS)
)
_ENTITIES = _entities(_ALL_KINDS)
_KEY_OF_ROW = "t.version::text || ':' || t.xmin::text"
_SELECT = (
    f"SELECT t.version, {_KEY_OF_ROW}, CASE WHEN {_KEY_OF_ROW} = %s THEN NULL ELSE t.data::text END,"
    f" {_ENTITIES} FROM tickets t {_UNIT} WHERE t.id = %s"
)


def _select_for_update(kinds: Collection[str]) -> str:
    # A command also reads the position of the ticket's search row. Not its texts (nor their
    # digests), keys and labels: reading them was over a third of this statement's server time, and
    # most commands never re-index; a re-index makes them the document's with statements that change
    # nothing when equal. A unit left out is not looked up in the ticket's JSON either (its column
    # is not referenced, so the lateral expression is never evaluated).
    return (
        f"SELECT t.version, {_KEY_OF_ROW}, CASE WHEN {_KEY_OF_ROW} = %s THEN NULL ELSE t.data::text END,"
        f" {_entities(kinds)}, {_documents(kinds)}, s.pos,"
        " pg_current_xact_id()::text"  # the xmin of what it writes (a row lock has taken an id anyway)
        f" FROM tickets t {_UNIT} LEFT JOIN ticket_search s ON s.ticket_id = t.id"
        " WHERE t.id = %s FOR UPDATE OF t"
    )


def ticket_documents_read(kinds: frozenset[str]) -> tuple[str, str] | None:
    """The name and text of the read of a locked ticket's own documents among ``kinds``, of the
    document versions among them (:data:`VERSIONS`: the emergency teams') and of the fault statistics its
    fault records name (:data:`FAULT_STATS`); ``None``: none brought. It is
    a statement of its own, sent in the same query after the locking read: under READ
    COMMITTED it takes its snapshot once the lock is held, so it sees what the lock's last holder wrote
    under it (in the locking read's own statement, a read that waited for the lock did not)."""
    wanted = kinds & _TICKET_DOCUMENTS
    if not wanted:
        return None
    if wanted not in _AFTER and len(_AFTER) >= _MOST_SETS:  # bounded: the read of them all
        wanted = _TICKET_DOCUMENTS
    found = _AFTER.get(wanted)
    if found is None:
        columns = f"{_per_ticket(wanted)}, {_by_ticket(wanted)}, {_versions(wanted)}, {_fault_stats(wanted)}"
        sql = f"SELECT {columns} FROM (SELECT %s::text AS id) t"
        found = _AFTER[wanted] = (_statement_name(sql), sql)
    return found


_MOST_SETS = 256
"""The most sets of kinds whose reads are made apart (each a statement prepared per connection): the kinds
learned per ticket state (``EntityReads``) vary more than the store's; past it the read of all is used."""
_AFTER: dict[frozenset[str], tuple[str, str]] = {}
""":func:`ticket_documents_read` per set of kinds brought (at most 32 sets)."""


def _statement_name(sql: str) -> str:
    return "aftersales_ticket_" + hashlib.md5(sql.encode(), usedforsecurity=False).hexdigest()[:12]


_SELECT_FOR_UPDATE = _select_for_update(_ALL_KINDS)
LOCK_NAME = _statement_name(_SELECT_FOR_UPDATE)
"""The name ``_SELECT_FOR_UPDATE`` (the read bringing every entity kind along) is prepared under on
each connection (its text's digest: another version of the statement never meets this one's name in
a session)."""
_LOCKING: dict[frozenset[str], tuple[str, str]] = {_ALL_KINDS: (LOCK_NAME, _SELECT_FOR_UPDATE)}
"""The locking read and its name per set of entity and document kinds brought along (at most 64 sets)."""


def locking_read(kinds: frozenset[str]) -> tuple[str, str]:
    """The name and text of the locking ticket read that brings the entity ``kinds`` along."""
    found = _LOCKING.get(kinds)
    if found is None and len(_LOCKING) >= _MOST_SETS:  # bounded: the read bringing every kind
        return LOCK_NAME, _SELECT_FOR_UPDATE
    if found is None:
        sql = _select_for_update(kinds)
        found = _LOCKING[kinds] = (_statement_name(sql), sql)
    return found


_DATA = "SELECT version, data::text FROM tickets WHERE id = %s"


def memo_key(version: int, xmin: str) -> str:
    """The memo's key of a stored ticket: its version and the transaction that wrote its row."""
    return f"{version}:{xmin}"


def _load(
    text: str, earlier: Ticket | None, kept: EventsText | None = None
) -> tuple[Ticket, EventsText | None]:
    """The ticket stored as ``text``, its first events taken from ``earlier`` — a version of it
    this process kept parsed — instead of parsed again; and its events' text for the next save.

    A row another process wrote since usually holds the kept events first, and only those it appended
    are parsed (8 clients on one ledger read mostly rows others wrote; parsing every event was half a
    command's client time). Every kept event must be the stored one, field by field
    (:func:`~aftersales.serialization.events_stored_as`), else the whole text is parsed: a customer's
    erasure rewrites a ticket's events and adds none, so the kept last step alone proves nothing. The
    events' text is the stored array written back by the JSON encoder (``jsonb`` keeps no key order:
    equal JSON), so the save after it serialises only the events the command adds.

    ``kept``: the text of the kept events (the memo's, keys sorted): when the row's events written the
    same way begin with it, that proves them the kept ones without the comparison field by field; the
    kept notes are then reused too where the row's notes begin with them
    (:mod:`aftersales.adapters.postgres_kept_events`)."""
    data = decode_json(text)
    stored = data.get("events") if isinstance(data, dict) else None
    if not isinstance(stored, list):
        return structure(data, Ticket), None
    events = sorted_events(stored)
    known = earlier.events if earlier is not None else []
    count = len(known)
    if earlier is not None and 0 < count <= len(stored):
        last, mine = stored[count - 1], known[-1]
        if (
            isinstance(last, dict)
            and last.get("seq") == mine.seq
            and last.get("action") == mine.action
            and last.get("at") == datetime_text(mine.at)
            and (same_first_events(events, kept, count) or events_stored_as(known, stored))
        ):
            data["events"] = stored[count:]
            notes = reuse_kept_notes(data, earlier)
            ticket = structure(data, Ticket)
            ticket.events[:0] = known  # immutable events: shared with the kept copy
            ticket.notes = (*notes, *ticket.notes)  # immutable notes, likewise
            return ticket, events
    return structure(data, Ticket), events


def _entity_ids(ticket: Ticket) -> tuple[str | None, ...]:
    """The ids of the entities a plain read of ``ticket`` brings along (:data:`_NEEDS`' order)."""
    assignee = ticket.assignee
    return (ticket.customer_id, assignee.id if assignee is not None else None, ticket.dealer_id,
            ticket.asset_id, ticket.product_id)  # fmt: skip


def _raw(data: bytes) -> bytes:
    return data  # already JSON: psycopg's Jsonb dumper sends it as is


class PostgresTickets:
    """The :class:`~aftersales.ports.repositories.TicketRepository` of one PostgreSQL unit of work."""

    def __init__(self, uow: PostgresUnitOfWork, memo: TicketMemo) -> None:
        self._uow = uow
        self._memo = memo
        self._locked: dict[str, int] = {}
        """Tickets this transaction holds the row lock of, at the version it read."""
        self._xmin = ""
        """This transaction's id as a row's ``xmin`` says it, once it locked a ticket."""
        self._events: dict[str, EventsText | None] = {}
        """The stored text of the events of each ticket served from the memo (a save appends to it)."""
        self._owners: dict[str, Ticket] = {}
        """The ticket object those events were read into or saved from: a save of another object (one
        rebuilt with rewritten events, as an erasure does) writes all its events, never the known text."""
        self._rows: dict[str, tuple[object, ...]] = {}
        """The row columns of each ticket this transaction locked, as its document read gives them
        (``row_values``): a save that leaves them so writes the document alone."""
        self._held: dict[str, tuple[str, int]] = {}
        """Tickets this transaction locked and has not written since, by the memo key and version its
        locking read found: the row cannot change under the lock, so a later read of the ticket in
        this transaction is answered from the memo (:meth:`_again`) instead of a round trip."""

    def forget(self) -> None:
        """The transaction ended: its locks and kept texts with it."""
        self._held.clear()
        self._locked.clear()
        self._events.clear()
        self._owners.clear()
        self._rows.clear()

    def _keep(
        self, ticket: Ticket, version: int, events: EventsText | None, values: tuple[object, ...]
    ) -> Any:
        # ``values``: the row columns of the state saved, kept with it: a locking read served from the
        # memo compares a save's columns with them instead of deriving them again (``row_values``).
        kept = ticket.copy()  # the state saved, whatever the caller changes before the commit

        def remember(found: Any) -> None:
            if found is not None:  # ``kept`` is this save's own copy: the memo keeps it as it is
                key = memo_key(version, found[0])
                self._memo.remember(ticket.id, key, kept, events, values, copy=False)

        return remember

    def add(self, ticket: Ticket) -> None:
        """Insert ``ticket``: at once (a duplicate id is a ``DuplicateError`` here), or, in a unit of
        work that already holds a lock it writes through (an intake holds the number counter's), with
        the command's commit — a duplicate id then fails the commit with ``DuplicateError`` and
        nothing is written (the ids such a command inserts come from the counter it holds)."""
        text, events = ticket_text_utf8(ticket, ticket.version, None)
        events = sorted_saved(events, None)  # kept as a changed row's are compared (postgres_kept_events)
        values = row_values(ticket)
        params = (*values, Jsonb(text, dumps=_raw))
        remember = self._keep(ticket, ticket.version, events, values)
        if self._uow.tx.deferring:
            self._uow.tx.defer(_INSERT_DEFERRED, params, remember, prepare=True)
        else:
            cursor = self._uow.run(_INSERT, params)
            if cursor.rowcount != 1:
                raise DuplicateError(f"ticket {ticket.id!r} already exists")
            self._uow.tx.deferring = True
            self._uow.tx.after_commit(cursor, remember)
        self._locked[ticket.id] = ticket.version  # a new row is this transaction's until it commits
        self._uow.search.known[ticket.id] = None  # nor has it a search row but the one written here
        upsert = completion_params(ticket)[1]
        if upsert is not None:  # a ticket stored done (an import): its completions, for a dealer's month
            self._uow.tx.defer(UPSERT, upsert, prepare=True)

    def add_many(self, tickets: Iterable[Ticket]) -> None:
        batch = distinct_batch(tickets)
        if not batch:
            return
        taken = self._uow.run(
            "SELECT id FROM tickets WHERE id = ANY(%s) LIMIT 1", ([t.id for t in batch],)
        ).fetchone()
        if taken is not None:
            raise DuplicateError(f"ticket {taken[0]!r} already exists")
        rows = [(*row_values(t), Jsonb(ticket_text_utf8(t, t.version, None)[0], dumps=_raw)) for t in batch]
        # By COPY (postgres_import): a concurrent insert of one of these ids fails the whole batch.
        copy_rows(self._uow, COPY_TICKETS, rows)
        done = completion_rows(batch)
        if done:  # tickets imported done: their completions, for a dealer's month
            copy_rows(self._uow, COPY_COMPLETIONS, done)
        self._uow.tx.deferring = True  # what follows (their search rows …) goes with the commit

    def _again(self, id: str) -> Ticket | None:
        """The ticket this transaction holds locked and has not written since, as its locking read
        found it (a copy of the memo's entry for that row), or ``None``: not held, not kept, or an
        entity the plain read would bring along is not known yet in this transaction (it would then
        cost a round trip of its own).

        A command reading its ticket again (a materials check's warranty rules, a keyed command's
        replay) took a round trip for the row it already holds: under the lock it is the same row."""
        held = self._held.get(id)
        recalled = self._memo.recall_entry(id, held[0]) if held is not None else None
        if held is None or recalled is None:
            return None
        ticket = recalled[0]
        known = self._uow.entity_texts
        seen = self._uow.entities_seen
        for kind, entity_id in zip(_NEED_KINDS, _entity_ids(ticket), strict=True):
            if entity_id is not None and (kind, entity_id) not in known and (kind, entity_id) not in seen:
                return None
        self._events[id] = recalled[1]
        self._owners[id] = ticket
        ticket.version = held[1]
        return ticket

    def _read(self, id: str, *, lock: bool) -> Ticket:
        if not lock and self._held:
            again = self._again(id)
            if again is not None:
                return again
        kept = self._memo.peek(id)
        key = kept[0] if kept is not None else ""
        asset = (kept[1].asset_id or "") if kept is not None else None
        if lock:  # a command's first statement: BEGIN travels with it (prepared once per connection)
            state = kept[1].state if kept is not None else None  # as last kept: a guess of the next use
            kinds = self._uow.entity_reads.kinds(state)
            self._uow.entities_brought, self._uow.entities_state = kinds, state
            after = ticket_documents_read(kinds)
            then = None if after is None else (*after, (id,))
            cursor, followed = self._uow.tx.begin_with(*locking_read(kinds), (key, asset, id), then=then)
        else:
            cursor, followed = self._uow.run(_SELECT, (key, asset, id)), None
        found = cursor.fetchone()
        if found is None:
            raise NotFound("ticket", id)
        version, stored_key, text = found[0], found[1], found[2]
        end = 3 + _ENTITY_COLUMNS
        self._uow.remember_entities(_NEED_KINDS, found[3:end])
        if lock:
            brought = self._uow.entities_brought or ()
            for (kind, doc_id), stored in zip(DOCUMENTS, found[end : end + len(DOCUMENTS)], strict=True):
                if kind in brought:
                    self._uow.documents.keep_along(kind, doc_id, stored)
            end += len(DOCUMENTS)
            own = followed.fetchone() if followed is not None else None
            if own is not None:
                for kind, stored in zip(PER_TICKET, own, strict=False):
                    if kind in brought:
                        self._uow.documents.keep_along(kind, id, stored)
                queries = own[len(PER_TICKET) : len(PER_TICKET) + len(BY_TICKET)]
                for kind, stored in zip(BY_TICKET, queries, strict=True):
                    if by_ticket(kind) in brought:
                        self._uow.documents.keep_query_along(kind, id, stored)
                at = len(PER_TICKET) + len(BY_TICKET)
                for query, stored in zip(VERSIONS, own[at : at + len(VERSIONS)], strict=True):
                    if versions_of(*query) in brought:
                        self._uow.documents.keep_versions_along(*query, stored)
                if FAULT_STATS in brought:
                    self._uow.documents.keep_found_along(FAULT_STATS, own[at + len(VERSIONS)])
            self._uow.search.known[id] = None if found[end] is None else int(found[end])
            self._locked[id] = version
            self._xmin = str(int(found[end + 1]) % 2**32)  # the 32-bit xid rows written here carry
            self._uow.tx.deferring = True
        ticket, values = None, None
        if text is None:  # the row is the one the memo keeps (unless it was just evicted)
            recalled = self._memo.recall_entry(id, stored_key)
            if recalled is not None:
                ticket, self._events[id], values = recalled
                if lock:
                    self._held[id] = (stored_key, version)
            else:
                again = self._uow.run(_DATA, (id,)).fetchone()
                assert again is not None  # the row is locked, or was there a moment ago
                version, text = again
        if ticket is None:
            earlier = kept[1] if kept is not None else None
            known = self._memo.peek_events(id) if kept is not None else None
            ticket, self._events[id] = _load(text, earlier, known)
        self._owners[id] = ticket
        ticket.version = version
        if lock:
            self._rows[id] = values if type(values) is tuple else row_values(ticket, version)
        return ticket

    def get(self, id: str) -> Ticket:
        return self._read(id, lock=False)

    def get_for_update(self, id: str) -> Ticket:
        # The row lock queues concurrent commands on one ticket (instead of failing their version check).
        return self._read(id, lock=True)

    def save(self, ticket: Ticket) -> None:
        self._held.pop(ticket.id, None)  # written: read again from the server, or this object
        old = ticket.version
        new = old + 1
        known = self._events.pop(ticket.id, None)
        if self._owners.pop(ticket.id, None) is not ticket:  # rebuilt (rewritten events): all of them
            known = None
        text, events = ticket_text_utf8(ticket, new, known)
        events = sorted_saved(events, known)  # kept as a changed row's are compared (postgres_kept_events)
        values = row_values(ticket, new)
        document = Jsonb(text, dumps=_raw)
        remember = self._keep(ticket, new, events, values)
        if self._locked.get(ticket.id) == old:
            # Locked at this version by this transaction: the check cannot fail, so it need not wait.
            # What it returns is known: the row's xmin is this transaction's id, read with the lock.
            stored = self._rows.get(ticket.id)
            if stored is not None and stored[2:] == values[2:]:  # past id and version: the same
                self._uow.tx.defer(_UPDATE_DOCUMENT, (new, document, ticket.id, old), prepare=True)
            else:
                self._uow.tx.defer(_UPDATE_LOCKED, (*values[1:], document, ticket.id, old), prepare=True)
                self._rows[ticket.id] = values
                if stored is None or any(stored[i] != values[i] for i in _COMPLETION_COLUMNS):
                    write_completions(self._uow, ticket)
            self._uow.tx.then(remember, (self._xmin,))
        else:
            cursor = self._uow.run(_UPDATE, (*values[1:], document, ticket.id, old))
            if cursor.rowcount != 1:
                found = self._uow.run("SELECT version FROM tickets WHERE id = %s", (ticket.id,)).fetchone()
                if found is None:
                    raise NotFound("ticket", ticket.id)
                raise ConcurrencyConflict("ticket", ticket.id, ticket.version, found[0])
            self._uow.tx.after_commit(cursor, remember)
            write_completions(self._uow, ticket)  # the earlier state is not known here
        if ticket.id in self._locked:
            self._locked[ticket.id] = new
        self._events[ticket.id] = events
        self._owners[ticket.id] = ticket
        ticket.version = new

    def _gap_column(self, filter: TicketFilter) -> str:
        """``late_gap`` as the breached filter reads it (:func:`.late_gap_postgres.pg_gap_column`)."""
        return pg_filter_gap_column(self._uow, filter)

    def _select(self, filter: TicketFilter, page: PageRequest) -> tuple[str, list[object]]:
        gap = self._gap_column(filter)
        return page_query(
            filter, page, "data", "%s", "ILIKE", "TRUE", "FALSE", paged_arms=True, gap_column=gap
        )

    def explain(self, filter: TicketFilter, page: PageRequest) -> list[str]:
        """PostgreSQL's plan for :meth:`query` (``EXPLAIN``), one line per node."""
        sql, params = self._select(filter, page)
        return [str(row[0]) for row in self._uow.run(f"EXPLAIN {sql}", params)]

    def query(self, filter: TicketFilter, page: PageRequest) -> Page[Ticket]:
        sql, params = self._select(filter, page)
        rows = self._uow.run(sql, params).fetchall()
        items = [self._load(r[0], r[1]) for r in rows[: page.limit]]
        cursor = encode_cursor(page.sort, rows[page.limit - 1][2:]) if len(rows) > page.limit else None
        return Page(items, cursor)

    def sla_candidates(self, filter: TicketFilter, page: PageRequest) -> Page[SlaCandidate]:
        gap = self._gap_column(filter)  # the breached filter as the ledger reads it
        sql, params = candidate_query(
            filter, page, "%s", "ILIKE", POSTGRES_TIER, "TRUE", "FALSE", gap_column=gap
        )
        return candidate_page(self._uow.run(sql, params).fetchall(), page)

    def query_rows(self, filter: TicketFilter, page: PageRequest) -> Page[TicketRow]:
        """:meth:`query` as the row columns alone (no document read or parsed)."""
        select = ", ".join(f"tickets.{c}" for c in ROW_COLUMNS)
        gap = self._gap_column(filter)
        sql, params = page_query(
            filter, page, select, "%s", "ILIKE", "TRUE", "FALSE", paged_arms=True, gap_column=gap
        )
        rows = self._uow.run(sql, params).fetchall()
        after = 1 + len(ROW_COLUMNS)
        items = [ticket_row_of(r[1:after]) for r in rows[: page.limit]]
        cursor = encode_cursor(page.sort, rows[page.limit - 1][after:]) if len(rows) > page.limit else None
        return Page(items, cursor)

    @staticmethod
    def _load(version: int, data: Any) -> Ticket:
        ticket = structure(data, Ticket)
        ticket.version = version
        return ticket

    def count(self, filter: TicketFilter) -> int:
        parts, params = where(filter, "%s", "ILIKE", "TRUE", "FALSE", gap_column=self._gap_column(filter))
        sql = f"SELECT count(*) FROM tickets{' WHERE ' + ' AND '.join(parts) if parts else ''}"
        found = self._uow.run(sql, params).fetchone()
        return int(found[0]) if found is not None else 0

    def count_by(self, field: CountField, filter: TicketFilter) -> dict[str, int]:
        # issue 20: also by team member (collations: labels read per ticket, not as a prefix range)
        gap = self._gap_column(filter)
        sql, params = count_query(
            field, filter, "%s", "ILIKE", "TRUE", "FALSE", prefix_range=False, gap_column=gap
        )
        return {(value or UNSET): int(n) for value, n in self._uow.run(sql, params)}

    def open_loads(self, assignee_ids: Collection[str], states: Sequence[str]) -> dict[str, int]:
        """Open tickets of the named assignees only (issue 26: dispatch's loads; the open-assignee index)."""
        return open_loads_in(self._uow.run, assignee_ids, states, "%s", "TRUE")
