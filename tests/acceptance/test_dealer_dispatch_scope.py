# mypy: disable-error-code="arg-type"
"""A ticket dispatched to a dealer is that dealer's wherever tickets are listed (seed 002: 乙方 handles
the calls of its region the maker passes it), on memory, SQLite and PostgreSQL, through the desk.

The dealer's staff read such a ticket by id (``permissions.can_read``); the ledger, its rows and count,
search and the export list it too (``TicketFilter.dealer_scope``: the dealer's own tickets or those
dispatched to it). A re-dispatch to another dealer moves it; the dealer the ticket belongs to keeps it.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, Channel, Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId, EngineerId, TicketId
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer, EngineerLevel
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.ports.queries import Page, PageRequest, Sort, TicketFilter
from aftersales.reports.ledger_export import ledger_records
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.permissions import can_read
from conftest import START, store_url

AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
DEALERS = ("dealer-a", "dealer-b", "dealer-c")
ENGINEERS = ("eng-1", "eng-2")
STAFF = {d: Actor.dealer_staff(f"staff-{d}", d) for d in DEALERS}
"""Staff of each dealer, without regions: what they list is exactly what they may read."""


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path, "dealers.db"))
        desk = stack.enter_context(ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START)))
        for n, dealer in enumerate(DEALERS):
            region = f"R{n}"
            contact = Contact(f"店长 {n}", phone=f"1390000000{n}")
            desk.register_dealer(
                MANAGER, Dealer(DealerId(dealer), f"特约承销商 {n}", region, {region}, contact)
            )
        for eid in ENGINEERS:
            desk.register_engineer(MANAGER, Engineer(EngineerId(eid), eid, EngineerLevel.SENIOR, region="R0"))
        for cid, dealer in (("cust-a", "dealer-a"), ("cust-b", "dealer-b"), ("cust-free", None)):
            contact = Contact(cid, phone="13800000000", address="上海市浦东新区 1 号")
            region = "R0" if dealer is None else f"R{DEALERS.index(dealer)}"
            customer = Customer(
                CustomerId(cid), cid, contact, CustomerTier.REGULAR, region=region, dealer_id=dealer
            )
            desk.register_customer(MANAGER, customer)
        yield desk


def _open(desk: ServiceDesk, customer: str, text: str) -> str:
    tid = desk.open_ticket(AGENT, customer_id=customer, description=text).ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    return tid


def _paged(read: Callable[[PageRequest], Page[Any]], limit: int, sort: Sort) -> list[str]:
    """The ids of every page ``read`` gives, in order, ``limit`` at a time (small pages: the keyset
    walks both ranges of a dealer's scope and the cursor crosses them)."""
    out: list[str] = []
    cursor: str | None = None
    while True:
        found = read(PageRequest(limit=limit, cursor=cursor, sort=sort))
        out += [item.id for item in found.items]
        cursor = found.next_cursor
        if cursor is None:
            return out


def _ledger(desk: ServiceDesk, actor: Actor, filters: TicketFilter | None = None) -> set[str]:
    return set(_paged(lambda page: desk.ledger(actor, filters, page), 2, Sort.RECEIVED_DESC))


def _rows(desk: ServiceDesk, actor: Actor) -> set[str]:
    return set(_paged(lambda page: desk.ticket_rows(actor, None, page), 1, Sort.RECEIVED_ASC))


def _exported(desk: ServiceDesk, actor: Actor) -> set[str]:
    """The ids the export writes (one record a page: the arms of a dealer's scope merge page by page),
    checked to come oldest first as the ledger lists them."""
    exported = [str(record[0]) for page in ledger_records(desk, actor, page_size=1) for record in page]
    oldest_first = desk.ledger(actor, None, PageRequest(limit=100, sort=Sort.RECEIVED_ASC)).items
    assert exported == [t.id for t in oldest_first]
    return set(exported)


def _searched(desk: ServiceDesk, actor: Actor, text: str) -> set[str]:
    return {t.id for t in desk.search(actor, text).items}


def _everywhere(desk: ServiceDesk, actor: Actor, text: str) -> set[str]:
    """The ids ``actor`` lists, checked to be the same in the ledger, its rows, the count, the export
    and search (every ticket of these tests carries ``text``)."""
    listed = _ledger(desk, actor)
    assert _rows(desk, actor) == listed
    assert desk.count(actor) == len(listed)
    assert _exported(desk, actor) == listed
    assert _searched(desk, actor, text) == listed
    return listed


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_dispatched_dealer_lists_the_ticket_until_it_moves_on(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        of_a = _open(desk, "cust-a", "水箱漏水 of A")
        of_nobody = _open(desk, "cust-free", "水箱漏水 no dealer")
        of_b = _open(desk, "cust-b", "水箱漏水 of B")
        assert _everywhere(desk, STAFF["dealer-b"], "水箱漏水") == {of_b}

        for tid in (of_a, of_nobody):
            desk.dispatch(AGENT, tid, dealer_id="dealer-b")
        assert _everywhere(desk, STAFF["dealer-b"], "水箱漏水") == {of_a, of_nobody, of_b}
        assert _everywhere(desk, STAFF["dealer-a"], "水箱漏水") == {of_a}  # its own, wherever it went
        assert _everywhere(desk, STAFF["dealer-c"], "水箱漏水") == set()
        # the dealer's own filters narrow its scope; a plain dealer_id filter still means "belongs to"
        assert _ledger(desk, STAFF["dealer-b"], TicketFilter(dealer_id="dealer-b")) == {of_b}
        assert _ledger(desk, STAFF["dealer-b"], TicketFilter(dealer_id="dealer-a")) == {of_a}
        assert _ledger(desk, MANAGER, TicketFilter(dealer_id="dealer-b")) == {of_b}
        assert _ledger(desk, MANAGER, TicketFilter(dealer_scope="dealer-b")) == {of_a, of_nobody, of_b}
        assert _searched(desk, STAFF["dealer-b"], "no dealer") == {of_nobody}
        # what it handles (seed 002's 24-hour contract): the tickets assigned to it, within its scope
        assert _ledger(desk, STAFF["dealer-b"], TicketFilter(engineer_id="dealer-b")) == {of_a, of_nobody}

        for tid in (of_a, of_nobody):
            desk.dispatch(AGENT, tid, dealer_id="dealer-c", reason="乙方人手不足")
        assert _everywhere(desk, STAFF["dealer-b"], "水箱漏水") == {of_b}
        assert _everywhere(desk, STAFF["dealer-c"], "水箱漏水") == {of_a, of_nobody}
        assert _everywhere(desk, STAFF["dealer-a"], "水箱漏水") == {of_a}

        desk.dispatch(AGENT, of_a, engineer_id="eng-1", reason="厂家工程师上门")
        assert _everywhere(desk, STAFF["dealer-c"], "水箱漏水") == {of_nobody}
        assert _everywhere(desk, STAFF["dealer-a"], "水箱漏水") == {of_a}

        # customers and engineers are not affected
        assert _everywhere(desk, Actor.customer("cust-a"), "水箱漏水") == {of_a}
        assert _everywhere(desk, Actor.customer("cust-free"), "水箱漏水") == {of_nobody}
        assert _everywhere(desk, Actor.engineer("eng-1"), "水箱漏水") == {of_a}
        assert _everywhere(desk, Actor.engineer("eng-2"), "水箱漏水") == set()


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_dealer_keeps_its_own_ticket_dispatched_back_to_it(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        own = _open(desk, "cust-a", "冲水阀坏了")
        desk.dispatch(AGENT, own, dealer_id="dealer-a")  # its own and dispatched to it: listed once
        listed = desk.ledger(STAFF["dealer-a"], None, PageRequest(limit=10)).items
        assert [t.id for t in listed] == [own]
        assert desk.count(STAFF["dealer-a"]) == 1
        assert _searched(desk, STAFF["dealer-a"], "冲水阀") == {own}
        # Session 38 (issue 21): its own dealer's already, it is not stored as dispatched too (no
        # dispatched_dealer index entry to write); a row written so before reads the same.
        assert [r.dispatched_dealer for r in desk.ticket_rows(MANAGER).items] == [None]
        if backend != "memory":
            store: Any = desk.context.store
            with store() as uow:
                stored = "SELECT count(*) FROM tickets WHERE dispatched_dealer IS NOT NULL"
                assert uow.run(stored).fetchone()[0] == 0
                uow.run(f"UPDATE tickets SET dispatched_dealer = dealer_id WHERE id = '{own}'")
                uow.commit()
            assert [r.dispatched_dealer for r in desk.ticket_rows(MANAGER).items] == [None]
            assert _everywhere(desk, STAFF["dealer-a"], "冲水阀") == {own}
        desk.dispatch(AGENT, own, dealer_id="dealer-b", reason="转给乙方")
        assert _everywhere(desk, STAFF["dealer-a"], "冲水阀") == {own}
        assert _everywhere(desk, STAFF["dealer-b"], "冲水阀") == {own}
        assert [r.dispatched_dealer for r in desk.ticket_rows(MANAGER).items] == ["dealer-b"]


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_an_actor_with_two_narrow_roles_is_refused_a_list(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        tid = _open(desk, "cust-a", "马桶堵塞")
        desk.dispatch(AGENT, tid, engineer_id="eng-1")
        both = Actor("p1", Role.DEALER_STAFF, dealer_id=DealerId("dealer-b"), engineer_id=EngineerId("eng-1"))
        both = both.with_roles(Role.ENGINEER)
        assert desk.ticket(both, tid).id == tid  # the engineer role reads it
        for listing in (
            lambda: desk.ledger(both),
            lambda: desk.count(both),
            lambda: desk.ticket_rows(both),
            lambda: desk.search(both, "马桶"),
            lambda: desk.ledger_scope(both),
        ):
            with pytest.raises(PermissionDenied, match="dealer_staff and engineer"):
                listing()
        assert _ledger(desk, attrs.evolve(both, role=Role.ENGINEER, extra_roles=())) == {tid}
        assert _ledger(desk, attrs.evolve(both, extra_roles=())) == set()  # as the dealer's staff alone
        assert _ledger(desk, both.with_roles(Role.AGENT)) == {tid}  # an office role lists everything
        officer = Actor.privacy_officer("po-1")  # reads no ticket, so lists none
        assert _ledger(desk, officer) == set() and desk.count(officer) == 0


def _flush(desk: ServiceDesk) -> None:
    """SQLite: move the pending search words into the FTS index, where the scope words narrow a search."""
    with desk.store() as uow:
        uow.search.flush()  # type: ignore[attr-defined]
        uow.commit()


def test_a_dispatch_re_indexes_the_dealer_scope_word_on_sqlite(tmp_path: Path) -> None:
    with _desk("sqlite", tmp_path) as desk:
        tid = _open(desk, "cust-a", "淋浴房玻璃爆裂")
        other = _open(desk, "cust-a", "淋浴房门关不上")
        _flush(desk)
        desk.dispatch(AGENT, tid, dealer_id="dealer-b")
        desk.dispatch(AGENT, other, engineer_id="eng-1")  # an engineer's dispatch leaves the index
        _flush(desk)
        assert _searched(desk, STAFF["dealer-b"], "淋浴房") == {tid}
        desk.dispatch(AGENT, tid, dealer_id="dealer-c", reason="改派")
        _flush(desk)
        assert _searched(desk, STAFF["dealer-c"], "淋浴房") == {tid}
        assert _searched(desk, STAFF["dealer-b"], "淋浴房") == set()
        assert _searched(desk, STAFF["dealer-a"], "淋浴房") == {tid, other}
        with desk.store() as uow:
            scope = uow.run("SELECT scope FROM ticket_search WHERE ticket_id = ?", (tid,)).fetchone()[0]  # type: ignore[attr-defined]
        assert scope.split("\x1f") == ["c:cust-a", "d:dealer-a", "r:R0", "d:dealer-c"]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_complaint_referred_to_a_dealer_outlet_is_that_dealers(backend: str, tmp_path: Path) -> None:
    """Seed 004: a complaint passed to a repair outlet (a dealer) is held by it: listed and found."""
    with _desk(backend, tmp_path) as desk:
        cid = desk.complaints.open_complaint(AGENT, "cust-free", "维修后仍漏水，态度差").ticket.id
        if backend == "sqlite":
            _flush(desk)
        assert _everywhere(desk, STAFF["dealer-b"], "仍漏水") == set()
        desk.complaints.refer_to_outlet(MANAGER, cid, dealer_id="dealer-b")
        if backend == "sqlite":
            _flush(desk)
        assert _everywhere(desk, STAFF["dealer-b"], "仍漏水") == {cid}
        desk.complaints.refer_to_outlet(MANAGER, cid, engineer_id="eng-1")
        assert _everywhere(desk, STAFF["dealer-b"], "仍漏水") == set()
        assert _everywhere(desk, Actor.engineer("eng-1"), "仍漏水") == {cid}


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_an_imported_ticket_dispatched_to_a_dealer_is_that_dealers(backend: str, tmp_path: Path) -> None:
    """A migration from another system (desk.import_tickets: add_many and the batch search documents)
    writes the dispatched dealer as a dispatch command does."""
    agent = AGENT.ref
    at = START - timedelta(days=3)
    ticket = Ticket.open(
        id=TicketId("OLD-00001"),
        customer_id=CustomerId("cust-a"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="旧系统工单 花洒漏水",
        received_at=at,
        taken_by=agent,
        dealer_id=DealerId("dealer-a"),
        region="R0",
    )
    ticket.triage(agent, at + timedelta(minutes=5), Assessment("leak", Severity.MEDIUM), Priority.NORMAL)
    ticket.assign(agent, at + timedelta(minutes=9), Assignee(AssigneeKind.DEALER, "dealer-b", "特约承销商 1"))
    with _desk(backend, tmp_path) as desk:
        desk.import_tickets(MANAGER, [ticket])
        assert _everywhere(desk, STAFF["dealer-b"], "花洒漏水") == {"OLD-00001"}
        assert _everywhere(desk, STAFF["dealer-a"], "花洒漏水") == {"OLD-00001"}
        assert _everywhere(desk, STAFF["dealer-c"], "花洒漏水") == set()


def test_dealer_scope_is_checked() -> None:
    for bad in ("", "x" * 65, 7):
        with pytest.raises(ValidationError) as caught:
            TicketFilter(dealer_scope=bad)
        assert caught.value.field == "dealer_scope"


# -- every list shows exactly what can_read grants (the ledger's meaning) ---------------------------

_CUSTOMERS = ("cust-a", "cust-b", "cust-free")
_ACTORS = (
    *STAFF.values(),
    *(Actor.engineer(e) for e in ENGINEERS),
    *(Actor.customer(c) for c in _CUSTOMERS),
    Actor.privacy_officer("po-1"),
    MANAGER,
)


def _story(desk: ServiceDesk, rnd: random.Random, count: int) -> list[str]:
    """``count`` tickets of random customers, each left undispatched or dispatched (then maybe
    re-dispatched) to a random dealer or engineer."""
    ids = []
    for n in range(count):
        tid = _open(desk, rnd.choice(_CUSTOMERS), f"故障 {n}")
        ids.append(tid)
        for step in range(rnd.randrange(3)):
            target = rnd.choice((*DEALERS, *ENGINEERS))
            key = "dealer_id" if target in DEALERS else "engineer_id"
            desk.dispatch(AGENT, tid, **{key: target}, reason="改派" if step else None)
    return ids


def _walk(desk: ServiceDesk, actor: Actor, sort: Sort) -> list[str]:
    """The ids of ``actor``'s ledger in ``sort`` order, two a page (the cursor crosses the arms)."""
    return _paged(lambda page: desk.ledger(actor, None, page), 2, sort)


def _check_lists_match_reads(desk: ServiceDesk) -> None:
    with desk.store() as uow:
        tickets = [uow.tickets.get(t.id) for t in desk.ledger(MANAGER, None, PageRequest(limit=100)).items]
    for actor in _ACTORS:
        readable = {t.id for t in tickets if can_read(actor, t)}
        assert _ledger(desk, actor) == readable, actor
        assert desk.count(actor) == len(readable), actor
        assert _searched(desk, actor, "故障") == readable, actor
    for sort in Sort:  # each order, page by page: the manager's ledger with only the dealer's tickets
        everything = _walk(desk, MANAGER, sort)
        for staff in STAFF.values():
            readable = {t.id for t in tickets if can_read(staff, t)}
            assert _walk(desk, staff, sort) == [i for i in everything if i in readable], (sort, staff)
    # The one deliberate difference: a ticket of the dealer's regions that is neither its own nor
    # dispatched to it is readable by id, not listed (the region is the maker's territory split).
    regional = Actor.dealer_staff("staff-c-r0", "dealer-c", {"R0"})
    listed = _ledger(desk, regional)
    assert listed == _ledger(desk, STAFF["dealer-c"])
    assert listed <= {t.id for t in tickets if can_read(regional, t)}


@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 8))
def test_lists_show_what_can_read_grants_on_memory(seed: int, count: int) -> None:
    with _desk("memory", Path(".")) as desk:
        _story(desk, random.Random(seed), count)
        _check_lists_match_reads(desk)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("seed", [1, 2])
def test_lists_show_what_can_read_grants(backend: str, seed: int, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        _story(desk, random.Random(seed), 12)
        _check_lists_match_reads(desk)
