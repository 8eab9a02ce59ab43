"""The repositories every SQL store shares: versioned documents, the outbox, idempotency keys.

The SQLite and PostgreSQL stores run the same statements under the same rules (a duplicate id, a
stale version, an unknown index field, a message marked sent once); each supplies its placeholder,
how it runs a statement, and how a value goes into and comes out of a ``data`` column (JSON text for
SQLite, ``jsonb`` for PostgreSQL). Duplicates are ``ON CONFLICT DO NOTHING`` and a row count, not an
error: a PostgreSQL transaction could not go on after one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from aftersales.domain.instants import micros
from aftersales.errors import ConcurrencyConflict, DuplicateError, NotFound, ValidationError
from aftersales.ports.documents import D, Document, document_spec, index_value, with_version
from aftersales.ports.erasure import ScrubPlan, scrub_idempotency_row, scrub_message
from aftersales.ports.outbox import OutboxBookkeeping, OutboxMessage, check_claim, claimed, distinct_messages
from aftersales.serialization import datetime_text, decode_json, encode_json

__all__ = ["SqlDocuments", "SqlIdempotency", "SqlOutbox", "SqlRepository"]


class SqlRepository:
    """A repository's statements in its store's dialect: ``_templates`` writes them with ``?``, and each
    subclass gets them with its ``placeholder``."""

    placeholder: ClassVar[str] = "?"
    _sql: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._sql = {name: sql.replace("?", cls.placeholder) for name, sql in cls._templates().items()}

    @classmethod
    def _templates(cls) -> dict[str, str]:
        return {}

    def _run(self, sql: str, params: Sequence[Any]) -> Any:
        """Execute ``sql`` in the unit of work; returns the cursor."""
        raise NotImplementedError


class SqlDocuments(SqlRepository):
    """The document repository of a SQL unit of work; subclasses set ``placeholder`` and the three hooks."""

    @classmethod
    def _templates(cls) -> dict[str, str]:
        exists = (
            " AND EXISTS (SELECT 1 FROM document_index i"
            " WHERE i.kind = d.kind AND i.id = d.id AND i.field = ?"
        )
        return {
            "get": "SELECT version, data FROM documents WHERE kind = ? AND id = ?",
            "add": "INSERT INTO documents (kind, id, version, data) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            "save": "UPDATE documents SET version = ?, data = ? WHERE kind = ? AND id = ? AND version = ?",
            "version": "SELECT version FROM documents WHERE kind = ? AND id = ?",
            "unindex": "DELETE FROM document_index WHERE kind = ? AND field = ? AND id = ?",
            "index": "INSERT INTO document_index (kind, field, value, id) VALUES (?, ?, ?, ?)",
            "query": "SELECT d.version, d.data FROM documents d WHERE d.kind = ?",
            # CROSS JOIN: SQLite keeps the index as the outer loop; PostgreSQL plans it as any join.
            "query_by": "SELECT d.version, d.data FROM document_index l CROSS JOIN documents d"
            " WHERE l.kind = ? AND l.field = ? AND l.value = ? AND d.kind = l.kind AND d.id = l.id",
            "matches": exists + " AND i.value = ?)",
            "matches_null": exists + " AND i.value IS NULL)",
        }

    def _encode(self, obj: Document, version: int) -> Any:
        """``obj`` at ``version`` as the store's ``data`` value."""
        raise NotImplementedError

    def _decode(self, data: Any, cls: type[D]) -> D:
        """A ``data`` value back as a ``cls``."""
        raise NotImplementedError

    def _write_index(
        self, obj: Document, kind: str, index: tuple[str, ...], new: bool = False, written: int = 0
    ) -> None:
        # One delete per field, by the primary key (kind, field, id): a delete by (kind, id) alone scans
        # every index row of the kind, which made bulk writes quadratic. A new document has no rows yet.
        # Issue 26: a document read in this unit of work rewrites only the fields that changed (a plan's
        # generation day, not its unit, customer, dealer…). The rows remembered are those of the version
        # the save replaced (the version check proved it), or they are all rewritten.
        memo = self._index_memo()
        known = None if new else memo.get((kind, obj.id))
        before = known[1] if known is not None and known[0] == obj.version else None
        values = tuple(index_value(getattr(obj, name)) for name in index)
        rows: list[object] = []
        for at, name in enumerate(index):
            if before is not None and before[at] == values[at]:
                continue
            if not new:
                self._write(self._sql["unindex"], (kind, name, obj.id))
            rows += (kind, name, values[at], obj.id)
        if rows:
            # One statement for the document's rows (a new visit has three): a write pays per statement.
            self._write(self._index_sql(len(rows) // 4), rows)
        memo[(kind, obj.id)] = (written, values)

    def _write(self, sql: str, params: Sequence[Any]) -> None:
        """Write index rows of a document whose own row this transaction has just written (so no other
        writer can change them before it ends): at once here; a store may send them later in the same
        transaction (PostgreSQL: with the command's next statement)."""
        self._run(sql, params)

    def _index_sql(self, count: int) -> str:
        """The ``INSERT`` of ``count`` index rows (one ``VALUES`` tuple each), made once per count."""
        sql = self._sql.get(f"index{count}")
        if sql is None:
            one = "(" + ", ".join([self.placeholder] * 4) + ")"
            head = self._sql["index"].partition(" VALUES ")[0]
            sql = self._sql[f"index{count}"] = f"{head} VALUES {', '.join([one] * count)}"
        return sql

    def _index_memo(self) -> dict[tuple[str, str], tuple[int, tuple[str | None, ...]]]:
        """Version and index values of documents read (get, query_range) or written in this unit of work."""
        memo: dict[tuple[str, str], tuple[int, tuple[str | None, ...]]] | None = self.__dict__.get("_memo")
        if memo is None:
            memo = self.__dict__["_memo"] = {}
        return memo

    def _note_stored(self, kind: str, id: str, version: int, data: Any, index: tuple[str, ...]) -> None:
        """Remember the index values ``data`` (the stored JSON at ``version``) was indexed under."""
        if index:
            raw = self._raw(data)
            values = tuple(_stored_value(raw.get(name)) for name in index)
            self._index_memo()[(kind, id)] = (version, values)

    def get(self, cls: type[D], id: str) -> D:
        kind = document_spec(cls).kind
        found = self._run(self._sql["get"], (kind, id)).fetchone()
        if found is None:
            raise NotFound(kind, id)
        self._note_stored(kind, id, found[0], found[1], document_spec(cls).index)
        return with_version(self._decode(found[1], cls), found[0])

    def add(self, obj: Document) -> None:
        spec = document_spec(type(obj))
        cursor = self._run(self._sql["add"], (spec.kind, obj.id, obj.version, self._encode(obj, obj.version)))
        if cursor.rowcount != 1:
            raise DuplicateError(f"{spec.kind} {obj.id!r} already exists")
        self._write_index(obj, spec.kind, spec.index, new=True, written=obj.version)

    def save(self, obj: D) -> D:
        spec = document_spec(type(obj))
        new = obj.version + 1
        cursor = self._run(self._sql["save"], (new, self._encode(obj, new), spec.kind, obj.id, obj.version))
        if cursor.rowcount != 1:
            found = self._run(self._sql["version"], (spec.kind, obj.id)).fetchone()
            if found is None:
                raise NotFound(spec.kind, obj.id)
            raise ConcurrencyConflict(spec.kind, obj.id, obj.version, found[0])
        self._write_index(obj, spec.kind, spec.index, written=new)
        return with_version(obj, new)

    def query(self, cls: type[D], **equals: object) -> Sequence[D]:
        spec = document_spec(cls)
        unknown = set(equals) - set(spec.index)
        if unknown:
            raise ValidationError(f"{spec.kind} has no index field(s) {', '.join(sorted(unknown))}")
        sql, params = self._matching(spec.kind, equals)
        sql += " ORDER BY d.id"
        return [with_version(self._decode(data, cls), version) for version, data in self._run(sql, params)]

    def _matching(self, kind: str, equals: dict[str, object]) -> tuple[str, list[object]]:
        """The query of ``kind``'s documents whose index fields equal ``equals``, and its parameters."""
        rest = dict(equals)
        lead = next((n for n, v in rest.items() if index_value(v) is not None), None)
        if lead is None:
            sql = self._sql["query"]
            params: list[object] = [kind]
        else:
            # Issue 26: the first value given drives the query through the (kind, field, value) index; the
            # planner otherwise scanned every document of the kind (seconds at a million plans).
            sql = self._sql["query_by"]
            params = [kind, lead, index_value(rest.pop(lead))]
        for name, value in rest.items():
            stored = index_value(value)
            if stored is None:
                sql += self._sql["matches_null"]
                params.append(name)
            else:
                sql += self._sql["matches"]
                params += (name, stored)
        return sql, params

    def version(self, cls: type[Document], id: str) -> int:
        """The stored version of one document (``NotFound``): a reader holding a parsed copy checks it
        is still current without reading and parsing the document again (issue 20: team rosters)."""
        kind = document_spec(cls).kind
        found = self._run(self._sql["version"], (kind, id)).fetchone()
        if found is None:
            raise NotFound(kind, id)
        return int(found[0])

    def versions(self, cls: type[Document], **equals: object) -> dict[str, int]:
        """Id → stored version of the documents :meth:`query` would return, from the index alone."""
        spec = document_spec(cls)
        unknown = set(equals) - set(spec.index)
        if unknown:
            raise ValidationError(f"{spec.kind} has no index field(s) {', '.join(sorted(unknown))}")
        sql, params = self._matching(spec.kind, equals)
        sql = sql.replace("SELECT d.version, d.data", "SELECT d.id, d.version", 1)
        return {str(id_): int(version) for id_, version in self._run(sql, params)}

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
        """Documents whose index ``field`` is set and at most ``upto``, by that value then id (issue 26).

        For fields holding fixed-width ISO dates (a plan's generation day): one range of the
        ``(kind, field, value)`` index, so a daily job reads what became due and nothing else.
        ``after`` (a value and an id) is a page cursor: only documents past it in that order.
        """
        spec = document_spec(cls)
        sql, params = self.range_statement(cls, field, upto, limit=limit, after=after, **equals)
        out: list[D] = []
        for version, data in self._run(sql, params):
            obj = with_version(self._decode(data, cls), version)
            self._note_stored(spec.kind, obj.id, version, data, spec.index)
            out.append(obj)
        return out

    def range_statement(
        self,
        cls: type[Document],
        field: str,
        upto: str,
        *,
        limit: int | None = None,
        after: tuple[str, str] | None = None,
        **equals: object,
    ) -> tuple[str, list[object]]:
        """The statement :meth:`query_range` runs and its parameters (for ``EXPLAIN`` in a plan test).

        The ids are chosen, sorted and cut to ``limit`` from the index alone; only then are their
        documents read, by primary key. Joining first read every due document on every call: a daily
        job taking 500 of 5,500 due plans a transaction read some 33,000 plans a day to keep 5,500.
        """
        spec = document_spec(cls)
        unknown = ({field} | set(equals)) - set(spec.index)
        if unknown:
            raise ValidationError(f"{spec.kind} has no index field(s) {', '.join(sorted(unknown))}")
        due = "SELECT r.value, r.id FROM document_index r WHERE r.kind = ? AND r.field = ? AND r.value <= ?"
        params: list[object] = [spec.kind, field, upto]
        if after is not None:
            # Row comparison spelled out: the (kind, field, value) index serves it on both stores.
            due += " AND r.value >= ? AND (r.value > ? OR r.id > ?)"
            params += (after[0], after[0], after[1])
        for name, value in equals.items():
            stored = index_value(value)
            due += " AND EXISTS (SELECT 1 FROM document_index i WHERE i.kind = r.kind AND i.id = r.id"
            due += (
                " AND i.field = ? AND i.value IS NULL)"
                if stored is None
                else " AND i.field = ? AND i.value = ?)"
            )
            params += (name,) if stored is None else (name, stored)
        due += " ORDER BY r.value, r.id"
        if limit is not None:
            due += f" LIMIT {int(limit)}"
        # CROSS JOIN: SQLite keeps the chosen ids as the outer loop (PostgreSQL plans it as any join).
        sql = (
            f"SELECT d.version, d.data FROM ({due}) due CROSS JOIN documents d"
            " WHERE d.kind = ? AND d.id = due.id ORDER BY due.value, due.id"
        )
        params.append(spec.kind)
        return sql.replace("?", self.placeholder), params

    def query_newest(
        self, cls: type[D], field: str, below: str | None, *, limit: int
    ) -> Sequence[tuple[str, D]]:
        """Up to ``limit`` documents whose index ``field`` is set and below ``below`` (any when ``None``),
        the highest value first, each with that value; documents of equal values in no promised order.

        For a list read newest first from a fixed-width instant (issue 21: the SLA alerts of one day,
        461,647 after a 1 M-ticket file's first sweep, were all read and sorted for a page): the
        ``(kind, field, value)`` index is read backwards and stops after ``limit`` entries."""
        spec = document_spec(cls)
        sql, params = self.newest_statement(cls, field, below, limit=limit)
        out: list[tuple[str, D]] = []
        for version, data, value in self._run(sql, params):
            obj = with_version(self._decode(data, cls), version)
            self._note_stored(spec.kind, obj.id, version, data, spec.index)
            out.append((str(value), obj))
        out.sort(key=lambda pair: pair[0], reverse=True)  # the join keeps no order
        return out

    def newest_statement(
        self, cls: type[Document], field: str, below: str | None, *, limit: int
    ) -> tuple[str, list[object]]:
        """The statement :meth:`query_newest` runs and its parameters (for ``EXPLAIN`` in a plan test):
        the ids from the index alone, read backwards (no sort), then their documents by primary key."""
        spec = document_spec(cls)
        if field not in spec.index:
            raise ValidationError(f"{spec.kind} has no index field {field}", field="field")
        pick = "SELECT r.value, r.id FROM document_index r WHERE r.kind = ? AND r.field = ?"
        params: list[object] = [spec.kind, field]
        if below is None:
            pick += " AND r.value IS NOT NULL"
        else:
            pick += " AND r.value < ?"
            params.append(below)
        pick += f" ORDER BY r.value DESC LIMIT {int(limit)}"
        sql = (
            f"SELECT d.version, d.data, pick.value FROM ({pick}) pick CROSS JOIN documents d"
            " WHERE d.kind = ? AND d.id = pick.id"
        )
        params.append(spec.kind)
        return sql.replace("?", self.placeholder), params

    def purge_range(self, cls: type[Document], field: str, upto: str, limit: int) -> int:
        """Delete up to ``limit`` documents of ``cls`` whose index ``field`` is at most ``upto``, the lowest
        values first (a retention purge: the oldest records go first); returns how many were deleted.

        The ids are chosen from the ``(kind, field, value)`` index alone, then the documents and their
        index rows are deleted by primary key."""
        spec = document_spec(cls)
        if field not in spec.index:
            raise ValidationError(f"{spec.kind} has no index field {field}", field="field")
        pick = (
            "SELECT id FROM document_index WHERE kind = ? AND field = ? AND value <= ?"
            f" ORDER BY value, id LIMIT {int(limit)}"
        )
        ids = [row[0] for row in self._run(pick.replace("?", self.placeholder), (spec.kind, field, upto))]
        return self.remove(cls, ids)

    def remove(self, cls: type[Document], ids: Sequence[str]) -> int:
        """Delete the documents of ``cls`` with ``ids`` (and their index rows), whatever their version; an
        id not stored is passed over. Returns how many were asked to go (a retention purge's page, chosen
        by its caller from what it read in the same transaction)."""
        spec = document_spec(cls)
        ids = list(dict.fromkeys(ids))
        # In chunks: a page may be 100,000 ids, past a statement's bound parameters (SQLite 32,766).
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            marks = ", ".join([self.placeholder] * len(chunk))
            for table in ("document_index", "documents"):
                sql = f"DELETE FROM {table} WHERE kind = {self.placeholder} AND id IN ({marks})"
                self._run(sql, (spec.kind, *chunk))
        memo = self._index_memo()
        for id_ in ids:
            memo.pop((spec.kind, id_), None)
        return len(ids)

    prefix_by_range: ClassVar[bool] = True
    """Whether text compares byte-wise (SQLite), so a prefix is an index range; else ``substr`` is used."""

    def index_prefix(self, kind: str, field: str, prefix: str) -> list[str]:
        """The values of index ``field`` of documents of ``kind`` that start with ``prefix``.

        Read from the index alone (``(kind, field, value)`` covers it): a month's money rows of 100 000
        slips without touching a document.
        """
        if not prefix:
            raise ValidationError("a prefix is not empty", field="prefix")
        if self.prefix_by_range:
            sql = "SELECT value FROM document_index WHERE kind = ? AND field = ? AND value >= ? AND value < ?"
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            params: list[object] = [kind, field, prefix, upper]
        else:
            sql = "SELECT value FROM document_index WHERE kind = ? AND field = ? AND substr(value, 1, ?) = ?"
            params = [kind, field, len(prefix), prefix]
        return [row[0] for row in self._run(sql.replace("?", self.placeholder), params)]

    def backfill_index(self, cls: type[Document], field: str, limit: int) -> int:
        """Write the index rows of up to ``limit`` documents of ``cls`` that have no row for ``field``.

        For documents stored before ``field`` was indexed (a fee slip's ``money_row``): each is read,
        and all its index rows are written again from the document as it decodes now. Returns how many
        were written; 0 means none is missing. Resumable by construction: a document done in a
        committed batch has its row, so the next call starts after it.
        """
        spec = document_spec(cls)
        if field not in spec.index:
            raise ValidationError(f"{spec.kind} has no index field {field}", field="field")
        sql = (
            "SELECT d.version, d.data FROM documents d WHERE d.kind = ? AND NOT EXISTS"
            " (SELECT 1 FROM document_index i WHERE i.kind = d.kind AND i.field = ? AND i.id = d.id)"
            " ORDER BY d.id LIMIT ?"
        ).replace("?", self.placeholder)
        rows = self._run(sql, (spec.kind, field, limit)).fetchall()
        for version, data in rows:
            self._write_index(with_version(self._decode(data, cls), version), spec.kind, spec.index)
        return len(rows)

    def reindex_page(self, cls: type[Document], after: str, limit: int) -> str | None:
        """Write again the index rows of up to ``limit`` documents of ``cls`` whose ids follow ``after``,
        in id order, from each document as it decodes now; the last id written (the next page's
        ``after``), ``None`` once none follows.

        For an index field whose value an older release did not store (session 38: a complaint file's
        escalation key, derived as it decodes): one range of the primary key a page, so each page costs
        its own rows. :meth:`backfill_index` looks for documents without the row from the first id on
        every call, which re-read every document done before it (a page of 100 of 50,000 complaint
        files held the write lock 0.3-0.9 s)."""
        spec = document_spec(cls)
        sql = "SELECT d.version, d.data FROM documents d WHERE d.kind = ? AND d.id > ? ORDER BY d.id LIMIT ?"
        rows = self._run(sql.replace("?", self.placeholder), (spec.kind, after, int(limit))).fetchall()
        last: str | None = None
        for version, data in rows:
            obj = with_version(self._decode(data, cls), version)
            self._write_index(obj, spec.kind, spec.index, written=version)
            last = obj.id
        return last

    def _raw(self, data: Any) -> Any:
        """A ``data`` value as plain JSON (SQLite stores text; PostgreSQL hands ``jsonb`` back decoded)."""
        return decode_json(data) if isinstance(data, str | bytes) else data

    def query_data(self, kind: str, **equals: object) -> list[dict[str, Any]]:
        """Documents of ``kind`` as stored JSON, without building objects: for reports over many rows.

        The same filter as :meth:`query` (index fields only); no order is promised.
        """
        sql, params = self._matching(kind, equals)
        raw = self._raw
        return [raw(data) for _version, data in self._run(sql, params)]


def _stored_value(value: object) -> str | None:
    """How a stored JSON value was indexed, where that is certain (text, numbers); else a value that
    matches nothing (the field is rewritten)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return "\x00"


class SqlOutbox(SqlRepository, OutboxBookkeeping):
    """The outbox of a SQL unit of work; subclasses set the dialect's pieces and the two hooks.

    Columns beside ``data`` carry what claims, retention and the dead-letter list select on
    (``next_us``, ``lease_us``, ``dead_us``, ``sent_us``, microseconds since the epoch), each with a
    partial index, so a claim reads the due end of one index whatever is dead, leased or sent.
    """

    data_value: ClassVar[str] = "?"
    """How a ``data`` value is bound (SQLite casts its UTF-8 bytes to TEXT)."""
    unsent: ClassVar[str] = "sent = 0"
    """The "not sent" condition, written as the partial indexes write it (so they are used)."""
    is_sent: ClassVar[str] = "sent = 1"
    """The "sent" condition, as the retention index writes it."""
    true: ClassVar[str] = "1"
    """The ``sent`` column's true value."""
    for_update: ClassVar[str] = ""
    """What locks a message read for marking (PostgreSQL's row lock; SQLite's writer lock covers it)."""
    skip_locked: ClassVar[str] = ""
    """What makes a claim pass over rows another claim is taking (PostgreSQL); SQLite's writer lock
    already makes claims take turns."""
    put_chunk: ClassVar[int] = 500
    """Rows per INSERT statement (6 parameters each: well under both stores' parameter limits)."""
    claim_patch: ClassVar[str] = ""
    """The dialect's expression for ``data`` after a claim, from three parameters (the claim's instant
    and lease end as text, the owner): attempts + 1, ``last_attempt_at``, ``lease_until``,
    ``lease_owner``. With it a claim is one ``UPDATE … RETURNING`` for the whole batch; without it
    (another dialect) each message is read, rebuilt and written back."""
    sent_patch: ClassVar[str] = ""
    """The expression for ``data`` once sent, from one parameter (the instant as text): ``sent_at``
    set, the lease cleared. With it a delivered batch is marked in one ``UPDATE``."""

    @classmethod
    def _templates(cls) -> dict[str, str]:
        pending = f"{cls.unsent} AND dead_us IS NULL"
        return {
            "put_row": f"(?, ?, ?, ?, ?, {cls.data_value})",
            "pending": f"SELECT data FROM outbox WHERE {pending} ORDER BY next_us, id LIMIT ?",
            "candidates": f"SELECT data FROM outbox WHERE {pending} AND next_us <= ?"
            f" AND (lease_us IS NULL OR lease_us <= ?) ORDER BY next_us, id LIMIT ?{cls.skip_locked}",
            "take": f"UPDATE outbox SET lease_us = ?, data = {cls.data_value}"
            f" WHERE id = ? AND {pending} AND (lease_us IS NULL OR lease_us <= ?)",
            "load": f"SELECT data FROM outbox WHERE id = ?{cls.for_update}",
            "store": "UPDATE outbox SET sent = ?, next_us = ?, lease_us = ?, dead_us = ?, sent_us = ?,"
            f" data = {cls.data_value} WHERE id = ?",
            "sent": f"UPDATE outbox SET sent = {cls.true}, sent_us = ?, lease_us = NULL,"
            f" data = {cls.data_value} WHERE id = ?",
            "dead": f"SELECT data FROM outbox WHERE dead_us IS NOT NULL AND {cls.unsent}"
            " ORDER BY dead_us, id LIMIT ?",
            "purge": "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
            f" WHERE {cls.is_sent} AND sent_us < ? ORDER BY sent_us LIMIT ?)",
            "purge_dead": "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
            f" WHERE dead_us IS NOT NULL AND {cls.unsent} AND dead_us < ? ORDER BY dead_us, id LIMIT ?)",
            "containing": "SELECT id FROM outbox WHERE CAST(data AS TEXT) LIKE ? ESCAPE '\\'",
            "every_text": "SELECT id, CAST(data AS TEXT) FROM outbox",
            "claim_batch": f"UPDATE outbox SET lease_us = ?, data = {cls.claim_patch} WHERE id IN"
            f" (SELECT id FROM outbox WHERE {pending} AND next_us <= ?"
            f" AND (lease_us IS NULL OR lease_us <= ?) ORDER BY next_us, id LIMIT ?{cls.skip_locked})"
            " RETURNING next_us, id, data",
            "sent_batch": f"UPDATE outbox SET sent = {cls.true}, sent_us = ?, lease_us = NULL,"
            f" data = {cls.sent_patch} WHERE {cls.unsent} AND id IN ",
        }

    def _encode(self, message: OutboxMessage) -> Any:
        """``message`` as the store's ``data`` value."""
        raise NotImplementedError

    def _decode(self, data: Any) -> OutboxMessage:
        """A ``data`` value back as a message."""
        raise NotImplementedError

    def _inserts(
        self, messages: Iterable[OutboxMessage]
    ) -> Iterator[tuple[str, list[Any], list[OutboxMessage]]]:
        """The ``INSERT`` statements (with their parameters and messages) that store ``messages``."""
        batch = distinct_messages(messages)
        for start in range(0, len(batch), self.put_chunk):
            chunk = batch[start : start + self.put_chunk]
            params: list[Any] = []
            for m in chunk:
                sent_us = None if m.sent_at is None else micros(m.sent_at)
                params += (m.id, m.sent_at is not None, micros(m.created_at), micros(m.due_at), sent_us)
                params.append(self._encode(m))
            rows = ", ".join([self._sql["put_row"]] * len(chunk))
            yield (
                f"INSERT INTO outbox (id, sent, created_us, next_us, sent_us, data) VALUES {rows}",
                params,
                chunk,
            )

    def put(self, messages: Iterable[OutboxMessage]) -> None:
        """Insert ``messages``, a command's worth in one statement (chunked past ``put_chunk`` rows)."""
        for sql, params, chunk in self._inserts(messages):
            if self._run(sql + " ON CONFLICT DO NOTHING", params).rowcount != len(chunk):
                ids = ", ".join(repr(m.id) for m in chunk[:3])
                raise DuplicateError(f"outbox message already exists (one of {ids}…)")

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        return [self._decode(data) for (data,) in self._run(self._sql["pending"], (limit,)).fetchall()]

    def claim(self, owner: str, now: datetime, lease: timedelta, limit: int = 100) -> Sequence[OutboxMessage]:
        check_claim(owner, now, lease, limit)
        now_us = micros(now)
        if self.claim_patch:
            until = now + lease
            batch = (micros(until), datetime_text(now), datetime_text(until), owner, now_us, now_us, limit)
            rows = sorted(self._run(self._sql["claim_batch"], batch).fetchall(), key=lambda r: (r[0], r[1]))
            return [self._decode(data) for _next, _id, data in rows]
        found = self._run(self._sql["candidates"], (now_us, now_us, limit)).fetchall()
        taken: list[OutboxMessage] = []
        for (data,) in found:
            message = claimed(self._decode(data), owner, now, lease)
            assert message.lease_until is not None
            params = (micros(message.lease_until), self._encode(message), message.id, now_us)
            # Compare-and-set: a message another claim took since the read stays theirs.
            if self._run(self._sql["take"], params).rowcount == 1:
                taken.append(message)
        return taken

    def mark_sent(self, ids: Iterable[str], at: datetime) -> None:
        """Record delivery of a batch: one statement patching each row's JSON in the store (with
        ``sent_patch``), else one read for the batch, then each row's JSON patched as JSON.

        A delivered batch is hundreds of messages; patching ``sent_at`` and the lease in the stored
        JSON skips rebuilding (and re-validating) every message the store already holds.
        """
        wanted = list(dict.fromkeys(ids))
        sent_at, sent_us = datetime_text(at), micros(at)
        for start in range(0, len(wanted), self.put_chunk):
            chunk = wanted[start : start + self.put_chunk]
            marks = ", ".join([self.placeholder] * len(chunk))
            if self.sent_patch:  # the whole chunk in one statement, patched in the store
                self._run(f"{self._sql['sent_batch']}({marks})", [sent_us, sent_at, *chunk])
                continue
            sql = f"SELECT id, data FROM outbox WHERE id IN ({marks}) AND {self.unsent}{self.for_update}"
            for id_, data in self._run(sql, chunk).fetchall():
                record = dict(self._decode_raw(data))
                record.update(sent_at=sent_at, lease_until=None, lease_owner=None)
                self._run(self._sql["sent"], (sent_us, self._encode_raw(record), id_))

    def _decode_raw(self, data: Any) -> Mapping[str, Any]:
        """A ``data`` value as the JSON object it stores (not rebuilt as a message)."""
        raise NotImplementedError

    def _encode_raw(self, record: Mapping[str, Any]) -> Any:
        """A JSON object as the store's ``data`` value."""
        raise NotImplementedError

    def dead(self, limit: int = 100) -> Sequence[OutboxMessage]:
        return [self._decode(data) for (data,) in self._run(self._sql["dead"], (limit,)).fetchall()]

    def purge_sent(self, before: datetime, limit: int = 1000) -> int:
        return int(self._run(self._sql["purge"], (micros(before), limit)).rowcount)

    def purge_dead(self, before: datetime, limit: int = 1000) -> int:
        return int(self._run(self._sql["purge_dead"], (micros(before), limit)).rowcount)

    def _load(self, id: str) -> OutboxMessage | None:
        found = self._run(self._sql["load"], (id,)).fetchone()
        return self._decode(found[0]) if found is not None else None

    def _store(self, m: OutboxMessage) -> None:
        def us(value: datetime | None) -> int | None:
            return None if value is None else micros(value)

        params = (
            m.sent_at is not None,
            micros(m.due_at),
            us(m.lease_until),
            us(m.dead_at),
            us(m.sent_at),
            self._encode(m),
            m.id,
        )
        self._run(self._sql["store"], params)

    def scrub(
        self, needles: Sequence[str], *, free_text: Sequence[str] = (), within: Sequence[str] = ()
    ) -> int:
        """Replace each of ``needles`` (a person's name, phone, e-mail …) in every message, sent or not,
        and ``free_text`` in the messages naming one of ``within``
        (:func:`~aftersales.ports.erasure.scrub_needles`).

        Returns how many messages were rewritten. Used by the erasure of a customer (PIPL).
        """
        plan = ScrubPlan(needles, free_text, within)  # once: every row is asked of it
        ids: set[str] = set()
        if len(needles) + len(free_text) <= _LIKE_SCANS:
            for needle in (*needles, *free_text):
                ids.update(row[0] for row in self._run(self._sql["containing"], (_like(needle),)).fetchall())
        else:
            # One read of the outbox, each message asked of every needle at once (one LIKE scan per piece
            # of free text was messages x tickets).
            rows = self._run(self._sql["every_text"], ()).fetchall()
            ids.update(str(id_) for id_, text in rows if plan.may_touch(str(text)))
        count = 0
        for id_ in sorted(ids):
            message = self._load(id_)
            if message is None:
                continue
            texts = [encode_json(dict(message.payload)), message.idempotency_key]
            scrubbed = scrub_message(message, plan.for_row(texts))
            if scrubbed != message:
                self._store(scrubbed)
                count += 1
        return count


class SqlIdempotency(SqlRepository):
    """The idempotency keys of a SQL unit of work: a command's first result, kept by its key."""

    byte_order: ClassVar[str] = ""
    """What orders keys by their bytes (code points) in the store's dialect: SQLite's text compares so
    already; PostgreSQL's follows the database's collation unless told ``COLLATE "C"``."""

    @classmethod
    def _templates(cls) -> dict[str, str]:
        oldest = (
            "SELECT key FROM idempotency_seen WHERE seen_us < ?"
            f" ORDER BY seen_us, key{cls.byte_order} LIMIT ?"
        )
        return {
            "get": "SELECT result FROM idempotency WHERE key = ?",
            "put": "INSERT INTO idempotency (key, result) VALUES (?, ?) ON CONFLICT DO NOTHING",
            "containing": "SELECT key, result FROM idempotency WHERE key LIKE ? ESCAPE '\\'"
            " OR result LIKE ? ESCAPE '\\'",
            "every_row": "SELECT key, result FROM idempotency",
            "rewrite": "UPDATE idempotency SET result = ? WHERE key = ?",
            "delete": "DELETE FROM idempotency WHERE key = ?",
            "expire": "DELETE FROM idempotency"
            " WHERE key IN (SELECT key FROM idempotency_seen WHERE seen_us < ?)",
            "forget": "DELETE FROM idempotency_seen WHERE seen_us < ?",
            # The oldest ``limit`` stamps (by first seen, then by key, byte-wise in every store).
            "expire_some": f"DELETE FROM idempotency WHERE key IN ({oldest})",
            "forget_some": f"DELETE FROM idempotency_seen WHERE key IN ({oldest})",
            "stamp": "INSERT INTO idempotency_seen (key, seen_us) SELECT key, ? FROM idempotency WHERE true"
            " ON CONFLICT DO NOTHING",
            "move_stamp": "INSERT INTO idempotency_seen (key, seen_us)"
            " SELECT ?, seen_us FROM idempotency_seen WHERE key = ? ON CONFLICT DO NOTHING",
            "unstamp": "DELETE FROM idempotency_seen WHERE key = ?",
        }

    def get(self, key: str) -> str | None:
        found = self._run(self._sql["get"], (key,)).fetchone()
        return str(found[0]) if found is not None else None

    def put(self, key: str, result_json: str) -> None:
        if self._run(self._sql["put"], (key, result_json)).rowcount != 1:
            raise DuplicateError(f"idempotency key {key!r} already has a result")

    def sweep(self, now_us: int, before_us: int, limit: int | None = None) -> int:
        """The retention job's pass: drop results first seen before ``before_us``, stamp new ones ``now_us``.

        Returns how many results were dropped. Mark-and-sweep keeps the write path untouched: a result
        lives at least the retention period and at most that plus the interval between two passes.
        ``limit`` bounds the stamps expired (the oldest first, then by key); the rest wait for the next
        pass, stamped still.
        """
        if limit is None:
            dropped = int(self._run(self._sql["expire"], (before_us,)).rowcount)
            self._run(self._sql["forget"], (before_us,))
        else:
            # The same oldest stamps twice in one transaction: the results go first, then their stamps.
            dropped = int(self._run(self._sql["expire_some"], (before_us, limit)).rowcount)
            self._run(self._sql["forget_some"], (before_us, limit))
        self._run(self._sql["stamp"], (now_us,))
        return dropped

    def scrub(
        self, needles: Sequence[str], *, free_text: Sequence[str] = (), within: Sequence[str] = ()
    ) -> int:
        """Replace each of ``needles`` in every stored result (and key), and ``free_text`` in the rows
        naming one of ``within``; returns how many rows changed.

        A rewritten key takes its retention stamp along (the old key, person and all, is gone from both
        tables); when it reads like a key kept already, the first in key order is kept and the others
        are dropped with their stamps.
        """
        plan = ScrubPlan(needles, free_text, within)
        found: dict[str, str] = {}
        if len(needles) + len(free_text) <= _LIKE_SCANS:
            for needle in (*needles, *free_text):
                pattern = _like(needle)
                found.update(
                    (str(k), str(r)) for k, r in self._run(self._sql["containing"], (pattern, pattern))
                )
        else:  # one read, as the outbox's
            for k, r in self._run(self._sql["every_row"], ()).fetchall():
                if plan.may_touch(str(k)) or plan.may_touch(str(r)):
                    found[str(k)] = str(r)
        count = 0
        for key, result in sorted(found.items()):
            wanted = plan.for_row([key, result])
            new_key, new_result = scrub_idempotency_row(key, result, wanted)
            if (new_key, new_result) == (key, result):
                continue
            count += 1
            if new_key != key:
                self._run(self._sql["delete"], (key,))
                if self._run(self._sql["put"], (new_key, new_result)).rowcount == 1:
                    self._run(self._sql["move_stamp"], (new_key, key))
                self._run(self._sql["unstamp"], (key,))
            else:
                self._run(self._sql["rewrite"], (new_result, key))
        return count


_LIKE_SCANS = 16
"""Up to this many strings, a scrub finds its rows with one LIKE scan per string (the store's own
search, cheap for a customer with a ticket or two); beyond, with one read of every row, each asked of
all the strings at once (a person's many tickets, each with its own notes: scans x rows was quadratic)."""


def _like(needle: str) -> str:
    """A LIKE pattern matching ``needle`` as JSON text writes it, anywhere."""
    escaped = encode_json(needle)[1:-1]
    return "%" + escaped.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
