"""Keeping one SQLite file healthy for years: planner statistics and online backups.

**Statistics.** SQLite's planner chooses between indexes from ``sqlite_stat1``; a file that never ran
``ANALYZE`` is planned from guesses, and one analysed when it held 10,000 tickets is planned for
10,000 when it holds a million. :func:`refresh_statistics` runs ``ANALYZE`` again when the statistics
are missing or the ``tickets`` table grew or shrank past a factor of two since they were gathered
(so a file is analysed about 20 times on its way to a million tickets), with ``analysis_limit`` so
one run reads a bounded sample of each index, one index per transaction: the write lock is held for
milliseconds at a time, not for a read of the whole file. (``PRAGMA optimize`` of SQLite 3.40
decides from the queries the *same* connection ran since it opened, so from a pooled connection its
result depends on which commands happened to use it.)

**Backups.** :func:`backup_file` writes a consistent copy with ``VACUUM INTO`` from a connection of
its own: one read transaction, so it sees one committed state while commands go on writing (WAL), and
the copy is compacted (no free pages, no WAL beside it). Attachments are files named by their hash
that never change: they are copied after the snapshot. A file added meanwhile is copied too (no row
refers to it: harmless); one deleted meanwhile (an erasure) is not brought back.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import attrs

from aftersales.errors import StorageError, ValidationError

__all__ = ["ANALYSIS_LIMIT", "BackupReport", "backup_file", "refresh_statistics", "statistics_stale"]

ANALYSIS_LIMIT = 1000
"""Rows ``ANALYZE`` samples per index (SQLite's ``analysis_limit``): enough for the planner's choice
between the ledger's indexes, and a bounded read however large the file."""

_GROWTH = 2.0


def _analysed_rows(conn: sqlite3.Connection) -> int | None:
    """The ``tickets`` row count the statistics were gathered at, or None without statistics."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is None:
        return None
    found = None
    for (stat,) in conn.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'tickets'"):
        head = str(stat).split(" ", 1)[0]
        if head.isdigit():
            found = max(found or 0, int(head))
    return found


def statistics_stale(conn: sqlite3.Connection) -> bool:
    """Whether the planner's statistics are missing or describe a ``tickets`` table of less than half
    or more than twice its size now (an empty file needs none)."""
    rows = int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
    analysed = _analysed_rows(conn)
    if analysed is None:
        return rows > 0
    low, high = sorted((max(rows, 1), max(analysed, 1)))
    return high / low >= _GROWTH


# Each index alone, one short transaction apiece, so a writer waits for one index's sample at most (one
# ANALYZE of the whole cold 1 M file held the lock 127 ms). Tables without an index (the event log, the
# full-text shadow tables) are left out: they are read by rowid or through their virtual table, so the
# planner has no choice their statistics could inform, and ANALYZE counts their rows whole (90 ms for
# the event log of the 1 M file).
_TARGETS = "SELECT name FROM sqlite_master WHERE type = 'index'"


def refresh_statistics(conn: sqlite3.Connection) -> float | None:
    """``ANALYZE`` with a bounded sample, index by index, when :func:`statistics_stale`; the longest
    any one step held the write lock (seconds), or None when the statistics were current. ``conn`` is
    a writer in autocommit mode."""
    if not statistics_stale(conn):
        return None
    targets = [str(row[0]) for row in conn.execute(_TARGETS)]
    longest = 0.0
    conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
    try:
        for name in targets:
            began = time.perf_counter()
            conn.execute(f'ANALYZE "{name.replace(chr(34), chr(34) * 2)}"')
            longest = max(longest, time.perf_counter() - began)
    finally:
        conn.execute("PRAGMA analysis_limit = 0")
    return longest


@attrs.frozen
class BackupReport:
    """What :func:`backup_file` wrote: the database copy, its size, the attachments copied."""

    path: Path
    bytes: int
    attachments: int
    seconds: float
    verified: bool
    """``PRAGMA quick_check`` of the copy said ``ok`` (False when not asked for)."""


def _check_target(source: Path, target: Path) -> None:
    if target.exists() or Path(f"{target}.attachments").exists():
        raise ValidationError(
            f"backup target {target} already exists: a backup never overwrites", field="target"
        )
    if not target.parent.is_dir():
        raise ValidationError(f"backup target folder {target.parent} does not exist", field="target")
    if target.resolve() == source.resolve():
        raise ValidationError("the backup target is the database itself", field="target")


def _copy_attachments(folder: Path, into: Path) -> int:
    """Copy the blobs of ``folder`` (not its ``tmp`` uploads) to ``into``; how many were copied."""
    copied = 0
    if not folder.is_dir():
        return 0
    for fan_out in sorted(folder.iterdir()):
        if fan_out.name == "tmp" or not fan_out.is_dir():
            continue
        for path in fan_out.rglob("*"):
            if not path.is_file():
                continue
            destination = into / path.relative_to(folder)
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(path, destination)
            except FileNotFoundError:
                continue  # erased since it was listed: not brought back
            copied += 1
    (into / "tmp").mkdir(parents=True, exist_ok=True)
    return copied


def _verify(target: Path) -> None:
    """``PRAGMA quick_check`` of the copy (a read of the copy only, never of the live file)."""
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        found = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:  # a copy damaged where its schema is: not even checkable
        found = [str(exc)]
    finally:
        conn.close()
    if found != ["ok"]:
        raise StorageError(f"the backup {target} failed its integrity check: {'; '.join(found[:5])}")


def backup_file(
    source: Path, target: Path, *, timeout: float, attachments: Path | None, verify: bool
) -> BackupReport:
    """Write a consistent, compacted copy of the SQLite file ``source`` to ``target`` (which must not
    exist), check it when ``verify``, then copy its attachment blobs to ``<target>.attachments`` (see
    the module docstring)."""
    _check_target(source, target)
    began = time.perf_counter()
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=timeout, isolation_level=None)
        try:
            conn.execute("VACUUM INTO ?", (os.fspath(target),))
        finally:
            conn.close()
        if verify:
            _verify(target)
    except sqlite3.Error as exc:
        raise StorageError(f"backup of {source} to {target}: {exc}") from exc
    copied = 0
    if attachments is not None:
        try:
            copied = _copy_attachments(attachments, Path(f"{target}.attachments"))
        except OSError as exc:
            raise StorageError(f"backup of the attachments of {source}: {exc}") from exc
    took = time.perf_counter() - began
    return BackupReport(target, target.stat().st_size, copied, took, verify)
