"""Work opened for a customer whose personal data was erased (PIPL art. 47; seeds 000/003 回访).

A new ticket was taken on the erased record: a customer without name, phone or address. No engineer
could be sent, no callback made (the ticket's close waited for one, or for failed "attempts" nobody
could make), no notice reached anyone, and its SLA clocks ran on and announced breaches under
"[erased]" — the very reasons the erasure cancels and closes the person's work. An import naming the
record brought another system's copy of their erased tickets back. Now every path that opens work for
the record — the desk's intake, a complaint, an import — refuses with ``CustomerErased`` (a
``ValidationError`` naming ``customer_id``) and writes nothing; survey sampling and maintenance
generation already leave the record out. A person who calls again is registered under a new id (the
erased id is not registered again: test_privacy_erased_id_s24); their work is taken as anyone's.
Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hostile import AGENT, MANAGER, NAME, NOW, PHONE, STORES, Opened, opened, seed

from aftersales import Actor, Contact, Customer, CustomerErased, CustomerId, CustomerTier, ValidationError
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import TicketId
from aftersales.domain.ticket import Ticket
from aftersales.i18n.errors import render_error

OFFICER = Actor.privacy_officer("dpo-1")


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _erased(store: Opened) -> None:
    seed(store.desk, store.clock)
    store.desk.privacy.erase_customer(OFFICER, "c-1", "the customer asked", cancel_open_tickets=True)
    store.clock.advance(timedelta(minutes=5))


def _imported() -> Ticket:
    return Ticket.open(
        id=TicketId("OLD-1"), customer_id=CustomerId("c-1"), channel=Channel.PHONE, category=Category.REPAIR,
        description=f"旧系统工单：{NAME} {PHONE}", received_at=NOW,
        taken_by=ActorRef("agent-1", Role.AGENT),
    )  # fmt: skip


def test_no_work_is_opened_on_an_erased_record_by_any_path(store: Opened) -> None:
    _erased(store)
    desk = store.desk
    before = store.snapshot()
    attempts = {
        "open_ticket": lambda: desk.open_ticket(AGENT, customer_id="c-1", description="马桶又漏水"),
        "the customer's own": lambda: desk.open_ticket(
            Actor.customer("c-1"), customer_id="c-1", description="马桶又漏水"
        ),
        "open_complaint": lambda: desk.complaints.open_complaint(AGENT, "c-1", "上次没修好"),
        "import_tickets": lambda: desk.import_tickets(MANAGER, [_imported()]),
    }
    for path, attempt in attempts.items():
        with pytest.raises(CustomerErased) as refused:
            attempt()
        assert isinstance(refused.value, ValidationError), path
        assert (refused.value.field, refused.value.customer_id) == ("customer_id", "c-1"), path
    assert store.snapshot() == before
    assert "c-1" in render_error(refused.value, "zh_Hans") and "customer_erased" not in render_error(
        refused.value, "en"
    )


def test_once_registered_again_under_a_new_id_their_call_is_taken(store: Opened) -> None:
    _erased(store)
    desk = store.desk
    # Under a new id (session 24: the erased id is not registered again, ErasedIdReused).
    desk.register_customer(
        MANAGER,
        Customer(CustomerId("c-1b"), "欧阳", Contact("欧阳", phone="13700001234"), CustomerTier.REGULAR,
                 region="SH", dealer_id="d-sh"),
    )  # fmt: skip
    opened_again = desk.open_ticket(AGENT, customer_id="c-1b", description="马桶又漏水").ticket
    assert opened_again.customer_id == "c-1b" and opened_again.state == "new"
    # The earlier erasure still stands for the old data; the new data is erased on request.
    again = desk.privacy.erase_customer(OFFICER, "c-1b", "asked again", cancel_open_tickets=True)
    assert again.cancelled == 1
