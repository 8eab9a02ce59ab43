"""Desks over each store (memory, SQLite, PostgreSQL when AFTERSALES_PG_DSN is set) holding the month."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from tests.acceptance.store_templates import fresh_sqlite_file, migrated_pg_schema

from aftersales.adapters.clock import ManualClock
from aftersales.domain.ticket import Ticket
from aftersales.service.desk import ServiceDesk

from .data import SH, fill

DSN = os.environ.get("AFTERSALES_PG_DSN")
STORES = [
    "memory",
    "sqlite",
    pytest.param("postgresql", marks=[pytest.mark.postgres,
                                      pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")]),
]  # fmt: skip


def open_desk(
    kind: str,
    tmp_path: Path,
    *,
    at: datetime | None = None,
    tickets: Callable[[], Iterable[Ticket]] | None = None,
) -> Iterator[ServiceDesk]:
    """A desk of ``kind`` filled with the month (or holding ``tickets()``, stored as they are), its clock
    at ``at``; PostgreSQL in a migrated schema of the test's own, emptied afterwards."""
    clock = ManualClock(at or datetime(2026, 4, 2, 12, tzinfo=SH))
    stack = contextlib.ExitStack()
    if kind == "memory":
        url = "memory://"
    elif kind == "sqlite":
        url = f"sqlite:///{fresh_sqlite_file(tmp_path / 'desk.db')}"  # a copy of a migrated file
    else:  # a migrated schema, made so again afterwards
        schema = stack.enter_context(migrated_pg_schema(DSN or ""))
        url = f"{DSN}{'&' if '?' in (DSN or '') else '?'}schema={schema}"
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=clock)
    try:
        if tickets is None:
            fill(desk)
        else:
            with desk.store() as uow:
                for ticket in tickets():
                    uow.tickets.add(ticket)
                uow.commit()
        yield desk
    finally:
        desk.shutdown()
        stack.close()
