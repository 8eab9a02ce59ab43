"""Desks over each store (memory, SQLite, PostgreSQL when AFTERSALES_PG_DSN is set) holding the month."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.service.desk import ServiceDesk

from .data import SH, fill

DSN = os.environ.get("AFTERSALES_PG_DSN")
STORES = [
    "memory",
    "sqlite",
    pytest.param("postgresql", marks=[pytest.mark.postgres,
                                      pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")]),
]  # fmt: skip


def open_desk(kind: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    """A desk of ``kind`` filled with the month; PostgreSQL in a private schema dropped afterwards."""
    clock = ManualClock(datetime(2026, 4, 2, 12, tzinfo=SH))
    schema = f"r_{uuid.uuid4().hex[:16]}"
    if kind == "memory":
        url = "memory://"
    elif kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'desk.db'}"
    else:
        url = f"{DSN}{'&' if '?' in (DSN or '') else '?'}schema={schema}"
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=clock)
    try:
        fill(desk)
        yield desk
    finally:
        desk.shutdown()
        if kind == "postgresql":
            import psycopg

            with psycopg.connect(DSN or "", autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
