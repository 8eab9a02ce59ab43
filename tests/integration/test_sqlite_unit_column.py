"""The SQLite tickets table's ``unit`` column (schema step 13, issue 21): the unit (asset id) a ticket
names, so a read that misses the ticket memo joins the unit's record without ``json_extract`` over
the whole document. '' is no unit; NULL marks a row written before the column existed, read from
the JSON until its next save fills it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_schema import SCHEMA_VERSION
from aftersales.domain.ids import AssetId, CustomerId, ProductId
from aftersales.domain.products import Asset
from aftersales.testing.storage_contract import contract_ticket


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    # No kept tickets: every read is the one that used to parse the JSON for the unit.
    opened = SqliteStore(f"sqlite:///{tmp_path / 'units.db'}?ticket_cache=0")
    with opened() as uow:
        for n in (1, 2):
            uow.assets.add(Asset(AssetId(f"A{n}"), ProductId("P1"), f"SN-{n}", customer_id=CustomerId("C1")))
        uow.tickets.add(contract_ticket(1))  # names unit A1
        no_unit = contract_ticket(3)
        no_unit.asset_id = None
        uow.tickets.add_many([contract_ticket(2), no_unit])
        uow.commit()
    yield opened
    opened.close()


def _units(store: SqliteStore) -> dict[str, str | None]:
    conn = store.acquire()
    try:
        return dict(conn.execute("SELECT id, unit FROM tickets ORDER BY id").fetchall())
    finally:
        store.release(conn)


def _read_without_a_second_statement(store: SqliteStore, ticket_id: str) -> Asset | None:
    """Read the ticket, then its unit; the unit must come from the ticket's own read."""
    with store() as uow:
        ticket = uow.tickets.get(ticket_id)
        conn = uow.conn()
        seen: list[str] = []
        conn.set_trace_callback(seen.append)
        try:
            asset = uow.assets.get(ticket.asset_id) if ticket.asset_id is not None else None
        finally:
            conn.set_trace_callback(None)
        assert seen == [], seen  # primed by the joined read
        return asset


def test_add_and_add_many_write_the_unit(store: SqliteStore) -> None:
    assert _units(store) == {"T-0001": "A1", "T-0002": "A2", "T-0003": ""}


def test_a_cold_read_joins_the_unit_named_by_the_column(store: SqliteStore) -> None:
    asset = _read_without_a_second_statement(store, "T-0002")
    assert asset is not None and asset.id == "A2"
    with store() as uow:
        assert uow.tickets.get("T-0003").asset_id is None


def test_a_row_written_before_the_column_is_read_from_its_json_then_filled_by_its_save(
    store: SqliteStore,
) -> None:
    conn = store.acquire()
    conn.execute("UPDATE tickets SET unit = NULL")  # as step 13 leaves rows written before it
    store.release(conn)
    asset = _read_without_a_second_statement(store, "T-0001")
    assert asset is not None and asset.id == "A1"
    with store() as uow:
        for ticket_id in ("T-0001", "T-0003"):
            uow.tickets.save(uow.tickets.get(ticket_id))
        uow.commit()
    assert _units(store) == {"T-0001": "A1", "T-0002": None, "T-0003": ""}


def test_a_changed_unit_is_written_with_the_save(store: SqliteStore) -> None:
    with store() as uow:
        ticket = uow.tickets.get("T-0001")
        ticket.asset_id = AssetId("A2")
        uow.tickets.save(ticket)
        uow.commit()
    assert _units(store)["T-0001"] == "A2"
    asset = _read_without_a_second_statement(store, "T-0001")
    assert asset is not None and asset.id == "A2"


def test_a_file_set_back_to_the_step_before_keeps_its_units(tmp_path: Path) -> None:
    """Re-applying the step (a version set back by hand) keeps the column and its values."""
    path = tmp_path / "rewound.db"
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add(contract_ticket(1))
        uow.commit()
    store.close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.close()
    reopened = SqliteStore(f"sqlite:///{path}")
    try:
        assert _units(reopened) == {"T-0001": "A1"}
        conn = reopened.acquire()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        reopened.release(conn)
    finally:
        reopened.close()
