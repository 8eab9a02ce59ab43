"""Issue 21 (session 39 a): FTS5 merges no segments inside the writing transaction; the writer merges a
bounded slice after its commit, in a short transaction of its own, and a busy or failing slice never
fails the command that committed. SQLite only: the other stores have no FTS5 segments."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tests.acceptance.store_templates import fresh_sqlite_file

from aftersales.adapters import sqlite_fts_merge
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_fts_merge import CRISIS_MERGE, FTS_TABLES, segments
from aftersales.ports.ticket_search import SearchDocument

_FTS = "ticket_search_fts"


def _settings(path: Path) -> dict[str, dict[str, int]]:
    with sqlite3.connect(path) as conn:
        return {
            table: {
                k: int(v)
                for k, v in conn.execute(f"SELECT k, v FROM {table}_config")
                if k in ("automerge", "crisismerge")
            }
            for table in FTS_TABLES
        }


def _docs(batch: int, count: int) -> list[SearchDocument]:
    return [
        SearchDocument(
            ticket_id=f"T-{batch:03d}-{n:02d}",
            received_us=1_700_000_000_000_000 + (batch * 100 + n) * 1000,
            text=f"马桶漏水 第{batch}批 阀芯{n}号",
            identifiers=(f"SN{batch:03d}{n:02d}",),
            keys=frozenset({f"SN{batch:03d}{n:02d}"}),
        )
        for n in range(count)
    ]


def test_a_new_file_and_an_upgraded_one_merge_nothing_inside_the_writer(tmp_path: Path) -> None:
    """Schema step 41 on a new file, and on a file of the step before whose tables had FTS5's defaults."""
    expected = {t: {"automerge": 0, "crisismerge": CRISIS_MERGE} for t in FTS_TABLES}
    new = fresh_sqlite_file(tmp_path / "new.db")
    assert _settings(new) == expected
    old = fresh_sqlite_file(tmp_path / "old.db")
    with sqlite3.connect(old, isolation_level=None) as conn:
        for table in FTS_TABLES:  # as release schema 40 left them: FTS5's own merging
            conn.execute(f"DELETE FROM {table}_config WHERE k IN ('automerge', 'crisismerge')")
        conn.execute("PRAGMA user_version = 40")
    assert _settings(old) == {t: {} for t in FTS_TABLES}
    SqliteStore(f"sqlite:///{old}").close()
    assert _settings(old) == expected


def test_writes_of_words_keep_segments_bounded_and_a_busy_merge_fails_no_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty transactions writing words (a bulk import's and a flush's): without the merge after each
    commit the table would hold a segment per transaction; a merge step that meets another writer's lock
    is skipped, the command committed, and the upkeep job or a later step catches up."""
    path = fresh_sqlite_file(tmp_path / "desk.db")
    store = SqliteStore(f"sqlite:///{path}?busy_timeout=5")
    try:
        for batch in range(40):
            with store() as uow:
                if batch % 2:
                    uow.search.put_many(_docs(batch, 6))
                else:
                    for doc in _docs(batch, 6):
                        uow.search.put(doc)
                    uow.search.flush()
                uow.commit()
        conn = store.acquire()
        try:
            settled = segments(conn, _FTS)
            found = conn.execute(f"SELECT count(*) FROM {_FTS} WHERE {_FTS} MATCH 'bi:漏水'").fetchone()[0]
        finally:
            store.release(conn)
        assert settled <= 8
        assert found == 240

        # Another writer takes the lock between the command's COMMIT and its merge step.
        other = sqlite3.connect(path, isolation_level=None)
        ran: list[bool] = []
        step = sqlite_fts_merge.merge_words

        def spied(conn: sqlite3.Connection, tables: object, **options: float) -> bool:
            done = step(conn, tables, **options)  # type: ignore[arg-type]
            ran.append(done)
            if other.in_transaction:
                other.execute("COMMIT")
            busy = conn.execute("PRAGMA busy_timeout").fetchone()[0]
            assert busy == 5000  # the store's own, set back after the short wait
            return done

        monkeypatch.setattr("aftersales.adapters.sqlite.merge_words", spied)
        original = store.committed

        def lock_it() -> None:
            original()
            other.execute("BEGIN IMMEDIATE")

        monkeypatch.setattr(store, "committed", lock_it)
        for batch in range(40, 45):
            with store() as uow:
                uow.search.put_many(_docs(batch, 6))
                uow.commit()  # does not raise, although its merge step found the file locked
        assert ran == [False] * 5
        monkeypatch.setattr(store, "committed", original)
        conn = store.acquire()
        try:
            behind = segments(conn, _FTS)
        finally:
            store.release(conn)
        report = store.upkeep()  # the hourly job merges what the skipped steps left
        assert report.batches >= 1 and report.complete
        conn = store.acquire()
        try:
            assert segments(conn, _FTS) < behind
        finally:
            store.release(conn)
        with store() as uow:
            uow.search.put_many(_docs(45, 6))
            uow.commit()
        assert ran[-1] is True
        conn = store.acquire()
        try:
            assert segments(conn, _FTS) <= 8
            assert (
                conn.execute(f"SELECT count(*) FROM {_FTS} WHERE {_FTS} MATCH 'bi:漏水'").fetchone()[0] == 276
            )
        finally:
            store.release(conn)
        other.close()
    finally:
        store.close()
