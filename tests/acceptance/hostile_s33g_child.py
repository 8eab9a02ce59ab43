"""The second process of the s33g erasure test: its own desk on the shared store, answering one command a
line on stdin with one JSON line on stdout (run as ``python hostile_s33g_child.py URL``).

A separate process, not a second desk in the test's process: an erasure reaches the memos of every desk of
its own process directly (``forget_erased_everywhere``); another process's memos only by checking against
the store, which is what this child exercises.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aftersales import Actor, ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer

AGENT = Actor.agent("agent-1", "客服小李")
MANAGER = Actor.manager("mgr-1", "王经理")
CUSTOMER = Actor.customer(CustomerId("cust-zh"))


def commands(desk: ServiceDesk) -> dict[str, Callable[[str], object]]:
    """What the test may ask, each taking one text argument."""

    def archive(customer_id: str) -> object:
        found = desk.archives.customer_archive(MANAGER, customer_id)
        return [found.customer.name, found.customer.contact.phone, [t.description for t in found.tickets]]

    def view(ticket_id: str) -> object:
        seen = desk.ticket(MANAGER, ticket_id)
        return [seen.state, seen.description, [n.text for n in seen.notes]]

    return {
        "search": lambda words: [t.id for t in desk.search(AGENT, words).items],
        "ticket": view,
        "customer_view": lambda ticket_id: desk.ticket(CUSTOMER, ticket_id).description,
        "progress": lambda ticket_id: list(desk.progress(CUSTOMER, ticket_id).notes),
        "archive": archive,
        "ledger": lambda _: [t.description for t in desk.ledger(MANAGER).items],
        "export": lambda _: desk.export_ledger(MANAGER),
        "open": lambda customer_id: (
            desk.open_ticket(AGENT, customer_id=customer_id, description="再次报修").ticket.id
        ),
        "register": lambda customer_id: desk.register_customer(
            MANAGER,
            Customer(CustomerId(customer_id), "张伟", Contact("张伟", phone="13912345678"), region="SH"),
        ),
    }


def main(url: str) -> None:
    """Answer the lines of stdin until it closes: the result, or ``ERR <type>`` for a refusal."""
    clock = ManualClock(datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    with ServiceDesk.open(url, pack="office_equipment", clock=clock) as desk:
        known = commands(desk)
        for line in sys.stdin:
            name, _, argument = line.strip().partition(" ")
            try:
                answer: object = known[name](argument)
            except Exception as exc:  # the refusal's type is the answer
                answer = f"ERR {type(exc).__name__}"
            print(json.dumps(answer, ensure_ascii=False, default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
