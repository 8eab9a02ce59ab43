"""An erased customer's id registered again (PIPL art. 47, art. 73; session 24).

The erasure keeps the person's tickets, complaints and slips under their id, pseudonymised, so the
ledger and the KPIs stand. ``register_customer`` took a name and phone under that id again: the search
for the new phone or name found the erased tickets and the new registrant's own export held them — the
history linked to a person again, which is what erasure (删除) takes away. Now the erased id is not
registered again (``ErasedIdReused``, a ``CustomerErased`` naming ``customer.id``; nothing written); a
person who comes back is registered under a new id, a fresh record that reads nothing of the erased
history, even with the very contact they had. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hostile import AGENT, MANAGER, NAME, PHONE, STORES, Opened, opened, seed
from test_privacy import OFFICER

from aftersales import Actor, Contact, Customer, CustomerErased, CustomerId, CustomerTier, ErasedIdReused
from aftersales.i18n.errors import render_error

NEW_PHONE = "13700001234"


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _erased(store: Opened) -> str:
    tid = seed(store.desk, store.clock)
    store.desk.privacy.erase_customer(OFFICER, "c-1", "the customer asked", cancel_open_tickets=True)
    store.clock.advance(timedelta(minutes=5))
    return tid


def _person(customer_id: str, name: str, phone: str) -> Customer:
    return Customer(
        CustomerId(customer_id), name, Contact(name, phone=phone), CustomerTier.REGULAR, region="SH",
        dealer_id="d-sh",
    )  # fmt: skip


def _found(store: Opened, query: str) -> list[str]:
    return [str(v.id) for v in store.desk.search(MANAGER, query).items]


def test_the_erased_id_is_not_registered_again(store: Opened) -> None:
    _erased(store)
    before = store.snapshot()
    for person in (_person("c-1", "王五", NEW_PHONE), _person("c-1", NAME, PHONE)):
        with pytest.raises(ErasedIdReused) as refused:
            store.desk.register_customer(MANAGER, person)
        assert isinstance(refused.value, CustomerErased)
        assert (refused.value.field, refused.value.customer_id) == ("customer.id", "c-1")
    assert store.snapshot() == before
    assert _found(store, NEW_PHONE) == [] and _found(store, "王五") == []
    for locale in ("zh_Hans", "zh_Hant", "en"):
        words = render_error(refused.value, locale)
        assert "c-1" in words and "erased_id_reused" not in words, locale


def test_the_erased_record_given_back_as_it_is_changes_nothing(store: Opened) -> None:
    _erased(store)
    with store.desk.store() as uow:
        erased = uow.customers.get("c-1")
    before = store.snapshot()
    store.desk.register_customer(MANAGER, erased)
    assert store.snapshot() == before


def test_a_person_who_comes_back_is_a_fresh_record_even_with_their_old_contact(store: Opened) -> None:
    old = _erased(store)
    store.desk.register_customer(MANAGER, _person("c-1b", NAME, PHONE))
    new = store.desk.open_ticket(AGENT, customer_id="c-1b", description="马桶又漏水").ticket.id
    for query in (PHONE, NAME):
        assert _found(store, query) == [new], query
    own = json.loads(store.desk.privacy.export_customer(Actor.customer("c-1b"), "c-1b"))["data"]
    assert [t["id"] for t in own["tickets"]] == [new]
    assert old not in json.dumps(own)
