"""PIPL erasure (个人信息保护法) at its seams, on the three stores.

- A repeated erasure (a retry, a double submission, in the same instant or later) that finds nothing of
  the person left is refused with ``AlreadyErased`` naming the earlier record: no second record, no
  second event, nothing changed. New data of the customer held since is erased again, with its own
  record, even in the same instant.
- Once erased, the person's name, phone, e-mail, address and the text they or staff typed about them are
  in no in-process memo of the process that erased them: parsed records, kept tickets, search words,
  phone readings, triage notes, notification addresses, SLA logs. Checked by walking everything the desk
  and the library's modules hold.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import types
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category, Channel, Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.errors import AlreadyErased, DuplicateError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.privacy import ERASED_TOPIC
from conftest import STAFF, START, World, make_world, register, store_url, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
DPO = Actor.privacy_officer("dpo-1")

# Strings no other test uses, so whatever holds them after the erasure is this test's leftover.
NAME = "欧阳澜汐"
PHONE = "13766554321"
EMAIL = "ouyang.lanxi.s15@example.cn"
ADDRESS = "杭州市西湖区文三路 715 号"
NEEDLES = (NAME, PHONE, EMAIL, ADDRESS, "文三路")


@pytest.fixture(params=BACKENDS)
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(request.param, tmp_path) as found:
        yield found


def _register_person(desk: ServiceDesk, world: World) -> str:
    customer = Customer(
        CustomerId("cust-s15"),
        NAME,
        Contact(NAME, phone=PHONE, email=EMAIL, address=ADDRESS, locale="zh_Hans", timezone="Asia/Shanghai"),
        CustomerTier.REGULAR,
        region="SH",
        dealer_id=world.dealer_sh.id,
    )
    desk.register_customer(world.manager, customer)
    return customer.id


def _worked_ticket(desk: ServiceDesk, world: World, customer_id: str) -> str:
    """A ticket whose text quotes the person everywhere staff type: description, triage note, notes."""
    ticket_id = desk.open_ticket(
        world.agent, customer_id=customer_id, description=f"{NAME}来电 {PHONE}：打印机卡纸，地址{ADDRESS}"
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="paper_jam", severity=Severity.LOW, plan=Plan.ON_SITE,
        note=f"联系{NAME} {PHONE}",
    )  # fmt: skip
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id)
    later = START + timedelta(hours=3)
    desk.contact_customer(world.agent, ticket_id, note=f"已致电{NAME}", expected_at=later)
    desk.start_work(world.junior, ticket_id)
    desk.note_to_customer(world.junior, ticket_id, text=f"{NAME}您好，明天上门")
    # Reads that fill the read-side memos: the ticket, the ledger, search by name and by phone, the SLA.
    desk.ticket(world.agent, ticket_id)
    desk.ledger(world.agent)
    assert [v.id for v in desk.search(world.agent, NAME).items] == [ticket_id]
    assert [v.id for v in desk.search(world.agent, PHONE).items] == [ticket_id]
    desk.sla(world.agent, ticket_id)
    desk.progress(world.agent, ticket_id)
    return ticket_id


# -- 4. a repeated erasure -----------------------------------------------------------------------------


def test_erasing_twice_in_one_instant_is_refused_as_already_erased_and_changes_nothing(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    customer_id = _register_person(desk, world)
    ticket_id = _worked_ticket(desk, world, customer_id)
    first = desk.privacy.erase_customer(DPO, customer_id, "the customer asked", cancel_open_tickets=True)
    ticket_before = desk.ticket(world.manager, ticket_id)
    with pytest.raises(AlreadyErased) as again:
        desk.privacy.erase_customer(DPO, customer_id, "the customer asked", cancel_open_tickets=True)
    assert isinstance(again.value, DuplicateError)
    assert (again.value.customer_id, again.value.record_id) == (customer_id, first.id)
    assert desk.privacy.erasures(DPO, customer_id) == [first]
    assert desk.ticket(world.manager, ticket_id).version == ticket_before.version
    with desk.context.store() as uow:
        erased_events = [m for m in uow.outbox.pending(10_000) if m.topic == ERASED_TOPIC]
    assert len(erased_events) == 1


def test_erasing_again_later_with_nothing_new_is_refused_too(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    customer_id = _register_person(desk, world)
    _worked_ticket(desk, world, customer_id)
    first = desk.privacy.erase_customer(DPO, customer_id, "the customer asked", cancel_open_tickets=True)
    clock.advance(timedelta(days=1))
    with pytest.raises(AlreadyErased):
        desk.privacy.erase_customer(DPO, customer_id, "asked again", cancel_open_tickets=True)
    assert desk.privacy.erasures(DPO, customer_id) == [first]


def test_data_held_since_an_erasure_is_erased_again_with_a_record_of_its_own(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    customer_id = _register_person(desk, world)
    first = desk.privacy.erase_customer(DPO, customer_id, "the customer asked", cancel_open_tickets=True)
    # In the same instant, a call quoting their number is stored under the erased id. The desk takes
    # no work on an erased record (CustomerErased) nor registers its id again (ErasedIdReused, session
    # 24): the ticket is written as an older release, which did, left it in the store.
    late = TicketId("LATE-1")
    stored = Ticket.open(
        id=late, customer_id=CustomerId(customer_id), channel=Channel.PHONE, category=Category.REPAIR,
        description=f"回拨 {PHONE}", received_at=START, taken_by=world.agent.ref,
    )  # fmt: skip
    with desk.store() as uow:
        uow.tickets.add(stored)
        uow.commit()
    second = desk.privacy.erase_customer(DPO, customer_id, "the new ticket too", cancel_open_tickets=True)
    assert second.id != first.id and second.erased_at == first.erased_at
    assert PHONE not in desk.ticket(world.manager, late).description
    assert [r.id for r in desk.privacy.erasures(DPO, customer_id)] == [first.id, second.id]


# -- 5. nothing of the person stays in this process --------------------------------------------------


def _holding(roots: Iterable[tuple[str, object]], needles: tuple[str, ...]) -> list[str]:
    """Paths to every str or bytes reachable from ``roots`` that holds one of ``needles`` (the library's
    memos, stores and desks; not other packages' module state)."""
    foreign = {id(vars(m)) for n, m in list(sys.modules.items()) if not n.startswith("aftersales")}
    encoded = tuple(n.encode() for n in needles)
    seen: set[int] = set()
    found: list[str] = []
    stack = [(obj, name) for name, obj in roots]
    while stack:
        obj, path = stack.pop()
        if id(obj) in seen or id(obj) in foreign:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            if any(n in obj for n in needles):
                found.append(f"{path}: {obj[:60]!r}")
            continue
        if isinstance(obj, bytes | bytearray):
            if any(n in obj for n in encoded):
                found.append(f"{path}: {bytes(obj[:60])!r}")
            continue
        if isinstance(obj, int | float | type | types.ModuleType) or obj is None:
            continue
        kind = type(obj).__name__
        stack.extend(
            (ref, f"{path}>{kind}")
            for ref in gc.get_referents(obj)
            if not isinstance(ref, type | types.ModuleType)
        )
    return found


def test_after_an_erasure_no_in_process_memo_holds_the_person(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    customer_id = _register_person(desk, world)
    _worked_ticket(desk, world, customer_id)
    gc.collect()
    modules = [(name, module) for name, module in list(sys.modules.items()) if name.startswith("aftersales")]
    assert _holding([("desk", desk), *modules], NEEDLES), "the scenario must fill the memos first"
    clock.advance(timedelta(minutes=5))
    desk.privacy.erase_customer(DPO, customer_id, "the customer asked", cancel_open_tickets=True)
    gc.collect()
    assert _holding([("desk", desk), *modules], NEEDLES) == []
    # The memos refill from the erased records: the desk still works on the ticket.
    (ticket,) = desk.ledger(world.manager).items[-1:]
    assert desk.search(world.agent, NAME).items == ()
    assert desk.sla(world.agent, ticket.id) is not None


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_erasure_through_one_worker_leaves_nothing_in_another_worker_of_the_process(
    backend: str, tmp_path: Path
) -> None:
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path))
        first = stack.enter_context(ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF))
        register(first, world)
        customer_id = _register_person(first, world)
        other = stack.enter_context(ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF))
        ticket_id = _worked_ticket(other, world, customer_id)  # the other worker reads and writes it all
        first.ticket(world.agent, ticket_id)
        gc.collect()
        modules = [(n, m) for n, m in list(sys.modules.items()) if n.startswith("aftersales")]
        assert _holding([("other", other)], NEEDLES), "the other worker must have filled its memos"
        clock.advance(timedelta(minutes=5))
        first.privacy.erase_customer(DPO, customer_id, "the customer asked", cancel_open_tickets=True)
        gc.collect()
        assert _holding([("first", first), ("other", other), *modules], NEEDLES) == []
        assert other.search(world.agent, NAME).items == ()
