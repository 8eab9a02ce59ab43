"""Every index on the PostgreSQL ``tickets`` table is the one some ledger query shape reads (issue 21).

A command whose update is not HOT (a dispatch: its state and assignee move) adds an entry to every
ticket index whose condition the new row meets; an index no query reads is that cost for nothing.
So each index here is named by the plan of a shape the library issues (``uow.tickets.explain``, the
exact SQL of the ledger), on a table with statistics; the primary key serves a ticket's read by id.
An index added without a shape that reads it, or a shape change that leaves one unread, fails here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from test_query_plans import SHAPES

from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.testing.storage_contract import T0, ledger_tickets

DSN = os.environ.get("AFTERSALES_PG_DSN")
pytestmark = pytest.mark.postgres


def _fill(store: StoreFactory, count: int) -> None:
    """The plan tests' ledger with as many customers, dealers, regions and products as a desk has: the
    contract ledger's four customers and three regions are each a third of the table or more, which a
    planner rightly reads from the received index filtered, leaving the column's own index unread."""
    tickets = ledger_tickets(count)
    for n, ticket in enumerate(tickets):
        ticket.customer_id = f"C{n % 4000}"
        ticket.dealer_id = f"D{n % 200}" if n % 9 else None
        ticket.region = f"R{n % 40}"
        ticket.product_id = f"P{n % 300}"
        if n % 7 == 0:  # dispatched to a dealer, another than its own one time in two
            ticket.assignee = Assignee(AssigneeKind.DEALER, f"D{(n // 7) % 200}")
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()


# The ledger's other filters (region, the product and its batch: a recall's units, seed 001), beside
# the shapes the plan tests hold index-served.
MORE: dict[str, tuple[TicketFilter, Sort]] = {
    "region list": (TicketFilter(region="R1"), Sort.RECEIVED_DESC),
    "product list": (TicketFilter(product_id="P1"), Sort.RECEIVED_DESC),
    "product batch list": (TicketFilter(product_id="P1", batch="B1"), Sort.RECEIVED_DESC),
    "received this month": (
        TicketFilter(received_from=T0, received_to=T0 + timedelta(days=30)),
        Sort.RECEIVED_DESC,
    ),
}


@pytest.fixture(scope="module")
def pg_store() -> Iterator[StoreFactory]:
    if not DSN:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    from aftersales.adapters.postgres import open_postgres

    schema = f"idx_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in DSN else "?"
    store = open_postgres(f"{DSN}{sep}schema={schema}")
    try:
        _fill(store, 20_000)
        with store() as uow:
            uow.run("ANALYZE tickets")  # type: ignore[attr-defined]
            uow.commit()
        yield store
    finally:
        store.close()
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _plans(store: StoreFactory) -> dict[str, str]:
    with store() as uow:
        return {
            shape: " | ".join(uow.tickets.explain(f, PageRequest(50, None, sort)))  # type: ignore[attr-defined]
            for shape, (f, sort) in {**SHAPES, **MORE}.items()
        }


def _indexes(store: StoreFactory) -> set[str]:
    with store() as uow:
        rows = uow.run(  # type: ignore[attr-defined]
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'tickets'"
        ).fetchall()
    return {name for (name,) in rows}


def test_every_ticket_index_is_read_by_a_ledger_shape(pg_store: StoreFactory) -> None:
    plans = _plans(pg_store)
    unread = {
        name
        for name in _indexes(pg_store) - {"tickets_pkey"}
        if not any(f" {name} " in f" {plan} ".replace(" on ", " ") for plan in plans.values())
    }
    assert not unread, (unread, plans)


@pytest.mark.parametrize("shape", list(MORE))
def test_the_other_filters_are_index_ranges(pg_store: StoreFactory, shape: str) -> None:
    plan = _plans(pg_store)[shape]
    assert "Index" in plan and "Seq Scan" not in plan, plan
