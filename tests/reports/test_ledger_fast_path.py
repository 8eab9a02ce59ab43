"""The SQL fast path of the ledger export (report rows, no tickets built) writes exactly what the
ticket path writes, on SQLite and PostgreSQL; a file written before the ledger columns existed too."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.reporting_rows import LEDGER_COLUMNS
from aftersales.adapters.reporting_sqlite_schema import LEDGER_REPORT_STEP
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.reports import export_ledger, group_names
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .stores import STORES, open_desk

MANAGER = Actor.manager("mgr", "王经理")
SQL_STORES = STORES[1:]


class _TicketPath:
    """The desk seen through a store that offers no ledger rows: the export reads whole tickets."""

    def __init__(self, desk: ServiceDesk) -> None:
        self._desk = desk

    @property
    def store(self) -> StoreFactory:
        factory = self._desk.store
        return lambda: factory()  # a plain callable: no ``ledger_rows`` to find

    def ledger(self, actor: Any, filters: TicketFilter | None = None, page: PageRequest | None = None) -> Any:
        return self._desk.ledger(actor, filters, page)

    def ledger_scope(self, actor: Any, filters: TicketFilter | None = None) -> TicketFilter:
        return self._desk.ledger_scope(actor, filters)

    @property
    def zone(self) -> tzinfo:
        return self._desk.zone


@pytest.fixture(params=SQL_STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    yield from open_desk(request.param, tmp_path)


def _export(desk: Any, actor: Actor = MANAGER, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    export_ledger(desk, actor, out, **kwargs)
    return out.getvalue()


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
@pytest.mark.parametrize("format", ["csv", "jsonl"])
def test_both_paths_write_the_same_bytes(desk: ServiceDesk, locale: str, format: str) -> None:
    assert callable(getattr(desk.store, "ledger_rows", None))  # the fast path is really taken
    names = group_names(desk.store)
    fast = _export(desk, format=format, locale=locale, names=names)
    slow = _export(_TicketPath(desk), format=format, locale=locale, names=names)
    assert fast == slow
    assert len(fast.splitlines()) == 60 + (format == "csv")


def test_both_paths_agree_under_filters_and_scope(desk: ServiceDesk) -> None:
    dealer = Actor.dealer_staff("staff-b", "dealer-b", ["R1"])
    for actor, filters in (
        (dealer, None),
        (MANAGER, TicketFilter(states=("closed",), region="sh-pudong")),
        (MANAGER, TicketFilter(text="problem 1")),
    ):
        fast = _export(desk, actor, filters=filters, timezone="Europe/Berlin")
        assert fast == _export(_TicketPath(desk), actor, filters=filters, timezone="Europe/Berlin")
        assert len(fast.splitlines()) > 1


def test_a_file_from_before_the_ledger_columns_exports_the_same(tmp_path: Path) -> None:
    expected: bytes | None = None
    for desk in open_desk("sqlite", tmp_path):
        expected = _export(desk)
    path = tmp_path / "desk.db"
    # What the previous version left: report rows without the ledger columns.
    conn = sqlite3.connect(path, isolation_level=None)
    for column in LEDGER_COLUMNS:
        conn.execute(f"ALTER TABLE report_tickets DROP COLUMN {column}")
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(LEDGER_REPORT_STEP)}")
    conn.close()
    desk = ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware")
    try:
        conn = desk.store.acquire()  # type: ignore[attr-defined]
        assert conn.execute("SELECT done FROM report_backfill").fetchone() == (0,)
        desk.store.release(conn)  # type: ignore[attr-defined]
        assert _export(desk) == expected  # the export completes the back-fill first
    finally:
        desk.shutdown()


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/New_York"])
def test_local_text_by_column_equals_value_by_value(zone: str) -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from aftersales.ports.ticket_index import micros
    from aftersales.reports.ledger_export import _LocalText, _LocalTime

    start = datetime(2026, 3, 1, tzinfo=UTC)
    # a column within a few hours (one offset) and one across a change of clocks (and a None)
    for span in (timedelta(hours=5), timedelta(days=300)):
        values: list[int | None] = [micros(start + span * k / 97) for k in range(98)]
        values[3] = None
        got = _LocalText(_LocalTime(ZoneInfo(zone))).column(values)
        want = [
            None if v is None else (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=v))
            .astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")
            for v in values
        ]  # fmt: skip
        assert got == want
