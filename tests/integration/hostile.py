"""Shared set-up for the hostile-input and erasure tests: stores, a small world, a snapshot of a store.

The snapshot reads every table of the store directly (memory: its committed records; SQLite: the
file through a second connection; PostgreSQL: the test's own schema), so "nothing changed" is checked
on the data itself, not through the API under test.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.acceptance.store_templates import migrated_pg_schema

from aftersales import (
    Actor,
    Asset,
    AssetId,
    Contact,
    Customer,
    CustomerId,
    CustomerTier,
    Dealer,
    DealerId,
    Engineer,
    EngineerId,
    EngineerLevel,
    Product,
    ProductId,
    ServiceDesk,
    Severity,
    WarrantyTerm,
)
from aftersales.adapters import ManualClock

DSN = os.environ.get("AFTERSALES_PG_DSN")
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
MANAGER = Actor.manager("mgr-1")
AGENT = Actor.agent("agent-1")
AUDITOR = Actor.auditor("aud-1")
STORES = ["memory", "sqlite", "postgresql"]

NAME = "欧阳娜娜"
PHONE = "13912345678"
EMAIL = "nana.ouyang@example.cn"
ADDRESS = "上海市浦东新区世纪大道 88 号"


class Opened:
    """A desk on a fresh store of one kind, with what is needed to read its tables and drop it."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.schema: str | None = None
        self.path: Path | None = None
        self._schema = contextlib.ExitStack()
        if kind == "memory":
            url = "memory://"
        elif kind == "sqlite":
            self.path = tmp_path / f"h-{uuid.uuid4().hex[:8]}.db"
            url = f"sqlite:///{self.path}"
        else:
            # A migrated schema of the test's own (a reused one made as a first open leaves it).
            self.schema = self._schema.enter_context(migrated_pg_schema(DSN or ""))
            sep = "&" if "?" in (DSN or "") else "?"
            url = f"{DSN}{sep}schema={self.schema}"
        self.clock = ManualClock(NOW)
        self.desk = ServiceDesk.open(url, pack="sanitary_ware", clock=self.clock)

    def close(self) -> None:
        self.desk.shutdown()
        self._schema.close()

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: equal snapshots mean nothing was written."""
        if self.kind == "memory":
            data = self.desk.store._data  # type: ignore[attr-defined]
            return {"all": sorted((k, r.version, r.text) for k, r in data.items())}
        if self.kind == "sqlite":
            assert self.path is not None
            conn = sqlite3.connect(self.path)
            try:
                names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                return {n: sorted(map(tuple, conn.execute(f'SELECT * FROM "{n}"')), key=repr) for n in names}
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(DSN or "", options=f"-c search_path={self.schema}") as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (self.schema,)
                )
            ]
            return {n: sorted(map(tuple, conn.execute(f'SELECT * FROM "{n}"')), key=repr) for n in names}

    def raw_text(self) -> str:
        """Everything the store holds, as one text (to look for bytes of erased data)."""
        return repr(self.snapshot())


def opened(kind: str, tmp_path: Path) -> Iterator[Opened]:
    """A fixture body: a fresh desk on ``kind``, closed (and its schema dropped) afterwards."""
    if kind == "postgresql" and not DSN:
        import pytest

        pytest.skip("AFTERSALES_PG_DSN is not set")
    store = Opened(kind, tmp_path)
    try:
        yield store
    finally:
        store.close()


def seed(desk: ServiceDesk, clock: ManualClock) -> str:
    """Register a dealer, engineer, product, customer and asset; open and triage one ticket."""
    desk.register_dealer(MANAGER, Dealer(DealerId("d-sh"), "浦东服务站", "SH", frozenset({"SH"})))
    desk.register_engineer(
        MANAGER,
        Engineer(EngineerId("e-1"), "李工", EngineerLevel.SENIOR, frozenset({"plumbing"}), "SH", team="t1"),
    )
    desk.register_product(
        MANAGER, Product(ProductId("wc-1"), "WC-1", "智能马桶", "toilet", (WarrantyTerm(36),))
    )
    desk.register_customer(
        MANAGER,
        Customer(
            CustomerId("c-1"),
            NAME,
            Contact(NAME, phone=PHONE, email=EMAIL, address=ADDRESS),
            CustomerTier.REGULAR,
            region="SH",
            dealer_id=DealerId("d-sh"),
        ),
    )
    desk.register_asset(
        MANAGER,
        Asset(
            AssetId("a-1"),
            ProductId("wc-1"),
            "SN-1",
            CustomerId("c-1"),
            purchase_date=date(2025, 9, 1),
            installation_accepted_on=date(2025, 9, 2),
        ),
    )
    tid = desk.open_ticket(AGENT, customer_id="c-1", description="马桶漏水", asset_id="a-1").ticket.id
    clock.advance(timedelta(minutes=5))
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    return str(tid)
