"""The outbox contract against memory, SQLite (file and in-memory) and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.acceptance.store_templates import fresh_sqlite_file

from aftersales.adapters.memory import MemoryStore
from aftersales.adapters.sqlite import SqliteStore, open_sqlite
from aftersales.errors import StorageError
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.testing.outbox_contract import LEASE, T0, OutboxContract

DSN = os.environ.get("AFTERSALES_PG_DSN")


class TestMemoryOutbox(OutboxContract):
    def make_store(self, tmp_path: Path) -> MemoryStore:
        return MemoryStore()


class TestSqliteOutbox(OutboxContract):
    def make_store(self, tmp_path: Path) -> SqliteStore:
        return open_sqlite(f"sqlite:///{fresh_sqlite_file(tmp_path / 'outbox.db')}")  # a migrated copy


class TestSqliteRowByRowOutbox(OutboxContract):
    """The claim and mark-sent path of a library without ``UPDATE … RETURNING`` (SQLite < 3.35)."""

    @pytest.fixture(autouse=True)
    def _row_by_row(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from aftersales.adapters import sqlite

        monkeypatch.setattr(sqlite._Outbox, "claim_patch", "")
        monkeypatch.setattr(sqlite._Outbox, "sent_patch", "")

    def make_store(self, tmp_path: Path) -> SqliteStore:
        return open_sqlite(f"sqlite:///{fresh_sqlite_file(tmp_path / 'outbox.db')}")  # a migrated copy


class TestSqliteMemoryOutbox(OutboxContract):
    def make_store(self, tmp_path: Path) -> SqliteStore:
        return open_sqlite("sqlite:///:memory:")

    def test_concurrent_deliverers_send_each_message_once(self, store: StoreFactory) -> None:
        # A private in-memory database has one connection: a second deliverer is refused, not let
        # in to send twice.
        with store() as uow:
            uow.outbox.claim("a", T0, LEASE)
            with pytest.raises(StorageError), store() as other:
                other.outbox.claim("b", T0, LEASE)


@pytest.mark.postgres
@pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")
class TestPostgresOutbox(OutboxContract):
    def make_store(self, tmp_path: Path):  # type: ignore[no-untyped-def]
        from tests.integration.test_storage_postgres import _DroppingStore

        return _DroppingStore()
