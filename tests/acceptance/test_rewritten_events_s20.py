# mypy: disable-error-code="arg-type"
"""A ticket whose events are rewritten is stored as rewritten, however often it was saved before in the
same transaction (session 20), on memory, SQLite and PostgreSQL.

The stores write only a ticket's new events, reusing the text of those already stored, known from the
load or the last save in the transaction by their count and last sequence number. Events are otherwise
append-only, but an erasure rewrites them (the person's strings blanked): saved a second time in one
transaction (a cancellation saved it first), SQLite and PostgreSQL kept the earlier text — the unerased
events — while the memory store kept the rewritten ones. A save of another ticket object than the one
the store handed out or last saved now writes all its events again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import CustomerNote
from aftersales.serialization import structure, unstructure
from aftersales.service.desk import ServiceDesk
from conftest import World, two_desks


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ServiceDesk, World]]:
    """Two desks on one store: the second reads what the first stored, not the first's kept tickets."""
    with two_desks(request.param, tmp_path) as found:
        yield found


def _rewritten(ticket: Ticket, text: str) -> Ticket:
    """``ticket`` as a new object whose every step's reason reads ``text`` (as an erasure rebuilds it)."""
    data = unstructure(ticket)
    for event in data["events"]:
        event["reason"] = text
    copy: Ticket = structure(data, Ticket)
    copy.version = ticket.version
    return copy


def test_events_rewritten_after_a_save_in_the_same_transaction_are_stored(
    desks: tuple[ServiceDesk, ServiceDesk, World],
) -> None:
    d, other, world = desks
    tid = d.open_ticket(world.agent, customer_id="cust-zh", description="马桶漏水").ticket.id
    d.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, note="张伟家中")
    with d.store() as uow:
        ticket = uow.tickets.get_for_update(tid)
        ticket.note_to_customer(world.agent.ref, ticket.events[-1].at, CustomerNote("工程师明天上门"))
        uow.tickets.save(ticket)
        uow.tickets.save(_rewritten(ticket, "[erased]"))
        uow.commit()
    with other.store() as uow:
        stored = uow.tickets.get(tid)
    assert {e.reason for e in stored.events} == {"[erased]"}


def test_a_rewritten_ticket_saved_once_after_its_load_is_stored(
    desks: tuple[ServiceDesk, ServiceDesk, World],
) -> None:
    d, other, world = desks
    tid = d.open_ticket(world.agent, customer_id="cust-zh", description="马桶漏水").ticket.id
    d.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, note="张伟家中")
    with d.store() as uow:
        uow.tickets.save(_rewritten(uow.tickets.get_for_update(tid), "[erased]"))
        uow.commit()
    with other.store() as uow:
        assert {e.reason for e in uow.tickets.get(tid).events} == {"[erased]"}
