"""An outbox row is written without its ``null`` members (issue 21, session 37c on SQLite; session 39s on
PostgreSQL and memory, one rule for every store).

A new message has no delivery history: seven of its thirteen members were stored as ``null`` in every
row, half a WAL page per command. Left out, the row reads back as the same message, the claim and the
delivery patches add the members they set, and a row an older release wrote (every member there) reads
as before; the memory store, which keeps the full record, answers every step the same.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.acceptance.store_templates import fresh_sqlite_file, migrated_pg_schema

from aftersales.adapters.memory import MemoryStore
from aftersales.adapters.sqlite import open_sqlite
from aftersales.ports.outbox import OutboxMessage, outbox_record
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.serialization import decode_json, encode_json
from aftersales.testing.outbox_contract import LEASE, T0, notification

_NULLABLE = (
    "sent_at",
    "last_error",
    "last_attempt_at",
    "next_attempt_at",
    "lease_until",
    "lease_owner",
    "dead_at",
)


def _lifecycle(store: StoreFactory) -> list[Sequence[OutboxMessage]]:
    """What the store answers at each step of two messages' lives: put, claimed, failed, sent, dead."""
    seen: list[Sequence[OutboxMessage]] = []
    with store() as uow:
        uow.outbox.put([notification(1, "13900000001"), notification(2, "13900000002")])
        uow.commit()
    with store() as uow:
        seen.append(uow.outbox.pending())
    with store() as uow:
        seen.append(uow.outbox.claim("w1", T0 + LEASE, LEASE))
        uow.commit()
    with store() as uow:
        uow.outbox.mark_failed("N00001", T0 + LEASE, "mailbox down", retry_at=T0 + 3 * LEASE, owner="w1")
        uow.outbox.mark_sent(["N00002"], T0 + LEASE)
        uow.commit()
    with store() as uow:
        seen.append(uow.outbox.pending())
        seen.append(uow.outbox.claim("w2", T0 + 4 * LEASE, LEASE))
        uow.commit()
    with store() as uow:
        uow.outbox.mark_failed("N00001", T0 + 4 * LEASE, "still down", dead=True, owner="w2")
        uow.commit()
    with store() as uow:
        seen.append(uow.outbox.dead())
        seen.append(uow.outbox.pending())
    return seen


def test_sqlite_rows_leave_null_members_out_and_answer_as_memory(tmp_path: Path) -> None:
    path = fresh_sqlite_file(tmp_path / "outbox.db")
    store = open_sqlite(f"sqlite:///{path}")
    try:
        with store() as uow:
            uow.outbox.put([notification(9, "13900000009")])
            uow.commit()
        with sqlite3.connect(path) as conn:
            (text,) = conn.execute("SELECT CAST(data AS TEXT) FROM outbox WHERE id = 'N00009'").fetchone()
        assert not set(_NULLABLE) & set(decode_json(text)), text
        with store() as uow:
            uow.outbox.claim("w0", T0 + LEASE, LEASE, limit=1)  # N00009 held: leased past the first steps
            uow.outbox.mark_sent(["N00009"], T0 + LEASE)
            uow.commit()
        answers = _lifecycle(store)
    finally:
        store.close()
    assert answers == _lifecycle(MemoryStore())
    assert [m.id for m in answers[3]] == ["N00001"] and answers[3][0].attempts == 2


def test_a_row_written_with_every_member_still_reads(tmp_path: Path) -> None:
    # As every release before this one wrote it: the full record, its null members included.
    path = fresh_sqlite_file(tmp_path / "outbox.db")
    message = notification(3, "13900000003")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO outbox (id, sent, created_us, next_us, sent_us, data) VALUES (?, 0, ?, ?, NULL, ?)",
            (message.id, 0, 0, encode_json(outbox_record(message))),
        )
    store = open_sqlite(f"sqlite:///{path}")
    try:
        with store() as uow:
            assert uow.outbox.pending() == [message]
        with store() as uow:
            (claimed,) = uow.outbox.claim("w1", T0 + LEASE, LEASE)
            uow.commit()
        with store() as uow:
            uow.outbox.mark_sent([message.id], T0 + LEASE)
            uow.commit()
        with store() as uow:
            assert uow.outbox.pending() == []
    finally:
        store.close()
    assert claimed.lease_owner == "w1" and claimed.attempts == 1


def test_postgres_rows_leave_null_members_out_answer_as_memory_and_read_full_rows() -> None:
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    from aftersales.adapters.postgres import open_postgres

    old = notification(3, "13900000003")  # as every release before session 39 wrote it: every member
    with migrated_pg_schema(dsn) as schema:
        store = open_postgres(f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}")
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(
                    f'INSERT INTO "{schema}".outbox (id, sent, created_us, next_us, data)'
                    " VALUES (%s, FALSE, 0, 0, %s::jsonb)",
                    (old.id, encode_json(outbox_record(old))),
                )
            with store() as uow:
                uow.outbox.put([notification(9, "13900000009")])
                uow.commit()
            with psycopg.connect(dsn, autocommit=True) as conn:
                rows = conn.execute(f'SELECT id, data FROM "{schema}".outbox ORDER BY id').fetchall()
            assert [row[0] for row in rows] == [old.id, "N00009"]
            assert set(_NULLABLE) <= set(rows[0][1]) and not set(_NULLABLE) & set(rows[1][1]), rows
            with store() as uow:  # both held: leased past the first steps, the old one read as before
                assert uow.outbox.pending() == [old, notification(9, "13900000009")]
                uow.outbox.claim("w0", T0 + LEASE, LEASE, limit=2)
                uow.outbox.mark_sent([old.id, "N00009"], T0 + LEASE)
                uow.commit()
            answers = _lifecycle(store)
        finally:
            store.close()
    assert answers == _lifecycle(MemoryStore())
