"""After a transaction aborts, the adapter's record of prepared statements matches the server (session 31, o).

:class:`~aftersales.adapters.postgres_pipeline.Transaction` prepares a read or a deferred write once per
connection, its ``PREPARE`` at the head of the query that first runs it. A ``PREPARE`` outlives the
transaction it was sent in, so when a later statement of that query fails the session may hold it. A
lost race (deadlock 40P01, read as ``ConcurrencyConflict``) left the record saying "not prepared": the
command runner's retry sent the ``PREPARE`` again and failed with "already exists" (42P05). Here the
server raises 40P01 from a statement run after the ``PREPARE``, then the same statement runs again on the
same connection, through each path that prepares: the locking read (``begin_with``), the reads made
ahead (``read_ahead``) and the writes sent with ``COMMIT``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from aftersales.errors import ConcurrencyConflict

psycopg = pytest.importorskip("psycopg")

from aftersales.adapters.postgres_pipeline import Transaction  # noqa: E402

_BOOM = (
    "CREATE FUNCTION pg_temp.boom(fail boolean) RETURNS int LANGUAGE plpgsql VOLATILE AS $$"
    " BEGIN IF fail THEN RAISE EXCEPTION 'made deadlock' USING ERRCODE = '40P01'; END IF; RETURN 7; END $$"
)
"""A function failing as a deadlock broken by the server does, when asked to (40P01)."""


@pytest.fixture
def conn() -> Iterator[Any]:
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=0) as connection:
        connection.execute(_BOOM)
        connection.execute("CREATE TEMP TABLE boom_log (n int)")
        yield connection


def _tx(conn: Any) -> Transaction:
    return Transaction(lambda: conn, lambda _conn: None)


def _prepared(conn: Any, name: str) -> bool:
    found = conn.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", (name,)).fetchone()
    return found is not None


def test_the_locking_read_runs_again_after_a_deadlock_in_its_first_query(conn: Any) -> None:
    name, sql = "aftersales_ticket_s31o_boom", "SELECT pg_temp.boom(%s)"
    tx = _tx(conn)
    with pytest.raises(ConcurrencyConflict):
        tx.begin_with(name, sql, (True,))
    tx.rollback()
    assert _prepared(conn, name)  # the PREPARE ran before the statement that failed
    again = _tx(conn)
    cursor, _ = again.begin_with(name, sql, (False,))
    assert cursor.fetchone() == (7,)
    again.commit()


def test_a_read_made_ahead_runs_again_after_a_deadlock_in_its_first_query(conn: Any) -> None:
    sql = "SELECT pg_temp.boom(%s) AS ahead"
    tx = _tx(conn)
    with pytest.raises(ConcurrencyConflict):
        tx.read_ahead([(sql, (True,))])
    tx.rollback()
    again = _tx(conn)
    again.read_ahead([(sql, (False,))])
    assert again.run(sql, (False,)).fetchone() == (7,)
    again.commit()


def test_a_prepared_write_runs_again_after_a_deadlock_in_its_commit(conn: Any) -> None:
    sql = "INSERT INTO boom_log (n) VALUES (pg_temp.boom(%s::boolean))"
    tx = _tx(conn)
    tx.run("SELECT 1")
    tx.deferring = True
    tx.defer(sql, (True,), prepare=True)
    with pytest.raises(ConcurrencyConflict):
        tx.commit()
    again = _tx(conn)
    again.run("SELECT 1")
    again.deferring = True
    again.defer(sql, (False,), prepare=True)
    again.commit()
    assert conn.execute("SELECT n FROM boom_log").fetchall() == [(7,)]
