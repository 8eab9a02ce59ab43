"""Erasing a customer whose id is one of their own strings (a host keying customers by phone number).

The erasure replaced each of the person's strings everywhere, ids included: for a customer registered
under their phone number (来电号码即客户编号) it rewrote the id of their master-data history to
``customer:[erased]:1`` and failed with ``NotFound`` on saving it — such a customer could not be erased
at all — and, had it got further, their tickets' ``customer_id`` would have read ``[erased]``, cut from
the customer and the ledger. Identifier fields (``id``, ``*_id``, ``*_ids``) are now kept as every other
id is; the person's name, contact and free text go as before. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import AGENT, MANAGER, NAME, STORES, Opened, opened

from aftersales import Actor, Contact, Customer, CustomerId, CustomerTier
from aftersales.domain.erasure import ERASED, scrub

PHONE_ID = "13955556666"
OFFICER = Actor.privacy_officer("dpo-1")


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def test_a_customer_keyed_by_their_phone_number_is_erased(store: Opened) -> None:
    desk = store.desk
    desk.register_customer(
        MANAGER,
        Customer(
            CustomerId(PHONE_ID), NAME, Contact(NAME, phone=PHONE_ID), CustomerTier.REGULAR, region="SH"
        ),
    )
    ticket = desk.open_ticket(AGENT, customer_id=PHONE_ID, description=f"{NAME} 来电：马桶漏水").ticket

    record = desk.privacy.erase_customer(OFFICER, PHONE_ID, "the customer asked", cancel_open_tickets=True)

    assert (record.customer_id, record.tickets, record.cancelled) == (PHONE_ID, 1, 1)
    after = desk.ticket(MANAGER, ticket.id)
    assert after.customer_id == PHONE_ID and after.description == ERASED and after.state == "cancelled"
    assert [c.after["name"] for c in desk.master_data_history(MANAGER, "customer", PHONE_ID)] == [ERASED]
    assert NAME not in store.raw_text()
    assert [v.id for v in desk.ledger(MANAGER).items] == [ticket.id]


def test_scrub_keeps_identifier_fields() -> None:
    data = {"id": "c:138", "customer_id": "138", "ticket_ids": ["T-138"], "name": "138", "note": "call 138"}
    assert scrub(data, ("138",), blank_free_text=True) == {
        "id": "c:138", "customer_id": "138", "ticket_ids": ["T-138"], "name": ERASED, "note": ERASED,
    }  # fmt: skip
