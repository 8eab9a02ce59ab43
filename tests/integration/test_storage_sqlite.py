"""The storage contract against SQLite, plus what only a file database can show."""

from __future__ import annotations

from pathlib import Path

from aftersales.adapters.sqlite import SqliteStore, open_sqlite
from aftersales.testing.storage_contract import StorageContract


class TestSqliteStorage(StorageContract):
    def make_store(self, tmp_path: Path) -> SqliteStore:
        return open_sqlite(f"sqlite:///{tmp_path}/contract.db")


class TestSqliteMemoryStorage(StorageContract):
    def make_store(self, tmp_path: Path) -> SqliteStore:
        return open_sqlite("sqlite:///:memory:")
