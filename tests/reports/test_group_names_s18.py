"""A report reads its dealers', engineers' and products' names without the write lock (session 18).

``group_names`` (the names behind every CLI report and the ledger export) opened a unit of work for
commands; on SQLite that begins ``BEGIN IMMEDIATE``, so a report waited behind any command holding the
database's write lock and failed with StoreBusy behind a long one, although it only reads. It now reads
through the store's read path, and answers the same on the three stores.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.sqlite import SqliteStore
from aftersales.reports import group_names
from aftersales.service.desk import ServiceDesk

from .data import NAMES
from .stores import STORES, open_desk


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    yield from open_desk(request.param, tmp_path)


def test_names_are_the_registered_ones_on_every_store(desk: ServiceDesk) -> None:
    names = group_names(desk.store)
    assert {k: names[k] for k in ("dealer-a", "dealer-b", "dealer-c")} == {
        k: NAMES[k] for k in ("dealer-a", "dealer-b", "dealer-c")
    }


def test_names_are_read_while_a_command_holds_the_write_lock(tmp_path: Path) -> None:
    for _ in open_desk("sqlite", tmp_path):  # the month, stored in desk.db
        pass
    path = tmp_path / "desk.db"
    store = SqliteStore(f"sqlite:///{path}", timeout=0.2)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a command
        names = group_names(store)  # was StoreBusy: the database is locked
        assert names["dealer-a"] == NAMES["dealer-a"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        store.close()
