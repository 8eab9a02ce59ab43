"""Session 21: a free issue taken back on a quote counts in the books' month, on memory, SQLite and
PostgreSQL.

A part lent free and then charged on the customer's quote gets a ``charged_on_quote`` movement that takes
the free issue's cost back in the month the quote's slip counts in (已收费的材料不计入盘点表). Every slip and
movement is dated in the books' zone (the desk's ``timezone``: ``MaterialsDesk._books_month``, the fee
desk) — but this one was dated in the materials parameters' zone, which a desk may set apart for its
shipping dates. With the books in Shanghai and the materials desk in London, a quote accepted at 05:00 on
1 April (Shanghai; 22:00 on 31 March in London) put the slip's income in April and took the cost back in
March: March showed no cost for a part given free that month, April a sale with its cost left standing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from test_seed002_money import FEES, IN_WARRANTY, SH, _free_part_received

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.invoicing_memory import MemoryInvoiceIssuer
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.fee_slips import MaterialsMovement, MovementKind
from aftersales.domain.money import Money
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from aftersales.service.materials_params import MaterialsParams
from conftest import STAFF, START, World, make_world, register

DSN = os.environ.get("AFTERSALES_PG_DSN")
CNY = "CNY"


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def london_materials(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    """The seed-002 money story's desk, its books in Shanghai and its materials desk in London."""
    clock = ManualClock(START)
    schema = None
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'money.db'}"
    else:
        if not DSN:
            pytest.skip("AFTERSALES_PG_DSN is not set")
        schema = f"q_{uuid.uuid4().hex[:16]}"
        url = f"{DSN}{'&' if '?' in DSN else '?'}schema={schema}"
    desk = ServiceDesk.open(
        url, pack="sanitary_ware", overrides={"fees": FEES}, clock=clock, notifier=MemoryNotifier(),
        staff=STAFF, invoice_issuer=MemoryInvoiceIssuer(),
        settings={"timezone": "Asia/Shanghai", "materials": MaterialsParams(timezone="Europe/London")},
    )  # fmt: skip
    world = make_world()
    register(desk, world)
    desk.register_asset(world.manager, IN_WARRANTY)
    try:
        yield desk, clock, world
    finally:
        desk.shutdown()
        if schema is not None:
            import psycopg

            with psycopg.connect(DSN or "", autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_the_cost_taken_back_counts_in_the_month_of_the_quote_s_slip(
    london_materials: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = london_materials
    ticket_id, _request_id = _free_part_received(desk, clock, world)  # lent free in March
    clock.set(datetime(2026, 4, 1, 5, 0, tzinfo=SH))  # 1 April in the books; 31 March in London
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual",
        action="reinstall",
    )  # fmt: skip
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    with desk.store() as uow:
        taken_back = [
            m for m in uow.documents.query(MaterialsMovement, ticket_id=ticket_id)
            if m.kind is MovementKind.CHARGED_ON_QUOTE
        ]  # fmt: skip
        march = month_money(uow.documents, "2026-03")
        april = month_money(uow.documents, "2026-04")
    assert [m.month for m in taken_back] == ["2026-04"]
    assert march.cost == Money("75.00", CNY)  # March's free issue stands
    assert april.income == Money("220.00", CNY) and april.cost == Money("-75.00", CNY)
