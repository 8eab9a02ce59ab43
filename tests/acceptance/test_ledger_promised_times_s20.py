# mypy: disable-error-code="arg-type"
"""The ledger shows what the customer was promised beside what was done (session 20), on memory, SQLite
and PostgreSQL, and an SQLite file of the previous version gains it on opening.

Seed 003 受理: 详细记录客户信息、产品信息、问题描述、期望解决时间等关键要素; 响应: 告知预计上门或解决时间;
归档与分析: 所有服务记录…均需归档保存. The progress view showed both times, but the ledger (台账) and its
export, where a manager compares promises with results, had neither.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from aftersales.adapters.reporting_sqlite_schema import EXPECTED_REPORT_STEP
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.ports.ledger_rows import LEDGER_FIELDS
from aftersales.reports import LEDGER_COLUMNS, export_ledger
from aftersales.reports.ledger_export import ledger_records
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BY, AT = LEDGER_FIELDS.index("expected_by_us"), LEDGER_FIELDS.index("expected_at_us")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    with world_desk(request.param, tmp_path, pack="office_equipment") as (desk, _clock, world):
        yield desk, world


def _promise(desk: ServiceDesk, world: World) -> tuple[str, str, datetime, datetime]:
    """Two calls: one with the customer's wish and two told times (the latest counts), one with neither."""
    start: datetime = desk.clock.now()  # type: ignore[attr-defined]
    asked = start + timedelta(days=2)
    promised = desk.open_ticket(
        world.customer_zh, customer_id="cust-zh", description="复印机卡纸", expected_by=asked
    ).ticket.id
    desk.contact_customer(world.agent, promised, note="明天下午上门", expected_at=start + timedelta(days=1))
    told = start + timedelta(days=1, hours=-3)
    desk.contact_customer(world.agent, promised, note="改为明天上午上门", expected_at=told)
    desk.contact_customer(world.agent, promised, note="工程师已出发")  # names no time: the promise stands
    plain = desk.open_ticket(world.agent, customer_id="cust-zh", description="缺纸").ticket.id
    return promised, plain, asked, told


def _us(at: datetime) -> int:
    return round(at.timestamp() * 1_000_000)


def test_the_ledger_records_the_time_asked_for_and_the_time_told(office: tuple[ServiceDesk, World]) -> None:
    desk, world = office
    promised, plain, asked, told = _promise(desk, world)
    records = {r[0]: r for page in ledger_records(desk, world.manager) for r in page}
    assert (records[promised][BY], records[promised][AT]) == (_us(asked), _us(told))
    assert (records[plain][BY], records[plain][AT]) == (None, None)
    assert LEDGER_COLUMNS[BY] == "expected_by" and LEDGER_COLUMNS[AT] == "expected_at"

    out = io.BytesIO()
    export_ledger(desk, world.manager, out, locale="zh_Hans")
    rows = {r["工单号"]: r for r in _csv(out)}
    row = rows[promised]
    local = "%Y-%m-%d %H:%M"
    assert row["客户期望解决时间"].startswith(asked.astimezone(told.tzinfo).strftime(local))
    assert row["告知预计时间"].startswith(told.strftime(local))
    assert (rows[plain]["客户期望解决时间"], rows[plain]["告知预计时间"]) == ("", "")

    out = io.BytesIO()
    export_ledger(desk, world.manager, out, format="jsonl", locale="en")
    lines = {d["id"]: d for d in map(orjson.loads, out.getvalue().splitlines())}
    assert datetime.fromisoformat(lines[promised]["expected_by"]) == asked
    assert datetime.fromisoformat(lines[promised]["expected_at"]) == told
    assert (lines[plain]["expected_by"], lines[plain]["expected_at"]) == (None, None)


def _csv(out: io.BytesIO) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))


def test_a_file_of_the_previous_version_gains_the_promised_times_on_opening(tmp_path: Path) -> None:
    with world_desk("sqlite", tmp_path, pack="office_equipment") as (desk, _clock, world):
        promised, _plain, asked, told = _promise(desk, world)
        path = Path(desk.store.path)  # type: ignore[attr-defined]
    conn = sqlite3.connect(path, isolation_level=None)
    # as the previous version left the file: no promised-time columns in the report rows
    conn.execute("ALTER TABLE report_tickets DROP COLUMN expected_by_us")
    conn.execute("ALTER TABLE report_tickets DROP COLUMN expected_at_us")
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(EXPECTED_REPORT_STEP)}")
    conn.close()
    desk = ServiceDesk.open(f"sqlite:///{path}", pack="office_equipment")
    try:
        records = {r[0]: r for page in ledger_records(desk, world.manager) for r in page}
        assert (records[promised][BY], records[promised][AT]) == (_us(asked), _us(told))
    finally:
        desk.shutdown()
