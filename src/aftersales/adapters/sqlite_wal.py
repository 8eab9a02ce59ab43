"""Switching a SQLite file to write-ahead logging while other connections use it.

``PRAGMA journal_mode = WAL`` on a file still in rollback-journal mode (a new file, a copy restored in
that mode) needs the file's exclusive lock, and SQLite refuses it at once, without its busy handler
(``timeout``), when another connection holds or wants the write lock: waiting could deadlock. So a desk
opened while another desk was creating the file, or held a write transaction on it, failed at once with
``StoreBusy`` ("stayed locked by another writer") though the other was done a moment later. The switch
is tried again here, with short pauses, until the store's ``timeout`` has passed: the wait a busy file
gets everywhere else. A file already in WAL mode answers at the first try, taking no lock.
"""

from __future__ import annotations

import sqlite3
import time

__all__ = ["switch_to_wal"]

_FIRST_PAUSE = 0.001
_LONGEST_PAUSE = 0.05


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _pause(seconds: float) -> None:
    """Wait between two tries (a seam for the tests, as :func:`_now`)."""
    time.sleep(seconds)


def _now() -> float:
    return time.monotonic()


def switch_to_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """``PRAGMA journal_mode = WAL`` on ``conn`` (outside a transaction), tried again while the file is
    busy until ``timeout`` seconds have passed; then the driver's error, as any busy statement's."""
    deadline = _now() + timeout
    pause = _FIRST_PAUSE
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or _now() >= deadline:
                raise
        _pause(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)
