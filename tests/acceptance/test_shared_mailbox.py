"""A mailbox shared by two contacts (售后部 service@…) gets one message, and the command goes through.

A message's id derives from its key, its audience and its address, so two contacts of one department
who share an address produced the same message twice in one command, and the outbox refused the second
with ``DuplicateError``: bringing that department into a ticket failed on every store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.contact import Contact
from aftersales.domain.departments import Department
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

WORLD = make_world()


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_two_contacts_sharing_a_mailbox_get_one_message(backend: str, tmp_path: Path) -> None:
    with store_url(backend, tmp_path) as url:
        notifier = MemoryNotifier()
        desk = ServiceDesk.open(
            url, pack="sanitary_ware", clock=ManualClock(START), staff=STAFF, notifier=notifier
        )
        try:
            register(desk, WORLD)
            shared = (Contact("王工", email="eng@venus.example"), Contact("李工", email="eng@venus.example"))
            desk.coordination.save_department(WORLD.manager, Department("eng", "工程部", contacts=shared))
            ticket = desk.open_ticket(WORLD.agent, customer_id="cust-zh", description="马桶漏水").ticket.id
            result = desk.coordination.assign_departments(WORLD.manager, ticket, ["eng"], note="请协助")
            assert result.ticket.events[-1].action == "assign_departments"
            desk.deliver()
            assert len(notifier.to("eng@venus.example")) == 1
        finally:
            desk.shutdown()
