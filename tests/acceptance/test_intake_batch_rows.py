# mypy: disable-error-code="arg-type"
"""Tickets a job opens as a batch (``open_ticket_in(opened=…)`` then ``write_opened``) are stored and
indexed exactly as tickets opened one by one (issue 26): the same ticket, ledger, reporting and search
rows on SQLite, and the same tickets, searches and reports on memory and PostgreSQL — including a batch
received in a millisecond other tickets already hold search positions in."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category, Channel, TicketKind
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId
from aftersales.domain.parties import Customer
from aftersales.domain.products import Asset
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.desk import ServiceDesk
from aftersales.service.intake import open_ticket_in, write_opened
from conftest import STAFF, START, World, make_world, pg_schema_url, register

N = 7
_TABLES = {
    "tickets": "SELECT * FROM tickets ORDER BY id",
    "report_tickets": "SELECT * FROM report_tickets ORDER BY id",
    "ticket_search": "SELECT * FROM ticket_search ORDER BY pos",
    "ticket_search_keys": "SELECT * FROM ticket_search_keys ORDER BY key, pos",
    "ticket_labels": "SELECT * FROM ticket_labels ORDER BY label, ticket_id",
}


def _desk(url: str, world: World) -> ServiceDesk:
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START), staff=STAFF)
    register(desk, world)
    for i in range(N):
        customer = Customer(
            CustomerId(f"c-{i}"), f"客户{i}号", Contact(f"客户{i}号", phone=f"1380000{i:04d}"),
            region="SH" if i % 2 else "BJ", dealer_id=world.dealer_sh.id if i % 3 else None,
        )  # fmt: skip
        desk.register_customer(world.manager, customer)
        asset = Asset(AssetId(f"u-{i}"), world.product.id, f"SN-B-{i:04d}", customer_id=customer.id)
        desk.register_asset(world.manager, asset)
    return desk


def _open(desk: ServiceDesk, world: World, *, batched: bool) -> list[str]:
    """One ticket opened by the desk's command (its millisecond's first search position), then ``N``
    more in one transaction: one by one, or as a batch."""
    first = desk.open_ticket(world.agent, customer_id="c-0", description="先到的报修").ticket.id
    made: list[str] = []

    def apply(uow: UnitOfWork, now: datetime) -> None:
        opened = [] if batched else None
        for i in range(N):
            ticket, _ = open_ticket_in(
                desk.context, uow, world.system, now, customer_id=f"c-{i}",
                description=f"定期保养 第{i}台 Leak/阀门", category=Category.MAINTENANCE,
                channel=Channel.PLANNED, asset_id=f"u-{i}", received_at=now, kind=TicketKind.SERVICE,
                opened=opened,
            )  # fmt: skip
            made.append(ticket.id)
        if opened is not None:
            write_opened(uow, opened)

    desk.runner.write(world.system, "open_test_batch", None, batched, apply)
    return [first, *made]


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in _TABLES.items()}


def _seen(desk: ServiceDesk, world: World, ids: list[str]) -> tuple[object, ...]:
    """What readers get: every ticket, searches by number, serial, phone, name and text, the ledger."""
    tickets = [desk.ticket(world.manager, i).to_json() for i in ids]
    searches = [
        [t.id for t in desk.search(world.manager, term).items]
        for term in (ids[3], "SN-B-0002", "13800000005", "客户4号", "保养", "阀门", "先到")
    ]
    ledger = desk.ledger(world.manager, TicketFilter(), PageRequest(limit=50)).items
    return tickets, searches, [t.id for t in ledger]


@contextlib.contextmanager
def _pair(kind: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if kind == "memory":
        yield "memory://", "memory://"
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'batch.db'}"
    else:
        with pg_schema_url() as one, pg_schema_url() as batch:
            yield one, batch


@pytest.mark.parametrize("kind", ["memory", "sqlite", "postgres"])
def test_a_batch_stores_and_indexes_what_one_by_one_does(kind: str, tmp_path: Path) -> None:
    world = make_world()
    with (
        _pair(kind, tmp_path) as (one_url, batch_url),
        _desk(one_url, world) as one,
        _desk(batch_url, world) as batch,
    ):
        ids = _open(one, world, batched=False)
        assert _open(batch, world, batched=True) == ids
        assert _seen(batch, world, ids) == _seen(one, world, ids)
        assert [len(s) for s in _seen(one, world, ids)[1]] == [1, 1, 1, 1, N, N, 1]
    if kind == "sqlite":
        assert _rows(tmp_path / "batch.db") == _rows(tmp_path / "one.db")
