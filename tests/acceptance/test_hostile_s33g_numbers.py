"""Imported tickets numbered as the desk numbers them do not stop the desk taking calls (session 33 g).

A hostile round on the seams: a bulk import of tickets that carry the desk's own numbers (``SR-2026-000002``:
the export of another desk, a move from SQLite to PostgreSQL, a backlog re-imported) left the store's
number counter behind them. The next ``open_ticket`` drew a number already stored and was refused with a
``DuplicateError`` (on PostgreSQL in the driver's words), and every call after it as well: the counter
rolled back with the refused intake, so the desk could take no call at all. The import now moves each
year's counter past the highest number it stored (service/import_numbering). Memory, SQLite and
PostgreSQL alike, and across two desks on one store.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.ticket import Ticket
from aftersales.errors import DuplicateError
from conftest import START, two_desks, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
AGENT = ActorRef("agent-1", Role.AGENT)


def _old(ticket_id: str, at: datetime = START - timedelta(days=3)) -> Ticket:
    """A new call another system took, numbered ``ticket_id``."""
    return Ticket.open(
        id=TicketId(ticket_id),
        customer_id=CustomerId("cust-zh"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="旧系统工单：复印机卡纸",
        received_at=at,
        taken_by=AGENT,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_calls_after_an_import_of_the_desks_own_numbers_are_taken(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        first = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        assert first == "SR-2026-000001"
        report = desk.import_tickets(world.manager, [_old("SR-2026-000002"), _old("SR-2026-000003")])
        assert report.tickets == 2
        taken = [
            desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=f"来电 {n}").ticket.id
            for n in range(2)
        ]
        assert taken == ["SR-2026-000004", "SR-2026-000005"]
        assert desk.ticket(world.manager, "SR-2026-000002").description == "旧系统工单：复印机卡纸"


@pytest.mark.parametrize("backend", BACKENDS)
def test_only_the_desks_own_spelling_of_this_year_moves_its_numbers(backend: str, tmp_path: Path) -> None:
    imported = [
        _old("SR-2026-000007"),
        _old("SR-2025-000900", START - timedelta(days=200)),  # last year's: that year's counter
        _old("SR-2026-0000050"),  # seven digits from zero: never a number the desk writes
        _old("LEGACY-2026-000099"),
    ]
    with world_desk(backend, tmp_path) as (desk, _clock, world):  # no ticket numbered yet
        desk.import_tickets(world.manager, imported, batch_size=3)
        taken = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        assert taken == "SR-2026-000008"


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_import_never_moves_the_numbers_back(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        for n in range(3):
            desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=f"卡纸 {n}")
        desk.import_tickets(world.manager, [_old("SR-2026-000010")])
        with pytest.raises(DuplicateError):  # a number already stored stays refused, nothing written
            desk.import_tickets(world.manager, [_old("SR-2026-000002"), _old("SR-2026-000020")])
        desk.import_tickets(world.manager, [_old("SR-2026-000009")])
        taken = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        assert taken == "SR-2026-000011"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_one_desk_imports_the_other_takes_the_next_call(backend: str, tmp_path: Path) -> None:
    with two_desks(backend, tmp_path) as (first, second, world):
        assert first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id == (
            "SR-2026-000001"
        )
        second.import_tickets(world.manager, [_old(f"SR-2026-{n:06d}") for n in range(2, 6)])
        taken = first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        assert taken == "SR-2026-000006"
        again = second.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        assert again == "SR-2026-000007"


def test_the_numbers_read_are_the_desks_spelling_only() -> None:
    from aftersales.service.import_numbering import highest_numbers  # new this session

    ids = ["SR-2026-000002", "SR-2026-000010", "SR-2027-000001", "SR-2026-1000000", "SR-2026-01"]
    ids.append("sr-2026-000500")
    assert highest_numbers(ids) == {2026: 1_000_000, 2027: 1}
    assert highest_numbers(["SR-2026-0000050", "T-000001", "SR-２０２６-000003"]) == {}
