"""A desk opened on a SQLite file another desk is creating, or writing in rollback-journal mode (s31 g).

A store switches its file to WAL at its opening. On a file still in rollback-journal mode (a new file
another desk has just created, a copy restored in that mode) SQLite refuses the switch at once, without
waiting its busy timeout, while another connection holds the write lock: the desk's opening failed with
``StoreBusy`` ("stayed locked by another writer") a few milliseconds in, though the other desk was done
a moment later (four desks started together on a new file: about one opening in 150). It waits now, as
for any writer, and is refused with ``StoreBusy`` only once its timeout has passed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.sqlite import SqliteStore
from aftersales.errors import StoreBusy


@pytest.fixture
def rollback_file(tmp_path: Path) -> Path:
    """A desk's file at the current schema, in rollback-journal mode (as a new file is before its switch)."""
    path = tmp_path / "desk.db"
    SqliteStore(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path, isolation_level=None)
    assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    conn.close()
    return path


@pytest.fixture
def writer(rollback_file: Path) -> Iterator[sqlite3.Connection]:
    """Another desk's connection holding the file's write lock (its migration or first command)."""
    conn = sqlite3.connect(rollback_file, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def _mode(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def test_a_desk_opened_while_another_holds_the_write_lock_waits_for_it(
    rollback_file: Path, writer: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused: list[str] = []

    class Watched(sqlite3.Connection):
        """The opening desk's connections: the other desk commits once the switch was refused."""

        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            try:
                return super().execute(sql, *args)  # type: ignore[arg-type]
            except sqlite3.OperationalError as exc:
                if "journal_mode" in sql and writer.in_transaction:
                    refused.append(str(exc))
                    writer.execute("COMMIT")
                raise

    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, **k, factory=Watched))
    store = SqliteStore(f"sqlite:///{rollback_file}", timeout=30)
    try:
        assert refused  # refused while the other desk wrote, then switched once it was done
        assert _mode(rollback_file) == "wal"
        with store() as uow:
            assert list(uow.customers.list()) == []  # and the store serves its units of work
    finally:
        store.close()


def test_a_desk_whose_file_stays_locked_is_refused_once_its_timeout_passed(
    rollback_file: Path, writer: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aftersales.adapters.sqlite_wal as sqlite_wal

    tries: list[float] = []
    clock = [0.0]

    def pause(seconds: float) -> None:  # time passes only in the pauses: no real waiting
        tries.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(sqlite_wal, "_pause", pause)
    monkeypatch.setattr(sqlite_wal, "_now", lambda: clock[0])
    with pytest.raises(StoreBusy) as refused:
        SqliteStore(f"sqlite:///{rollback_file}", timeout=2)
    assert "locked" in str(refused.value)
    assert sum(tries) >= 2 and max(tries) <= sqlite_wal._LONGEST_PAUSE
    assert _mode(rollback_file) == "delete"  # nothing changed
