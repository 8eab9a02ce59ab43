"""FTS5 segment merges of a SQLite store, done in short transactions of their own (issue 21).

FTS5 merges its segments inside the transaction that writes them (``automerge`` 4): the search fold's
batches and the command that flushes :data:`~.ticket_search_sqlite.FLUSH_AT` pending notes paid for merge
work their own rows did not bring, which was the tail of their write-lock hold (session 38,
``benchmarks/bench_fts_merge.py``: a flush's p99 202 ms, a third of it with no merging at all). So
automatic merging is off on the store's FTS tables (schema step :data:`FTS_MERGE_STEP`) and the writer
merges after its commit instead, a bounded slice at a time (:func:`merge_words`): a ``('merge', 256)``
step in its own ``BEGIN IMMEDIATE`` … ``COMMIT``, so a command waiting for the lock waits for one slice
(about 25 ms of CPU) rather than for a whole level's merge.

The step is upkeep, not part of the command: it waits briefly for the lock (:data:`MERGE_WAIT`) and a
busy or failing step is skipped (logged): the command has committed, and the next step merges what
this one left (``usermerge`` 4: a positive step merges any level holding four segments).
``crisismerge`` 64 is the safety net if steps are skipped for long: a level of 64 segments is merged
whole by its writer, as FTS5 does by default at 16.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable, Mapping

__all__ = [
    "CRISIS_MERGE",
    "FTS_MERGE_STEP",
    "FTS_TABLES",
    "MERGE_PAGES",
    "MERGE_STEPS",
    "MERGE_WAIT",
    "ROWS_PER_STEP",
    "merge_words",
    "segments",
    "settle_words",
    "shred_words",
    "steps_for",
]

FTS_TABLES = ("ticket_search_fts", "text_docs_tri", "text_docs_bi")
"""The store's contentless FTS5 tables: ticket search words and the knowledge index's."""

MERGE_PAGES = 256
"""Pages of merge work a step does at most (session 38's best measured slice: ``('merge', 64)`` did
not keep up with the flushes, whose tail then stayed over 100 ms)."""

MERGE_STEPS = 8
"""Steps after a commit at most, each in its own transaction, beside one per :data:`ROWS_PER_STEP` rows
it wrote. One step per flush did not keep up (session 39: 300 flushes of 256 notes on 10,000 tickets
grew the index to 100 segments, and crisis merges came back into the flushes); steps until the index
is settled do, and writers wait one step at a time."""

ROWS_PER_STEP = 100
"""Rows of words a commit wrote per merge step more it may take: a bulk import writes many segments in
one transaction (FTS5 starts one whenever its in-memory index is full), which eight steps left
unmerged (35 segments after an import of 20,000 tickets, searches 2-3x slower than with FTS5's own
merging)."""


def steps_for(rows: int) -> int:
    """Merge steps a commit that wrote words of ``rows`` rows to a table may take at most."""
    return MERGE_STEPS + rows // ROWS_PER_STEP


CRISIS_MERGE = 64
"""Segments on one level after which FTS5 merges the level whole in the writing transaction (only if
steps were skipped for long: a step merges a level at four)."""

MERGE_WAIT = 0.1
"""Seconds a merge step waits for another writer's lock before it is skipped (the next one catches up):
a command that committed must not wait the store's whole busy timeout for its upkeep."""

FTS_MERGE_STEP: tuple[str, ...] = (
    "INSERT INTO ticket_search_fts (ticket_search_fts, rank) VALUES ('automerge', 0)",
    "INSERT INTO ticket_search_fts (ticket_search_fts, rank) VALUES ('crisismerge', 64)",
    "INSERT INTO text_docs_tri (text_docs_tri, rank) VALUES ('automerge', 0)",
    "INSERT INTO text_docs_tri (text_docs_tri, rank) VALUES ('crisismerge', 64)",
    "INSERT INTO text_docs_bi (text_docs_bi, rank) VALUES ('automerge', 0)",
    "INSERT INTO text_docs_bi (text_docs_bi, rank) VALUES ('crisismerge', 64)",
)
"""The SQLite schema step: no merge work inside the writing transaction (kept in each table's
``_config``, so every connection and every release that opens the file merges the same way). Literal
statements: a step is frozen once shipped, whatever :data:`CRISIS_MERGE` becomes."""

_log = logging.getLogger("aftersales.storage")


def _step(conn: sqlite3.Connection, table: str, pages: int) -> bool:
    """One ``('merge', pages)`` in its own transaction; whether it did any work (FTS5 reports none but
    through the change count: two or more changes mean pages were written)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = conn.total_changes
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('merge', ?)", (pages,))
        worked = conn.total_changes - before >= 2
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return worked


def merge_words(conn: sqlite3.Connection, written: Mapping[str, int], *, wait: float = MERGE_WAIT) -> bool:
    """After a commit that wrote FTS words of ``written[table]`` rows to each table: bounded merge steps
    on it, each in a short transaction of its own on ``conn`` (outside any transaction), until a step
    finds nothing to merge or :func:`steps_for` those rows have run; each waits ``wait`` seconds at
    most for the lock (the connection's busy timeout is set back afterwards). Other writers take the
    lock between two steps.

    Never raises for the database: the writer's own transaction has committed, so a busy lock or an
    error here is logged and skipped (the next step merges what this one left). Returns whether every
    step ran."""
    try:
        restore = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    except sqlite3.Error as exc:
        _log.warning("FTS merge steps skipped: %s", exc)
        return False
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        for table, rows in written.items():
            for _ in range(steps_for(rows)):
                if not _step(conn, table, MERGE_PAGES):
                    break  # no level holds four segments, no merge under way: settled
    except sqlite3.Error as exc:  # the rest is left to the next steps (or the upkeep job)
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF  # the primary code of an extended one
        busy = code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        (_log.info if busy else _log.warning)("FTS merge steps skipped: %s", exc)
        return False
    finally:
        try:
            conn.execute(f"PRAGMA busy_timeout = {restore}")
        except sqlite3.Error as exc:  # a connection that cannot take a pragma fails its next use anyway
            _log.warning("busy timeout not restored after an FTS merge: %s", exc)
    return True


def settle_words(conn: sqlite3.Connection, tables: Iterable[str], *, most: int) -> tuple[int, float, bool]:
    """The ``store_upkeep`` job's catch-up: merge steps on each of ``tables`` (each its own short
    transaction) until a step finds nothing to merge, at most ``most`` per table; (steps that merged,
    the longest a step held the write lock in seconds, whether every table is settled). A commit's
    steps skipped on a busy lock, or by a process killed after its commit, leave levels of four
    segments or more: this merges them within the hour. Errors are raised (the job reports them)."""
    merged, longest, settled = 0, 0.0, True
    for table in tables:
        for _ in range(most):
            began = time.perf_counter()
            worked = _step(conn, table, MERGE_PAGES)
            longest = max(longest, time.perf_counter() - began)
            if not worked:
                break
            merged += 1
        else:
            settled = False
    return merged, longest, settled


def shred_words(conn: sqlite3.Connection, tables: Iterable[str], *, pages: int = MERGE_PAGES) -> int:
    """Merge every segment of each of ``tables`` into one, as ``'optimize'`` does, but a slice of
    ``pages`` at a time, each in its own transaction; how many slices ran. ``conn`` is outside any
    transaction; errors are raised (an erasure's shred must say it did not finish).

    Why: a contentless table keeps a deleted row's words in its old segments until a merge that
    reaches the oldest one drops them (SQLite before 3.42 has no FTS5 secure-delete), so an erasure
    merges them all. One ``'optimize'`` held the write lock for the whole index (seconds on a large
    file); a negative ``merge`` puts every segment on one level and merges them whatever their count,
    and repeating it until it has nothing left to do ends with the one segment ``'optimize'`` leaves.
    The slices are bounded by the pages the index held at the start, so writers adding segments
    meanwhile cannot keep it going forever (their segments hold no erased words)."""
    slices = 0
    for table in tables:
        held = int(conn.execute(f"SELECT count(*) FROM {table}_data").fetchone()[0])
        for _ in range(2 * (held // pages + 2)):
            slices += 1
            if not _step(conn, table, -pages):
                break
    return slices


def segments(conn: sqlite3.Connection, table: str) -> int:
    """How many segments ``table`` has (each has its rows in ``<table>_idx``): what a search reads one
    by one, and what the merge steps keep bounded."""
    return int(conn.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0])
