# mypy: disable-error-code="arg-type"
"""A customer's erasure racing a call taken for that customer on another desk (session 31, g).

PIPL: an erased person has no contact left to serve them by, and a call for them is refused
(``CustomerErased``) until they are registered again; an erasure cancels (``cancel_open_tickets``) the
tickets still being worked and removes their strings from every message. Raced on one store
(:func:`two_desk_races.race`), both transactions read before either commits: the outcome must be one of
the two run one after the other — the call first (its ticket then cancelled and erased with the rest,
its messages scrubbed) or the erasure first (the call refused) — never a new, open ticket of the erased
person with their phone number in a message waiting to be sent.

On PostgreSQL the intake read the customer without a lock (read committed): it read the record as it
was before the erasure, which committed while the intake waited at its commit, and the intake then
wrote a ticket (state ``new``, the caller's description) and a "we received your request" SMS to the
erased phone number.

A bulk import (another system's copy of the customer's ticket) is refused for an erased customer as a
call is (``CustomerErased``): raced with the erasure on PostgreSQL it read the customer before the erasure
committed and stored the copy, the caller's phone number in its description, after it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from two_desk_races import race

from aftersales.domain.classification import Category, Channel
from aftersales.domain.erasure import ERASED
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.ticket import Ticket
from aftersales.errors import CustomerErased
from aftersales.ports.queries import PageRequest, TicketFilter
from conftest import START, two_desks

PHONE = "13912345678"
"""The erased customer's phone number (``cust-zh`` of the acceptance world)."""


@pytest.mark.parametrize("intake_first", [False, True])
@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_call_taken_while_its_customer_is_erased_is_refused_or_erased_with_them(
    backend: str, tmp_path: Path, intake_first: bool
) -> None:
    with two_desks(backend, tmp_path) as (first, second, world):

        def erase(desk: object) -> object:
            return desk.privacy.erase_customer(world.manager, "cust-zh", "本人要求", cancel_open_tickets=True)

        def call(desk: object) -> object:
            return desk.open_ticket(
                world.agent, customer_id="cust-zh", description=f"马桶漏水, 回电 {PHONE}", asset_id="asset-1"
            )

        calls = (call, erase) if intake_first else (erase, call)
        told = race(first, second, *calls)
        taken, erased = told if intake_first else told[::-1]
        assert erased.ok, erased.error
        assert taken.ok or isinstance(taken.error, CustomerErased), taken.error

        with first.store() as uow:
            tickets = uow.tickets.query(TicketFilter(customer_id="cust-zh"), PageRequest(limit=50)).items
            pending = uow.outbox.pending(500)
        if taken.ok:  # the call went first: cancelled by the erasure and erased with the rest
            assert [t.id for t in tickets] == [taken.value.ticket.id]
            assert tickets[0].state == "cancelled"
            assert PHONE not in tickets[0].description
        else:
            assert tickets == []
        assert not [m for m in pending if PHONE in repr(m.payload)]
        with first.store() as uow:
            assert uow.customers.get("cust-zh").name == ERASED


@pytest.mark.parametrize("import_first", [False, True])
@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_ticket_imported_while_its_customer_is_erased_is_refused_or_erased_with_them(
    backend: str, tmp_path: Path, import_first: bool
) -> None:
    with two_desks(backend, tmp_path) as (first, second, world):
        copy = Ticket.open(
            id=TicketId("IMP-1"), customer_id=CustomerId("cust-zh"), channel=Channel.PHONE,
            category=Category.REPAIR, description=f"旧系统工单, 回电 {PHONE}",
            received_at=START - timedelta(days=30), taken_by=world.agent.ref, region="SH",
        )  # fmt: skip

        def erase(desk: object) -> object:
            return desk.privacy.erase_customer(world.manager, "cust-zh", "本人要求", cancel_open_tickets=True)

        def load(desk: object) -> object:
            return desk.import_tickets(world.manager, [copy])

        told = race(first, second, *((load, erase) if import_first else (erase, load)))
        loaded, erased = told if import_first else told[::-1]
        assert erased.ok, erased.error
        assert loaded.ok or isinstance(loaded.error, CustomerErased), loaded.error
        with first.store() as uow:
            tickets = uow.tickets.query(TicketFilter(customer_id="cust-zh"), PageRequest(limit=50)).items
        if loaded.ok:  # imported first: cancelled by the erasure and erased with the rest
            assert [(t.id, t.state) for t in tickets] == [("IMP-1", "cancelled")]
            assert PHONE not in tickets[0].description
        else:
            assert tickets == []
