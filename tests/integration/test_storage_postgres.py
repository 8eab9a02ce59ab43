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


def test_url_options_reach_the_sessions() -> None:
    import psycopg

    from aftersales.adapters.postgres import open_postgres

    schema = f"t_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in (DSN or "") else "?"
    store = open_postgres(f"{DSN}{sep}schema={schema}&synchronous_commit=off&pool_min=2&pool_max=3")
    try:
        with store() as uow:
            found = uow.run("SHOW synchronous_commit").fetchone()  # type: ignore[attr-defined]
        assert found is not None and found[0] == "off"
    finally:
        store.close()
        with psycopg.connect(DSN or "", autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.parametrize(
    ("query", "option"),
    [
        ("synchronous_commit=maybe", "synchronous_commit"),
        ("synchronous_commit=", "synchronous_commit"),
        ("pool_max=0", "pool_max"),
        ("pool_min=4&pool_max=2", "pool_min"),
        ("prepare_threshold=-1", "prepare_threshold"),
        ("schema=Bad", "schema"),
        ("pool_max=2&pool_max=3", "pool_max"),  # which one holds is not guessed
        ("schema=a&schema=b", "schema"),
    ],
)
def test_bad_url_options_are_refused(query: str, option: str) -> None:
    from aftersales.adapters.postgres import open_postgres
    from aftersales.errors import ConfigurationError, InvalidStoreOption, ValidationError

    # Refused before any connection is tried (the server named here does not exist).
    with pytest.raises(ConfigurationError) as caught:
        open_postgres(f"postgresql://nobody@127.0.0.1:1/none?{query}")
    assert isinstance(caught.value, InvalidStoreOption) and isinstance(caught.value, ValidationError)
    assert (caught.value.key, caught.value.field, caught.value.option) == ("url", "url", option)
    assert option in str(caught.value)


def test_a_bad_synchronous_commit_is_refused_by_the_desk_too() -> None:
    from aftersales.errors import ConfigurationError
    from aftersales.service.desk import ServiceDesk

    with pytest.raises(ConfigurationError, match="synchronous_commit"):
        ServiceDesk.open("postgresql://nobody@127.0.0.1:1/none?synchronous_commit=fast", pack="sanitary_ware")
