"""The storage contract against PostgreSQL; skipped only when ``AFTERSALES_PG_DSN`` is unset.

Every test gets its own schema (a contract test's a reused migrated one, emptied afterwards), so runs
never collide.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pytest
from tests.acceptance.store_templates import migrated_pg_schema

from aftersales.testing.storage_contract import StorageContract

DSN = os.environ.get("AFTERSALES_PG_DSN")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]


class _DroppingStore:
    """Wraps a store on a private migrated schema (a reused one, made as a first open leaves it:
    :func:`tests.acceptance.store_templates.migrated_pg_schema`) so closing it also gives the schema back
    (emptied for the next test, or dropped)."""

    def __init__(self) -> None:
        from aftersales.adapters.postgres import open_postgres

        sep = "&" if "?" in (DSN or "") else "?"
        self._schema = contextlib.ExitStack()
        self.schema = self._schema.enter_context(migrated_pg_schema(DSN or ""))
        self.inner = open_postgres(f"{DSN}{sep}schema={self.schema}")
        self.url = self.inner.url

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.inner()

    def close(self) -> None:
        self.inner.close()
        self._schema.close()


class TestPostgresStorage(StorageContract):
    def make_store(self, tmp_path: Path) -> _DroppingStore:  # type: ignore[override]
        return _DroppingStore()


def test_url_options_reach_the_sessions() -> None:
    import psycopg

    from aftersales.adapters.postgres import open_postgres

    schema = f"t_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in (DSN or "") else "?"
    # libpq's own parameters beside the store's (session 36): its "options" were replaced by the store's
    # settings (the timeout dropped without a word) and a space written "%20" reached libpq as "+".
    libpq = "options=-c%20statement_timeout%3D4321&application_name=desk%20one"
    store = open_postgres(f"{DSN}{sep}schema={schema}&synchronous_commit=off&pool_min=2&pool_max=3&{libpq}")
    try:
        with store() as uow:
            found = uow.run(  # type: ignore[attr-defined]
                "SELECT current_setting('synchronous_commit'), current_setting('statement_timeout'),"
                " current_setting('application_name'), current_schema()"
            ).fetchone()
        assert found == ("off", "4321ms", "desk one", schema)
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
        # A setting the store makes from its option, given to libpq's options too: one would be dropped.
        ("synchronous_commit=off&options=-c%20synchronous_commit%3Don", "synchronous_commit"),
        ("schema=a&options=--search-path%3Db", "schema"),
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
