"""A SQLite bulk import writes each table's rows in multi-row statements, and stores what it stored
before (issue 21, session 33).

The tickets table has ``AFTER INSERT`` triggers, so each statement inserting a ticket opened a statement
journal of every page it changed, spilled to a temporary file: ``executemany`` paid that once per row.
``insert_rows`` sends up to ``ROWS_PER_STATEMENT`` rows per statement. Nothing stored may change: the
rows of every table an import writes are held equal, table by table, to those the code before this
change wrote for the same batch (``tests/fixtures/bulk_import_rows_s33c.json``: a SHA-256 of each
table's sorted rows and the FTS words, with the row counts). When a later change means to store
something else, write the file again: ``python tests/acceptance/test_bulk_import_statements_s33c.py``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from pathlib import Path

import pytest

if __name__ == "__main__":  # run as a script: the neighbouring test modules and conftest are importable
    sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]

from test_bulk_import_rows import MANAGER, TICKETS, _known
from test_bulk_import_same_rows_s26 import TABLES, _open

from aftersales.adapters import sqlite_import
from aftersales.adapters.sqlite import SqliteStore
from aftersales.errors import DuplicateError

GOLDEN = Path(__file__).parents[1] / "fixtures" / "bulk_import_rows_s33c.json"


def _digests(path: Path) -> dict[str, list[object]]:
    """Each table's row count and the SHA-256 of its rows (sorted), and the same of the FTS words."""
    conn = sqlite3.connect(path)
    try:
        found = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
        conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, ticket_search_fts, 'instance')")
        found["fts words"] = conn.execute("SELECT * FROM temp.words ORDER BY 1, 2, 3, 4").fetchall()
    finally:
        conn.close()
    return {t: [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()] for t, rows in found.items()}


def _import(path: Path) -> dict[str, list[object]]:
    with _open(path) as desk:
        desk.import_tickets(MANAGER, _known(TICKETS), batch_size=17)  # several batches, one of leftovers
    return _digests(path)


@pytest.mark.parametrize("per_statement", [None, 5, 1])
def test_an_import_stores_the_rows_the_code_before_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_statement: int | None
) -> None:
    # None: the default (a batch of 17 in one statement); 5: every batch ends in a short chunk;
    # 1: one row a statement, as executemany ran them.
    if per_statement is not None:
        monkeypatch.setattr(sqlite_import, "ROWS_PER_STATEMENT", per_statement)
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    found = _import(tmp_path / "bulk.db")
    assert found["tickets"][0] == len(_known(TICKETS))
    assert found == expected


def _ticket_inserts(path: Path, count: int) -> tuple[list[str], int]:
    """The statements ``add_many`` of ``count`` tickets ran against the tickets table, and its rows."""
    store = SqliteStore(f"sqlite:///{path}")
    ran: list[str] = []
    try:
        with store() as uow:
            conn = uow.conn()  # type: ignore[attr-defined]
            conn.set_trace_callback(ran.append)  # each statement run, once per execution
            uow.tickets.add_many(_known(TICKETS)[:count])
            conn.set_trace_callback(None)
            uow.commit()
        with store() as uow:
            stored = uow.conn().execute("SELECT count(*) FROM tickets").fetchone()[0]  # type: ignore[attr-defined]
    finally:
        store.close()
    return [s for s in ran if s.startswith("INSERT INTO tickets ")], stored


def test_a_batch_of_tickets_goes_in_a_statement_per_chunk_not_per_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_import, "ROWS_PER_STATEMENT", 10)
    inserts, stored = _ticket_inserts(tmp_path / "t.db", 25)
    assert stored == 25
    # The trace names a statement when it starts and again as each trigger subprogram starts, so the
    # rows a statement carried are counted in its text: 10, 10 and 5 (before: one row every time).
    rows = [s.count("CAST(") for s in inserts]
    assert sorted(set(rows)) == [5, 10]
    assert rows[0] == 10 and rows[-1] == 5


def test_a_taken_id_in_a_later_chunk_writes_nothing_of_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The duplicate is in the third chunk: the first two were inserted, and the savepoint takes them back.
    monkeypatch.setattr(sqlite_import, "ROWS_PER_STATEMENT", 4)
    tickets = _known(TICKETS)[:12]
    store = SqliteStore(f"sqlite:///{tmp_path / 'd.db'}")
    try:
        with store() as uow:
            uow.tickets.add(tickets[10])
            uow.commit()
        with store() as uow, pytest.raises(DuplicateError, match=tickets[10].id):
            uow.tickets.add_many(tickets)
        with store() as uow:
            conn = uow.conn()  # type: ignore[attr-defined]
            assert conn.execute("SELECT id FROM tickets").fetchall() == [(tickets[10].id,)]
            assert conn.execute("SELECT id FROM report_tickets").fetchall() == [(tickets[10].id,)]
    finally:
        store.close()


def test_a_connection_allowing_fewer_bound_values_gets_shorter_statements(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "l.db")
    try:
        conn.execute("CREATE TABLE t (a, b, c)")
        conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 7)  # two rows of three a statement
        ran: list[str] = []
        conn.set_trace_callback(ran.append)
        rows = [(n, n, n) for n in range(5)]
        sqlite_import.insert_rows(conn, "INSERT INTO t (a, b, c) VALUES (?, ?, ?)", rows)
        assert conn.execute("SELECT a FROM t ORDER BY rowid").fetchall() == [(n,) for n in range(5)]
        assert [s.count("(") for s in ran if s.startswith("INSERT")] == [3, 3, 2]  # columns, 2, 2, 1 rows
    finally:
        conn.close()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.write_text(json.dumps(_import(Path(tmp) / "bulk.db"), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
