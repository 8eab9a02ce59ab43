"""``SqliteStore.checkpoint_after`` (issue 26): a job's batches share WAL checkpoints and the block ends
with one; outside it, and on other connections afterwards, the inline limit is back."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from aftersales.adapters.sqlite import SqliteStore

ROWS = 1200
"""Rows of 16 KB: one batch writes some 4,800 pages, past the inline checkpoint limit (4,000)."""


def _batch(store: SqliteStore, first: int) -> None:
    with store() as uow:
        for n in range(first, first + ROWS):
            uow.run("INSERT INTO idempotency (key, result) VALUES (?, ?)", (f"k{n}", "x" * 16_000))
        uow.commit()


def _sizes(path: Path) -> tuple[int, int]:
    """The database file's size and its WAL's."""
    wal = Path(f"{path}-wal")
    return os.path.getsize(path), wal.stat().st_size if wal.exists() else 0


def _limits(store: SqliteStore) -> set[int]:
    limits = set()
    for _ in range(2):  # the pool hands out its idle connections
        conn = store.acquire()
        limits.add(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        store.release(conn)
    return limits


def test_batches_inside_the_block_are_checkpointed_once_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "bulk.db"
    store = SqliteStore(f"sqlite:///{path}")
    try:
        start = _sizes(path)[0]
        with store.checkpoint_after():
            _batch(store, 0)
            _batch(store, ROWS)
            file_size, wal_size = _sizes(path)
            assert file_size == start  # nothing copied into the file yet
            assert wal_size > 2 * ROWS * 16_000  # both batches' pages wait in the WAL
        assert _sizes(path)[0] > 2 * ROWS * 16_000  # the block's end copied them
        assert _limits(store) == {4000}
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM idempotency").fetchone()[0] == 2 * ROWS


def test_outside_the_block_each_large_commit_checkpoints(tmp_path: Path) -> None:
    path = tmp_path / "inline.db"
    store = SqliteStore(f"sqlite:///{path}")
    try:
        _batch(store, 0)
        assert _sizes(path)[0] > ROWS * 16_000  # copied at the commit
        _batch(store, ROWS)
        assert _sizes(path)[1] < 2 * ROWS * 16_000  # the WAL started over after the checkpoint
        assert _limits(store) == {4000}
    finally:
        store.close()
