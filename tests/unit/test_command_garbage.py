"""Issue 21, session 7 (the garbage a command leaves): what the shortcuts keep true.

The desk's runner hands its ticket to the memory store after the save (no copy kept), so the stored
ticket, the stored text and the command's result must stay one and the same value however later
commands and callers change their own copies; a unit of work is freed when it ends, without waiting
for the garbage collector; a read-only unit of work refuses the hand-over like any save.
"""

from __future__ import annotations

import gc
import hashlib
import weakref
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.memory import MemoryStore
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.ticket import Ticket
from aftersales.errors import ReadOnlyError
from aftersales.ports.queries import CountField, PageRequest, TicketFilter
from aftersales.ports.ticket_index import ticket_row
from aftersales.serialization import decode_json, dumps, loads
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.notify import outbox_id

from .factories import AGENT as AGENT_REF
from .factories import at, new_ticket

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture
def desk() -> Iterator[ServiceDesk]:
    with ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(START)) as desk:
        dealer = Dealer(
            DealerId("d1"), "浦东特约", "SH", frozenset({"SH"}), Contact("陈店长", phone="13900000001")
        )
        desk.register_dealer(MANAGER, dealer)
        contact = Contact("王女士", phone="13900000002")
        desk.register_customer(MANAGER, Customer(CustomerId("c1"), "王女士", contact, region="SH"))
        yield desk


def _stored(desk: ServiceDesk, ticket_id: str) -> Ticket:
    record = desk.store._data[("tickets", ticket_id)]  # type: ignore[attr-defined]
    ticket = loads(record.text, Ticket)
    ticket.version = record.version
    return ticket


def test_a_result_keeps_the_state_its_command_left_after_later_commands(desk: ServiceDesk) -> None:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    triaged = desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    seen = dumps(triaged.ticket.to_dict())
    assert dumps(loads(dumps(_stored(desk, tid)), Ticket)) == dumps(_stored(desk, tid))
    dispatched = desk.dispatch(AGENT, tid, dealer_id="d1")
    desk.note_to_customer(AGENT, tid, text="工程师已出发")
    # The first result still shows the ticket as triage left it; the store moved on.
    assert dumps(triaged.ticket.to_dict()) == seen
    assert triaged.ticket.version == 1 and len(triaged.ticket.events) == 2
    assert dispatched.ticket.version == 2 and dispatched.ticket.assignee is not None
    stored = _stored(desk, tid)
    assert stored.version == 3 and [e.action for e in stored.events][-1] == "note_to_customer"


def test_a_read_after_a_command_equals_the_stored_text_and_its_changes_do_not_leak(desk: ServiceDesk) -> None:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    result = desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    with desk.store() as uow:
        read = uow.tickets.get(tid)
    assert dumps(read) == dumps(_stored(desk, tid))
    read.state = "closed"
    read.events.append(read.events[-1])
    with desk.store() as uow:
        again = uow.tickets.get(tid)
    assert again.state == result.ticket.state != "closed"
    assert len(again.events) == len(result.ticket.events) == 2


def test_save_and_release_keeps_the_ticket_and_writes_what_save_writes() -> None:
    released, copied = MemoryStore(), MemoryStore()
    for store in (released, copied):
        with store() as uow:
            uow.tickets.add(new_ticket("T-1"))
            uow.commit()
    with released() as uow:
        mine = uow.tickets.get("T-1")
        mine.step("triage", AGENT_REF, at(2, 10))
        uow.tickets.save_and_release(mine)
        uow.commit()
    with copied() as uow:
        theirs = uow.tickets.get("T-1")
        theirs.step("triage", AGENT_REF, at(2, 10))
        uow.tickets.save(theirs)
        uow.commit()
    assert released._data[("tickets", "T-1")].text == copied._data[("tickets", "T-1")].text
    assert mine.version == theirs.version == 1
    with released() as uow:
        read = uow.tickets.get("T-1")
    assert read is not mine and read.events is not mine.events and dumps(read) == dumps(mine)


def test_a_read_only_unit_of_work_refuses_the_hand_over() -> None:
    store = MemoryStore()
    with store() as uow:
        uow.tickets.add(new_ticket("T-1"))
        uow.commit()
    with store.reader() as read:
        ticket = read.tickets.get("T-1")
        with pytest.raises(ReadOnlyError):
            read.tickets.save_and_release(ticket)  # type: ignore[attr-defined]
    with store() as uow:
        assert uow.tickets.get("T-1").version == 0


def test_a_unit_of_work_is_freed_when_it_ends_without_the_garbage_collector() -> None:
    store = MemoryStore()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with store() as uow:
            uow.tickets.add(new_ticket("T-1"))
            uow.outbox.pending()
            uow.customers.find(["c1"])
            uow.commit()
        gone = weakref.ref(uow)
        del uow
        assert gone() is None  # no cycle left through its repositories
    finally:
        if was_enabled:
            gc.enable()


def test_a_repository_used_after_its_unit_of_work_ended_still_works() -> None:
    store = MemoryStore()
    with store() as uow:
        tickets = uow.tickets
        tickets.add(new_ticket("T-1"))
        uow.commit()
    with store() as other:
        assert other.tickets.get("T-1").id == "T-1"
    assert tickets.get("T-1").id == "T-1"  # the repository kept its unit of work
    assert uow.tickets.get("T-1").id == "T-1"  # made again on first use


def test_the_stored_text_equals_a_fresh_serialisation_after_many_commands(desk: ServiceDesk) -> None:
    # Each event is serialised once, at the save that added it, and its text appended: after many
    # commands the stored text is still exactly what serialising the whole ticket afresh gives.
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(AGENT, tid, dealer_id="d1")
    for text in ("工程师已出发", "工程师已到达", "配件已订"):
        desk.note_to_customer(AGENT, tid, text=text)
    record = desk.store._data[("tickets", tid)]  # type: ignore[attr-defined]
    with desk.store() as uow:
        fresh = uow.tickets.get(tid)
    assert record.events is not None and record.events.count == len(fresh.events) == 6
    assert record.text == dumps(fresh)
    assert decode_json(record.events.array) == decode_json(record.text)["events"]


def test_a_notification_key_names_its_recipient_by_the_digest_of_the_address_it_goes_to(
    desk: ServiceDesk,
) -> None:
    # The digest is remembered with the contact's address: the key must still be the one of this
    # message's own channel and address, command after command.
    keys = []
    for n in range(2):
        tid = desk.open_ticket(AGENT, customer_id="c1", description=f"马桶漏水{n}").ticket.id
        desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(AGENT, tid, dealer_id="d1")
        with desk.store() as uow:
            sent = [m for m in uow.outbox.pending(1000) if m.idempotency_key.startswith(f"{tid}:2:assigned:")]
        assert len(sent) == 1
        message = sent[0]
        reach = f"{message.payload['channel']}:{message.payload['recipient']}"
        digest = hashlib.blake2b(reach.encode(), digest_size=16).hexdigest()[:16]
        assert message.idempotency_key == f"{tid}:2:assigned:dealer_staff:{digest}"
        made = desk.context.notifications.outbox_ids  # the ids this desk made lately
        assert message.id == outbox_id(message.idempotency_key, message.created_at, made)
        keys.append(message.idempotency_key)
    assert keys[0].rsplit(":", 1)[1] == keys[1].rsplit(":", 1)[1]


def test_a_ticket_row_is_made_when_first_queried_and_matches_the_ticket_saved(desk: ServiceDesk) -> None:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    record = desk.store._data[("tickets", tid)]  # type: ignore[attr-defined]
    assert record.row is None  # a save makes no row
    with desk.store() as uow:
        assert uow.tickets.count(TicketFilter(states=("triaged",))) == 1
        [row] = uow.tickets.query_rows(TicketFilter(), PageRequest()).items
    assert row is record.row and row == ticket_row(_stored(desk, tid))
    desk.dispatch(AGENT, tid, dealer_id="d1")
    with desk.store() as uow:  # the next save's row shows the dispatch
        assert uow.tickets.count(TicketFilter(states=("triaged",))) == 0
        assert uow.tickets.count_by(CountField.ASSIGNEE_ID, TicketFilter()) == {"d1": 1}
        assert uow.tickets.open_loads(["d1"], ["assigned"]) == {"d1": 1}
