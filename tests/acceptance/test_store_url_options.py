"""A store URL's options are used or refused the same way by every store.

Before, a bad option was a ``ValidationError`` from SQLite and the memory store but an
``InvalidStoreOption`` (also a ``ConfigurationError``) from PostgreSQL, and an option PostgreSQL did not
know was a ``ConfigurationError`` that is no ``ValidationError``: a host catching one of them let the
other store's refusal through. A percent-encoded value (``ticket_cache=%31``) was 1 for PostgreSQL and
refused by SQLite; ``sqlite:///:memory:?checkpoint=background`` was taken and did nothing.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from aftersales.errors import ConfigurationError, InvalidStoreOption, ValidationError
from aftersales.ports.storage_registry import open_storage
from conftest import store_url

BACKENDS = ["memory", "sqlite", "postgres"]


def _with(url: str, option: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{option}"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("option", "named"),
    [
        ("colour=blue", "colour"),
        ("ticket_cache=abc", "ticket_cache"),
        ("ticket_cache=-1", "ticket_cache"),
        # Session 17: no upper bound was checked, so a slip of the keyboard kept every ticket parsed.
        ("ticket_cache=100001", "ticket_cache"),
        ("ticket_cache=99999999999999999999", "ticket_cache"),
    ],
)
def test_a_bad_url_option_is_the_same_typed_error_on_every_store(
    backend: str, option: str, named: str, tmp_path: Path
) -> None:
    with store_url(backend, tmp_path) as url, pytest.raises(InvalidStoreOption) as caught:
        open_storage(_with(url, option))
    error = caught.value
    assert isinstance(error, ConfigurationError) and isinstance(error, ValidationError)
    assert error.key == "url" and error.field == "url" and error.option == named
    assert not (tmp_path / "desk.db").exists()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_encoded_option_value_means_the_same_on_sqlite_and_postgres(backend: str, tmp_path: Path) -> None:
    with (
        store_url(backend, tmp_path) as url,
        contextlib.closing(open_storage(_with(url, "ticket_cache=%31"))) as store,
    ):
        assert store.tickets_kept.limit == 1  # type: ignore[attr-defined]


def test_background_checkpoints_of_a_database_in_memory_are_refused() -> None:
    with pytest.raises(InvalidStoreOption) as caught:
        open_storage("sqlite:///:memory:?checkpoint=background")
    assert caught.value.option == "checkpoint"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_largest_ticket_cache_is_taken(backend: str, tmp_path: Path) -> None:
    with (
        store_url(backend, tmp_path) as url,
        contextlib.closing(open_storage(_with(url, "ticket_cache=100000"))) as store,
    ):
        assert store.tickets_kept.limit == 100_000  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("option", "named"),
    [
        ("pool_max=1001", "pool_max"),
        ("pool_min=1001", "pool_min"),  # with the default pool_max: the pool grew to it, opening them all
        ("pool_min=0&pool_max=1000000000000", "pool_max"),
        ("pool_min=1000000000&pool_max=1000000000", "pool_min"),
    ],
)
def test_a_pool_larger_than_any_server_takes_is_refused_before_connecting(
    option: str, named: str, tmp_path: Path
) -> None:
    """Session 17: ``pool_min``/``pool_max`` had no upper bound; ``pool_min=100000`` made a pool that
    opened connections until the server refused them. Refused, naming the option and the bound."""
    with store_url("postgres", tmp_path) as url, pytest.raises(InvalidStoreOption) as caught:
        open_storage(_with(url, option))
    assert caught.value.option == named and "1000" in str(caught.value)
