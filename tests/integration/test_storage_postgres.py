"""The storage contract against PostgreSQL; skipped only when ``AFTERSALES_PG_DSN`` is unset.

Every test gets its own schema (dropped afterwards), so runs never collide.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from aftersales.testing.storage_contract import StorageContract

DSN = os.environ.get("AFTERSALES_PG_DSN")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]


class _DroppingStore:
    """Wraps a store so closing it also drops its private schema."""

    def __init__(self, schema: str) -> None:
        from aftersales.adapters.postgres import open_postgres

        sep = "&" if "?" in (DSN or "") else "?"
        self.schema = schema
        self.inner = open_postgres(f"{DSN}{sep}schema={schema}")
        self.url = self.inner.url

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.inner()

    def close(self) -> None:
        import psycopg

        self.inner.close()
        with psycopg.connect(DSN or "", autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


class TestPostgresStorage(StorageContract):
    def make_store(self, tmp_path: Path) -> _DroppingStore:  # type: ignore[override]
        return _DroppingStore(f"t_{uuid.uuid4().hex[:16]}")
