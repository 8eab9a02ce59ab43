"""An imported ticket that carries the due times its pack derives is stored settled: its first command
moves none of its ledger columns (issue 21, session 35).

Notes on a 100k-ticket benchmark file cost twice as much CPU on a ticket's first command as on a later
one. The file was written by ``add_many`` with hand-set due times (not the pack's) and no search rows, so
every first command re-derived the dues (three ledger indexes, the reporting row, the sweep table, the
calendar stamp read) and inserted the search row. Tickets written the way users write them (opened
through a desk, then moved by ``desk.import_tickets``) carry the pack's dues and their search rows: the
first command finds nothing to settle. Held here on the three stores: after the import, a note leaves
every ledger column but the version as the import stored it, and the ticket's due times and late-after
instants as the import stored them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.domain.ticket import Ticket
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.serialization import structure, unstructure
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, store_url

AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


def _desk(url: str, clock: ManualClock) -> ServiceDesk:
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=clock)
    for n in range(2):
        contact = Contact(f"客户{n}", phone=f"1390000000{n}")
        desk.register_customer(MANAGER, Customer(CustomerId(f"c{n}"), f"客户{n}", contact, region="SH"))
    return desk


def _worked_tickets(clock: ManualClock) -> list[Ticket]:
    """Three tickets as a desk leaves them: one just opened, one triaged urgent (its priority changed, so
    its dues are re-counted from the change), one opened on a Friday evening (its clocks run over the
    weekend's days off)."""
    desk = _desk("memory://", clock)
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    ids = [desk.open_ticket(AGENT, customer_id="c0", description="马桶漏水").ticket.id]
    clock.advance(timedelta(minutes=5))
    ids.append(desk.open_ticket(AGENT, customer_id="c1", description="花洒不出水").ticket.id)
    clock.advance(timedelta(minutes=20))
    critical = {"priority": Priority.CRITICAL, "priority_reason": "整屋漏水"}
    desk.triage(AGENT, ids[1], nature="leak", severity=Severity.HIGH, plan=Plan.ON_SITE, **critical)
    clock.set(datetime(2026, 3, 6, 17, 50, tzinfo=SHANGHAI))
    ids.append(desk.open_ticket(AGENT, customer_id="c0", description="龙头滴水").ticket.id)
    with desk.store() as uow:
        # Copies through the stored form: the import takes them as another system's export would give them.
        tickets = [structure(unstructure(uow.tickets.get(id)), Ticket) for id in ids]
    desk.shutdown()
    return tickets


def _rows(desk: ServiceDesk) -> dict[str, dict[str, object]]:
    with desk.store() as uow:
        page = uow.tickets.query_rows(TicketFilter(), PageRequest(limit=10))
    return {row.id: {k: v for k, v in attrs.asdict(row).items() if k != "version"} for row in page.items}


def _dues(desk: ServiceDesk, id: str) -> tuple[object, ...]:
    with desk.store() as uow:
        t = uow.tickets.get(id)
    return t.response_due_at, t.resolution_due_at, t.response_late_after, t.resolution_late_after


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_ticket_imported_with_its_packs_dues_is_settled_for_its_first_command(
    backend: str, tmp_path: Path
) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI))
    tickets = _worked_tickets(clock)
    assert all(t.response_due_at and t.resolution_due_at for t in tickets)  # the pack's, set at intake
    clock.advance(timedelta(hours=1))
    with store_url(backend, tmp_path) as url, _desk(url, clock) as desk:
        desk.import_tickets(MANAGER, tickets)
        imported = _rows(desk)
        dues = {t.id: _dues(desk, t.id) for t in tickets}
        assert dues == {
            t.id: (t.response_due_at, t.resolution_due_at, t.response_late_after, t.resolution_late_after)
            for t in tickets
        }
        for ticket in tickets:
            clock.advance(timedelta(minutes=1))
            desk.note_to_customer(AGENT, ticket.id, text="工程师已出发")
            assert _dues(desk, ticket.id) == dues[ticket.id]
        assert _rows(desk) == imported
