"""A SQLite unit of work's repositories are made on first use by a class attribute, not ``__getattr__``
(issue 21: the failed lookup before ``__getattr__`` built an ``AttributeError`` for each of the four or
five repositories a command makes, about 2 µs apiece), and a read-only unit's search index is there on
its first read (it raised ``AttributeError`` the first time: the base ``__getattr__`` appended it to a
list the read unit does not have)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.sqlite import SqliteStore, SqliteUnitOfWork
from aftersales.adapters.sqlite_made import MadeOnFirstUse
from aftersales.adapters.sqlite_read import SqliteReadUnitOfWork
from aftersales.adapters.ticket_search_sqlite import SqliteTicketSearch

_NAMES = [
    "tickets",
    "customers",
    "assets",
    "products",
    "dealers",
    "engineers",
    "documents",
    "outbox",
    "idempotency",
    "search",
    "texts",
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    made = SqliteStore(f"sqlite:///{tmp_path / 'made.db'}")
    yield made
    made.close()


def test_every_repository_is_a_class_attribute_made_once_per_unit(store: SqliteStore) -> None:
    assert "__getattr__" not in vars(SqliteUnitOfWork)
    assert all(isinstance(vars(SqliteUnitOfWork)[name], MadeOnFirstUse) for name in _NAMES)
    first, second = SqliteUnitOfWork(store), SqliteUnitOfWork(store)
    for name in _NAMES:
        made = getattr(first, name)
        assert getattr(first, name) is made is vars(first)[name]
        assert getattr(second, name) is not made
    # Those that remember a transaction's reads are each asked to forget once, when it ends.
    remembering = ["tickets", "search", "customers", "assets", "products", "dealers", "engineers"]
    assert first._remembering == [vars(first)[name] for name in _NAMES if name in remembering]


def test_an_unknown_name_is_an_attribute_error(store: SqliteStore) -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = SqliteUnitOfWork(store).nothing  # type: ignore[attr-defined]
    assert getattr(SqliteReadUnitOfWork(store), "nothing", None) is None


def test_a_read_units_search_index_is_there_on_its_first_read(store: SqliteStore) -> None:
    reader = SqliteReadUnitOfWork(store)
    assert isinstance(getattr(reader, "search", None), SqliteTicketSearch)
    assert reader.search is reader.search
    reader.rollback()
