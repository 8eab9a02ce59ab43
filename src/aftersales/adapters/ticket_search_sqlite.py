"""Ticket search on SQLite: one FTS5 table of words built for substring, prefix and suffix search.

Written in the unit of work's own transaction, so a ticket and its index entry commit (or roll back)
together. Tables (migration :data:`SEARCH_MIGRATION`):

- ``ticket_search``: one row per ticket, ``pos`` (its rank key, see
  :mod:`aftersales.ports.ticket_search`) as the rowid, the ticket id, its free text and identifiers;
- ``ticket_search_fts``: contentless FTS5 (``unicode61``) with four columns of words: ``tri`` the
  text's three-character windows (a term of three characters or more is a phrase of them: trigram
  search), ``bi`` its two-character windows (a two-character term such as "漏水" is one word, a
  one-character term a prefix), ``fwd`` and ``rev`` each identifier forwards and reversed (a term
  that begins or ends a serial, phone or number is a prefix query);
- ``ticket_search_keys``: exact keys (number, serial, phone, name) for the score;
- ``ticket_labels``: ``tag:…`` and ``field:name=value`` labels for the ledger's tag and field filters.

The FTS words are written in batches: a command writes the ticket's ``ticket_search`` row (what the
exact check reads) at once and lists its position in ``ticket_search_pending`` (with the words the FTS
index still holds for it); once :data:`FLUSH_AT` positions are pending, the command that reaches it
moves them all into FTS5 in its transaction. FTS5 writes a new segment (and merge work) per
transaction, so one segment for many tickets instead of one per command is most of the pages a
command used to write. Searches stream the pending positions beside the FTS hits, both checked
exactly, so a ticket is found by its new words from the commit on, as before.

Identifiers are kept out of the text windows on purpose: "000", "sn-" or "202" occur in every
ticket number and serial, and a phrase over such windows reads the whole index. Hits stream from the
FTS index in ``pos`` order (newest first) and stop at the page's end; every hit is checked exactly.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from aftersales.adapters.fold_spellings import pending_fold_sqlite, unfolded_forms, window_forms
from aftersales.adapters.late_gap_pending import filter_gap_column
from aftersales.adapters.sql_ledger import where
from aftersales.adapters.sqlite_search_import import (
    DELETE_FTS,
    INSERT_FTS,
    SearchRow,
    document_of,
    insert_search_rows,
    search_rows,
)
from aftersales.adapters.text_search import TEXT_INDEX_MIGRATION
from aftersales.errors import StorageError, ValidationError
from aftersales.ports.erasure import QuotedNeedles, quotes_any
from aftersales.ports.queries import Page, TicketFilter
from aftersales.ports.script_folding import fold_script
from aftersales.ports.text_search import FIELD_SEPARATOR, normalize
from aftersales.ports.ticket_search import (
    SLOTS,
    SearchDocument,
    SearchQuery,
    SearchRequest,
    gram_words,
    merge_pages,
    position_base,
    scope_words,
    token_text,
)

__all__ = [
    "FLUSH_AT",
    "SEARCH_MIGRATION",
    "SEARCH_PENDING_MIGRATION",
    "SEARCH_PEND_TRIGGER_MIGRATION",
    "SqliteTicketSearch",
    "extend_grams",
    "forget_words",
    "fts_phrase",
    "fts_row",
    "term_match",
]

SEARCH_MIGRATION: tuple[str, ...] = (
    "CREATE TABLE ticket_search ("
    "pos INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL UNIQUE, text TEXT NOT NULL, idents TEXT NOT NULL,"
    " keys TEXT NOT NULL, labels TEXT NOT NULL, scope TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE ticket_search_fts USING fts5("
    "tri, bi, fwd, rev, scope, content='', tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
    "CREATE TABLE ticket_search_keys (key TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (key, pos))"
    " WITHOUT ROWID",
    "CREATE TABLE ticket_labels ("
    "label TEXT NOT NULL, ticket_id TEXT NOT NULL, PRIMARY KEY (label, ticket_id)) WITHOUT ROWID",
    "CREATE INDEX ticket_labels_ticket ON ticket_labels (ticket_id)",
    *TEXT_INDEX_MIGRATION,
)
"""The tables of ticket search and labels, and the persisted text index (appended to the migrations)."""

SEARCH_PENDING_MIGRATION: tuple[str, ...] = (
    # indexed = 0: the FTS index has no words for pos yet; else text/idents/scope are the ones it has.
    "CREATE TABLE IF NOT EXISTS ticket_search_pending ("
    "pos INTEGER PRIMARY KEY, indexed INTEGER NOT NULL, text TEXT, idents TEXT, scope TEXT)",
)
"""Positions whose FTS words are not written yet (a later migration step)."""

SEARCH_PEND_TRIGGER_MIGRATION: tuple[str, ...] = (
    # A changed text, identifiers or scope lists the position as pending with the words the FTS index
    # holds (the old row's), unless it is pending already (then the FTS index holds that row's words,
    # or none): a re-index is then one UPDATE instead of a lookup, an INSERT and the UPDATE.
    "CREATE TRIGGER IF NOT EXISTS ticket_search_pend AFTER UPDATE OF text, idents, scope ON ticket_search"
    " WHEN old.text IS NOT new.text OR old.idents IS NOT new.idents OR old.scope IS NOT new.scope"
    " BEGIN INSERT OR IGNORE INTO ticket_search_pending (pos, indexed, text, idents, scope)"
    " VALUES (old.pos, 1, old.text, old.idents, old.scope); END",
)
"""The trigger that lists a re-indexed position as pending (issue 21: fewer statements per command)."""

_APPEND_TEXT = "UPDATE ticket_search SET text = CASE WHEN text <> '' THEN text || ? ELSE ? END WHERE pos = ?"
"""A note's words after the stored text (a field separator between them, none after an empty text)."""

FLUSH_AT = 256
"""Pending positions that make a command write them all to the FTS index (one segment for all).

Large enough that the one command in 256 that writes them stays out of the 99th percentile of
command latency, small enough that a search reads the pending rows in a fraction of a millisecond."""


class _Runner(Protocol):
    def run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def conn(self) -> Any: ...

    def wrote_words(self, table: str, rows: int = 1) -> None:
        """This transaction wrote FTS words of ``rows`` rows to ``table`` (merged after its commit:
        sqlite_fts_merge)."""


def fts_phrase(term: str) -> str:
    """``term`` as an FTS5 string (a phrase: its tokens in order)."""
    return '"' + term.replace('"', '""') + '"'


def term_match(term: str) -> str:
    """The FTS5 expression every ticket matching ``term`` satisfies (a superset: hits are checked)."""
    mapped = token_text(term)
    if len(term) >= 3:
        text = f"tri : {fts_phrase(gram_words(term, 3))}"
    elif len(term) == 2:
        text = f"bi : {fts_phrase(mapped)}"
    else:
        text = f"bi : {fts_phrase(mapped)}*"
    return f"({text} OR fwd : {fts_phrase(mapped)}* OR rev : {fts_phrase(token_text(term[::-1]))}*)"


def fts_row(
    text: str, identifiers: Sequence[str], scope: Sequence[str] = ()
) -> tuple[str, str, str, str, str]:
    """The five FTS columns of a ticket's text, identifiers and scope."""
    return _words(text, FIELD_SEPARATOR.join(identifiers), FIELD_SEPARATOR.join(scope))


_KNOWN_LIMIT = 4096
_known: OrderedDict[tuple[str, str, str], tuple[str, str, str, str, str]] = OrderedDict()
_known_lock = threading.Lock()


def _renew_lock_after_fork() -> None:
    # A thread of the parent may have held it at the fork: the child's first indexing would hang.
    global _known_lock
    _known_lock = threading.Lock()


os.register_at_fork(after_in_child=_renew_lock_after_fork)


def _words(text: str, joined: str, scope: str) -> tuple[str, str, str, str, str]:
    # Remembered (LRU): re-indexing a ticket deletes its old words, which this process usually made.
    key = (text, joined, scope)
    with _known_lock:
        found = _known.get(key)
        if found is not None:
            _known.move_to_end(key)
            return found
    identifiers = [i for i in joined.split(FIELD_SEPARATOR) if i]
    words = (
        *_text_words(text, identifiers),
        " ".join(token_text(s) for s in scope.split(FIELD_SEPARATOR) if s),
    )
    _remember(key, words)
    return words


def forget_words(needles: Sequence[str]) -> int:
    """Drop the remembered words of every text quoting one of ``needles`` (an erased person's tickets:
    their text must not stay in this process); returns how many. A later re-index computes them again."""
    if not needles:
        return 0
    # The remembered texts are normalised (case-folded, traditional Chinese folded): so are the needles.
    folded = [f for n in needles if isinstance(n, str) and (f := normalize(n)) != n]
    if folded:  # prepared needles stay prepared (an erasure asks every remembered text of them)
        extended = (*needles, *dict.fromkeys(folded))
        needles = QuotedNeedles(extended) if isinstance(needles, QuotedNeedles) else extended
    with _known_lock:
        gone = [key for key in _known if any(quotes_any(part, needles) for part in key)]
        for key in gone:
            del _known[key]
    return len(gone)


def _remember(key: tuple[str, str, str], words: tuple[str, str, str, str, str]) -> None:
    with _known_lock:
        _known[key] = words
        _known.move_to_end(key)
        while len(_known) > _KNOWN_LIMIT:
            _known.popitem(last=False)


def _text_words(text: str, identifiers: list[str]) -> tuple[str, str, str, str]:
    return (
        gram_words(text, 3),
        gram_words(text, 2),
        " ".join(token_text(i) for i in identifiers),
        " ".join(token_text(i[::-1]) for i in identifiers),
    )


def extend_grams(words: str, old: str, new: str, n: int) -> str:
    """``gram_words(new, n)``, given ``words == gram_words(old, n)`` and ``new`` starting with ``old``:
    only the windows that reach past ``old`` are made (a note appended to a long ticket costs the
    note, not the ticket). Equal to the full computation, so later deletes match what FTS5 holds."""
    if not old:
        return gram_words(new, n)
    if n == 2:  # the old text's last character alone is not a window of the new one
        words = words.rsplit(" ", 1)[0] if " " in words else ""
    start = max(0, len(old) - n + 1)
    tail = token_text(new[start:])  # token_text maps each character on its own
    parts = [words] if words else []
    parts.extend(tail[i : i + n] for i in range(len(tail) - n + 1))
    if n == 2 and tail:
        parts.append(tail[-1])
    return " ".join(parts)


def _extended_row(
    old: tuple[str, str, str, str, str], old_text: str, text: str, joined: str, scope: str
) -> tuple[str, str, str, str, str]:
    """The FTS columns of ``text`` (its identifiers and scope unchanged), ``old`` being those of the
    ``old_text`` it extends."""
    key = (text, joined, scope)
    with _known_lock:
        found = _known.get(key)
    if found is not None:
        return found
    words = (extend_grams(old[0], old_text, text, 3), extend_grams(old[1], old_text, text, 2), *old[2:])
    _remember(key, words)
    return words


def _joined(items: frozenset[str]) -> str:
    return FIELD_SEPARATOR.join(sorted(items))


def _identifiers(idents: str) -> list[str]:
    return [i for i in idents.split(FIELD_SEPARATOR) if i]


_CHECK = "(instr(s.text, ?) > 0 OR instr(s.idents, ?) > 0 OR instr(s.idents, ?) > 0)"
"""A term is in the text, or begins or ends an identifier (``idents`` holds each between separators)."""


def _check_params(term: str) -> tuple[str, str, str]:
    return (term, FIELD_SEPARATOR + term, term + FIELD_SEPARATOR)


_FOLD_FUNCTION = "aftersales_fold"
"""The SQL name of :func:`~aftersales.ports.script_folding.fold_script` on a connection searching while a
fold is pending (a term of more spellings than :data:`~.fold_spellings.UNFOLDED_FORMS`)."""


def _spellings(term: str, pending: int | None) -> tuple[str, ...]:
    """The texts a row may hold ``term`` as: itself, and while a fold is pending its unfolded spellings
    (just itself when they are too many: those rows are read folded, :func:`_term_check`)."""
    if pending is None:
        return (term,)
    return unfolded_forms(term) or (term,)


def _term_check(term: str, pending: int | None) -> tuple[str, list[object]]:
    """A term's check on a search row, and its values: in one of its spellings while a fold is pending;
    a term of too many spellings, in the rows past the fold's position read folded."""
    forms = _spellings(term, pending)
    if pending is None or unfolded_forms(term) is not None:
        sql = _CHECK if len(forms) == 1 else "(" + " OR ".join([_CHECK] * len(forms)) + ")"
        return sql, [p for form in forms for p in _check_params(form)]
    folded = _CHECK.replace("s.text", f"{_FOLD_FUNCTION}(s.text)").replace(
        "s.idents", f"{_FOLD_FUNCTION}(s.idents)"
    )
    return f"({_CHECK} OR (s.pos > ? AND {folded}))", [*_check_params(term), pending, *_check_params(term)]


def _any_match(term: str, pending: int | None) -> str:
    """The FTS5 expression of a term while a fold may be pending: any of its spellings' words (the FTS
    index holds a row's words as stored), or, for a term of too many, any spelling of its narrowest part."""
    if pending is None:
        return term_match(term)
    forms = unfolded_forms(term) or window_forms(term)
    if len(forms) == 1:
        return term_match(forms[0])
    return "(" + " OR ".join(term_match(form) for form in forms) + ")"


_INSERT_ROW = (
    "INSERT INTO ticket_search (pos, ticket_id, text, idents, keys, labels, scope)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_FTS = INSERT_FTS
_DELETE_FTS = DELETE_FTS
_FTS = "ticket_search_fts"


_PEND = "INSERT INTO ticket_search_pending (pos, indexed, text, idents, scope) VALUES (?, ?, ?, ?, ?)"
_PEND_COUNT = " RETURNING (SELECT count(*) FROM ticket_search_pending)"
_RETURNING = sqlite3.sqlite_version_info >= (3, 35)


def _row(pos: int, doc: SearchDocument) -> tuple[object, ...]:
    return (pos, doc.ticket_id, doc.text, doc.idents, _joined(doc.keys), _joined(doc.labels), _seq(doc.scope))


def _first(placed: tuple[int, SearchRow]) -> int:
    return placed[0]


def _seq(items: Sequence[str]) -> str:
    return FIELD_SEPARATOR.join(items)


def _scope_match(f: TicketFilter) -> str:
    """FTS words narrowing a scoped search to the actor's tickets early (the WHERE still decides)."""
    words = scope_words(f.customer_id, f.dealer_id, f.region)
    if f.dealer_scope is not None and f.dealer_scope != f.dealer_id:
        # A document carries d:<dealer> for its own dealer and the dealer it is dispatched to.
        words += (f"d:{f.dealer_scope}",)
    return "".join(f" AND scope : {fts_phrase(token_text(w))}" for w in words)


class SqliteTicketSearch:
    """The :class:`~aftersales.ports.ticket_search.TicketSearchIndex` of one SQLite unit of work."""

    def __init__(self, uow: _Runner) -> None:
        self._uow = uow
        # The search row of a ticket read in this transaction, or only its position (its store joins
        # that into the ticket's read): a note's words are appended at the position, and the next put
        # of that ticket compares against a whole row instead of selecting it.
        self._primed: dict[str, tuple[Any, ...] | int] = {}

    def prime(self, ticket_id: str, row: tuple[Any, ...] | int) -> None:
        """The stored row of ``ticket_id`` as read in this transaction: pos, text, idents, keys, labels
        and scope, or its pos alone."""
        self._primed[ticket_id] = row

    def forget(self) -> None:
        """The transaction ended: rows read in it may change."""
        self._primed.clear()

    # -- writing --------------------------------------------------------------------------------

    @staticmethod
    def _next(received_us: int, found: int | None) -> int:
        base = position_base(received_us)
        pos = base if found is None else int(found) + 1
        if pos >= base + SLOTS:
            raise ValidationError(
                f"more than {SLOTS} tickets received in the same millisecond", field="received_at"
            )
        return pos

    def _insert(self, pos: int, doc: SearchDocument) -> None:
        self._uow.run(_INSERT_ROW, _row(pos, doc))
        pending = self._pend((pos, 0, None, None, None))
        self._put_keys(pos, doc.keys)
        self._put_labels(doc.ticket_id, doc.labels)
        self._flush_at(pending)

    def _pend(self, values: tuple[object, ...]) -> int:
        """List a position as pending; returns how many are pending now (one statement where SQLite
        has ``RETURNING``: the count is only needed when the list grows)."""
        if _RETURNING:
            return int(self._uow.run(_PEND + _PEND_COUNT, values).fetchone()[0])
        self._uow.run(_PEND, values)
        return self._pending_count()

    def _pending_count(self) -> int:
        return int(self._uow.run("SELECT count(*) FROM ticket_search_pending").fetchone()[0])

    def _update(self, sql: str, params: Sequence[object]) -> int:
        """Run an ``UPDATE`` of ``ticket_search`` (its trigger lists the position as pending when the
        words change); returns how many positions are pending now."""
        if _RETURNING:
            found = self._uow.run(sql + _PEND_COUNT, params).fetchone()
            return int(found[0]) if found is not None else 0
        self._uow.run(sql, params)
        return self._pending_count()

    def _put_keys(self, pos: int, keys: frozenset[str]) -> None:
        # One statement for all of them: a command pays per statement.
        if keys:
            rows = ", ".join("(?, ?)" for _ in keys)
            values = [v for key in keys for v in (key, pos)]
            self._uow.run(f"INSERT OR IGNORE INTO ticket_search_keys (key, pos) VALUES {rows}", values)

    def _delete_keys(self, pos: int, keys: str) -> None:
        """Delete the exact keys of ``pos``, which its row lists (``keys``, written with them).

        By key and position, the table's primary key: it has no index on the position alone, and a
        scan of it per re-keyed ticket made erasing a customer quadratic in their tickets (2 ms a
        ticket at 2,000 of them, session 34 g)."""
        old = keys.split(FIELD_SEPARATOR)  # an empty one too: it may have been written
        marks = ", ".join("?" for _ in old)
        self._uow.run(f"DELETE FROM ticket_search_keys WHERE pos = ? AND key IN ({marks})", (pos, *old))

    def _put_labels(self, ticket_id: str, labels: frozenset[str]) -> None:
        if labels:
            rows = ", ".join("(?, ?)" for _ in labels)
            values = [v for label in labels for v in (label, ticket_id)]
            self._uow.run(f"INSERT OR IGNORE INTO ticket_labels (label, ticket_id) VALUES {rows}", values)

    def _stored(self, ticket_id: str) -> tuple[int, str, str, str, str, str] | None:
        found = self._uow.run(
            "SELECT pos, text, idents, keys, labels, scope FROM ticket_search WHERE ticket_id = ?",
            (ticket_id,),
        ).fetchone()
        return tuple(found) if found is not None else None

    def append_text(self, ticket_id: str, texts: Sequence[str]) -> bool:
        """Add normalised ``texts`` (a note's) to the searched text of an indexed ticket read in this
        transaction: one ``UPDATE``, no document rebuilt. Returns False (nothing written) when the
        ticket's row was not read in this transaction; the caller then re-indexes it with :meth:`put`.

        A term never spans two fields, so text appended after the others finds the same tickets as
        the document's own order; the FTS words follow in the next batch (:meth:`flush`).
        """
        primed = self._primed.get(ticket_id)
        added = FIELD_SEPARATOR.join(t for t in texts if t)
        if primed is None:
            return False
        if not added:
            return True
        if isinstance(primed, int):  # only the position read: SQLite appends to the stored text
            self._flush_at(self._update(_APPEND_TEXT, (FIELD_SEPARATOR + added, added, primed)))
            return True
        pos, text = primed[0], primed[1]
        text = f"{text}{FIELD_SEPARATOR}{added}" if text else added
        # Other primed rows stay valid: this changes only this ticket's row (kept up to date).
        self._primed[ticket_id] = (pos, text, *primed[2:])
        self._flush_at(self._update("UPDATE ticket_search SET text = ? WHERE pos = ?", (text, pos)))
        return True

    def put(self, doc: SearchDocument) -> None:
        """Index ``doc``, rewriting only what changed (an unchanged ticket costs one lookup).

        A ticket indexed before keeps its position.
        """
        primed = self._primed.pop(doc.ticket_id, None)
        # Anything this put writes makes the other primed rows stale.
        self._primed.clear()
        if primed is not None and not isinstance(primed, int):
            row = primed
        else:
            base = position_base(doc.received_us)
            # One statement for "indexed before?" and "the next free position": a command pays per
            # statement.
            row = self._uow.run(
                "SELECT s.pos, s.text, s.idents, s.keys, s.labels, s.scope,"
                " (SELECT max(pos) FROM ticket_search WHERE pos BETWEEN ? AND ?)"
                " FROM (SELECT 1) LEFT JOIN ticket_search s ON s.ticket_id = ?",
                (base, base + SLOTS - 1, doc.ticket_id),
            ).fetchone()
            if row[0] is None:
                self._insert(self._next(doc.received_us, row[6]), doc)
                return
        pos, text, idents, keys, labels, scope = row[:6]
        run = self._uow.run
        new_keys, new_labels = _joined(doc.keys), _joined(doc.labels)
        new_scope = _seq(doc.scope)
        unchanged = text == doc.text and idents == doc.idents and scope == new_scope
        if unchanged and keys == new_keys and labels == new_labels:
            return
        # The trigger lists the position as pending when the words change (see the migration).
        pending = self._update(
            "UPDATE ticket_search SET text = ?, idents = ?, keys = ?, labels = ?, scope = ? WHERE pos = ?",
            (doc.text, doc.idents, new_keys, new_labels, new_scope, pos),
        )
        if keys != new_keys:
            self._delete_keys(pos, keys)
            self._put_keys(pos, doc.keys)
        if labels != new_labels:
            run("DELETE FROM ticket_labels WHERE ticket_id = ?", (doc.ticket_id,))
            self._put_labels(doc.ticket_id, doc.labels)
        self._flush_at(pending)

    def _flush_at(self, pending: int) -> None:
        if pending >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        """Write the words of every pending position to the FTS index (one FTS5 segment for all).

        The words FTS5 holds are deleted, then the new ones inserted (one ``executemany`` each); a
        text that only grew (notes appended) has its new words made from the old ones."""
        self._primed.clear()
        run = self._uow.run
        rows = run(
            "SELECT p.pos, p.indexed, p.text, p.idents, p.scope, s.text, s.idents, s.scope"
            " FROM ticket_search_pending p CROSS JOIN ticket_search s ON s.pos = p.pos ORDER BY p.pos"
        ).fetchall()
        deletes: list[tuple[object, ...]] = []
        inserts: list[tuple[object, ...]] = []
        for pos, indexed, old_text, old_idents, old_scope, text, idents, scope in rows:
            if indexed:
                old = _words(old_text, old_idents, old_scope)
                deletes.append((pos, *old))
                if old_idents == idents and old_scope == scope and text.startswith(old_text):
                    inserts.append((pos, *_extended_row(old, old_text, text, idents, scope)))
                    continue
            inserts.append((pos, *_words(text, idents, scope)))
        try:
            conn = self._uow.conn()
            conn.executemany(_DELETE_FTS, deletes)
            conn.executemany(_INSERT_FTS, inserts)
        except sqlite3.Error as exc:
            raise StorageError(f"ticket search words: {exc}") from exc
        if deletes or inserts:
            self._uow.wrote_words(_FTS, len(inserts))
        run("DELETE FROM ticket_search_pending")

    def put_many(self, docs: Iterable[SearchDocument]) -> None:
        """Index many tickets (a bulk import): one ``executemany`` per table when none is indexed yet.

        Positions are assigned in Python: in a millisecond other tickets were received in, after its
        last taken position (as :meth:`put` places them). Tickets indexed before go through :meth:`put`
        each. The bulk writing is :mod:`aftersales.adapters.sqlite_search_import`.
        """
        rows = search_rows(docs)
        if not rows:
            return
        self._primed.clear()
        run = self._uow.run
        lowest = position_base(min(r[0] for r in rows))
        highest = position_base(max(r[0] for r in rows)) + SLOTS - 1
        taken = run(
            "SELECT count(*) FROM ticket_search WHERE pos BETWEEN ? AND ?", (lowest, highest)
        ).fetchone()[0]
        ids = [r[1] for r in rows]
        known = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            sql = f"SELECT count(*) FROM ticket_search WHERE ticket_id IN ({', '.join('?' * len(chunk))})"
            known += run(sql, chunk).fetchone()[0]
        if known or len(set(ids)) != len(ids):
            for row in rows:
                self.put(document_of(row))
            return
        last: dict[int, int | None] = {}  # the last position taken in each millisecond
        if taken:
            # Milliseconds other tickets were received in (a daily job's batches share their time): each
            # goes on after its last taken position, where one put per document would place it.
            for base in sorted({position_base(r[0]) for r in rows}):
                last[base] = run(
                    "SELECT max(pos) FROM ticket_search WHERE pos BETWEEN ? AND ?", (base, base + SLOTS - 1)
                ).fetchone()[0]
        placed: list[tuple[int, SearchRow]] = []
        for row in rows:
            base = position_base(row[0])
            pos = last[base] = self._next(row[0], last.get(base))
            placed.append((pos, row))
        placed.sort(key=_first)
        try:
            insert_search_rows(self._uow.conn(), placed)
        except sqlite3.Error as exc:
            raise StorageError(f"ticket search bulk index: {exc}") from exc
        self._uow.wrote_words(_FTS, len(placed))

    def remove(self, ticket_id: str) -> None:
        """Forget ``ticket_id``."""
        self._primed.clear()
        found = self._stored(ticket_id)
        if found is not None:
            pos, text, idents, scope = found[0], found[1], found[2], found[5]
            run = self._uow.run
            pending = run(
                "SELECT indexed, text, idents, scope FROM ticket_search_pending WHERE pos = ?", (pos,)
            ).fetchone()
            if pending is not None:  # the FTS index holds the pending row's words, or none
                run("DELETE FROM ticket_search_pending WHERE pos = ?", (pos,))
                indexed, text, idents, scope = pending
            else:
                indexed = 1
            if indexed:
                run(_DELETE_FTS, (pos, *fts_row(text, _identifiers(idents), _identifiers(scope))))
                self._uow.wrote_words(_FTS)
            self._delete_keys(pos, found[3])
            run("DELETE FROM ticket_labels WHERE ticket_id = ?", (ticket_id,))
            run("DELETE FROM ticket_search WHERE pos = ?", (pos,))

    # -- reading --------------------------------------------------------------------------------

    def search(self, query: SearchQuery, filter: TicketFilter, request: SearchRequest) -> Page[str]:
        """One page of matching ticket ids: exact-key hits first, then the rest newest first.

        While an upgrade's fold is pending (:mod:`.search_fold_step`), the rows it has not reached may
        hold a term in a traditional spelling: each spelling is matched and checked too
        (:mod:`.fold_spellings`), so a search is right without waiting for the fold (session 38)."""
        conn = self._uow.conn()
        # the breached filter reads late_gap as the ledger does (an upgrade's back-fill may be pending)
        parts, params = where(filter, "?", "LIKE", gap_column=filter_gap_column(conn, filter))
        pending = pending_fold_sqlite(conn)
        if pending is not None:
            conn.create_function(_FOLD_FUNCTION, 1, fold_script, deterministic=True)
        checks = [_term_check(term, pending) for term in query.terms]
        conditions = [*(sql for sql, _ in checks), *parts]
        values: list[object] = [*(v for _, found in checks for v in found), *params]
        stream = self._streamer(query, conditions, values, _scope_match(filter), pending)
        return merge_pages(self._keyed(query, conditions, values, pending), stream, request)

    def _keyed(
        self, query: SearchQuery, conditions: list[str], values: list[object], pending: int | None = None
    ) -> list[tuple[int, int, str]]:
        # A pending fold: a row not reached holds a key in its stored spelling (one of the term's).
        terms = [form for term in query.terms for form in _spellings(term, pending)]
        scores: dict[int, int] = {}
        marks = ", ".join("?" * len(terms))
        for (pos,) in self._uow.run(
            f"SELECT pos FROM ticket_search_keys WHERE key IN ({marks})", terms
        ).fetchall():
            scores[pos] = scores.get(pos, 0) + 1
        hits: list[tuple[int, int, str]] = []
        positions = list(scores)
        for start in range(0, len(positions), 500):
            chunk = positions[start : start + 500]
            sql = (
                "SELECT s.pos, s.ticket_id FROM ticket_search s JOIN tickets ON tickets.id = s.ticket_id"
                f" WHERE s.pos IN ({', '.join('?' * len(chunk))}) AND {' AND '.join(conditions)}"
            )
            for pos, ticket_id in self._uow.run(sql, (*chunk, *values)).fetchall():
                hits.append((scores[pos], int(pos), str(ticket_id)))
        return hits

    def _streamer(
        self,
        query: SearchQuery,
        conditions: list[str],
        values: list[object],
        scope: str,
        pending: int | None = None,
    ) -> Any:
        match = " AND ".join(_any_match(term, pending) for term in query.terms) + scope
        head = (
            "SELECT f.rowid, s.ticket_id FROM ticket_search_fts f JOIN ticket_search s ON s.pos = f.rowid"
            " JOIN tickets ON tickets.id = s.ticket_id WHERE ticket_search_fts MATCH ?"
        )

        # CROSS JOIN keeps the few pending rows the outer loop: with a plain JOIN the planner drove the
        # query from the tickets matching the filter (every ticket for a manager: 0.5 s at 1 M).
        pending_head = (
            "SELECT s.pos, s.ticket_id FROM ticket_search_pending p CROSS JOIN ticket_search s"
            " ON s.pos = p.pos CROSS JOIN tickets ON tickets.id = s.ticket_id WHERE "
        )

        def part(sql: str, params: list[object]) -> list[tuple[int, str]]:
            return [(int(pos), str(tid)) for pos, tid in self._uow.run(sql, params).fetchall()]

        def stream(before: int | None, limit: int) -> list[tuple[int, str]]:
            fts_extra = [f"f.rowid < {int(before)}"] if before is not None else []
            sql = f"{head} AND {' AND '.join(conditions + fts_extra)} ORDER BY f.rowid DESC LIMIT ?"
            indexed = part(sql, [match, *values, limit])
            extra = [f"s.pos < {int(before)}"] if before is not None else []
            sql = f"{pending_head}{' AND '.join(conditions + extra)} ORDER BY s.pos DESC LIMIT ?"
            pending = part(sql, [*values, limit])
            # Newest first over both; below the last row of a full part that part may have more, so
            # the merged chunk stops there (it still holds ``limit`` rows: the full part's own).
            floor = max((rows[-1][0] for rows in (indexed, pending) if len(rows) == limit), default=None)
            merged = sorted(dict(indexed + pending).items(), reverse=True)
            return [hit for hit in merged if floor is None or hit[0] >= floor][:limit]

        return stream
