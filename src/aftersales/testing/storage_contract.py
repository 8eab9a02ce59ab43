"""The storage contract: one test suite every ``UnitOfWork`` adapter must pass.

It runs against our memory, SQLite and PostgreSQL adapters, so the fake cannot drift from the real
stores. A host with its own adapter reuses it by subclassing :class:`StorageContract` in a test
module and saying how to open a fresh, empty store::

    # tests/test_my_storage.py
    from aftersales.testing.storage_contract import StorageContract
    from myhost.storage import open_mystore

    class TestMyStorage(StorageContract):
        def make_store(self, tmp_path):
            return open_mystore(f"mystore://{tmp_path}/db")   # a StoreFactory, empty

pytest collects every ``test_*`` method of the subclass; ``close()`` is called after each test.
Needs pytest (and nothing else) at test time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.erasure import ERASED
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId, ProductId, TicketId
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.sla_late import late_after
from aftersales.domain.teams import added_members
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, CustomerNote, FaultRecord, Visit
from aftersales.errors import ConcurrencyConflict, DuplicateError, NotFound, StorageError, ValidationError
from aftersales.ports.erasure import Scrubbable, Sweepable
from aftersales.ports.notifier import NOTIFICATION_TOPIC, RenderedMessage
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.outbox_dispatch import dispatch_outbox
from aftersales.ports.queries import UNSET, CountField, PageRequest, Sort, TicketFilter
from aftersales.ports.ticket_index import TicketRow, ticket_row
from aftersales.ports.ticket_search import SearchDocument, SearchRequest, parse_query, search_document
from aftersales.ports.unit_of_work import StoreFactory, UnitOfWork
from aftersales.serialization import unstructure

__all__ = ["StorageContract", "contract_ticket", "ledger_tickets"]

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("eng-1", Role.ENGINEER)

_STATES = ("new", "triaged", "assigned", "resolved", "closed", "cancelled")
_PRIORITIES = (Priority.NORMAL, Priority.EXPEDITED, Priority.CRITICAL)
_CATEGORIES = (Category.REPAIR, Category.INSTALLATION, Category.MAINTENANCE)


def contract_ticket(n: int, *, state: str = "new", **fields: Any) -> Ticket:
    """Ticket number ``n`` (received ``n`` hours after a fixed instant), driven to ``state``."""
    received = T0 + timedelta(hours=n)
    ticket = Ticket.open(
        id=TicketId(fields.pop("id", f"T-{n:04d}")),
        customer_id=CustomerId(fields.pop("customer_id", f"C{n % 4}")),
        channel=Channel.PHONE,
        category=fields.pop("category", _CATEGORIES[n % 3]),
        description=fields.pop("description", f"漏水 leak number {n} at the Valve"),
        received_at=received,
        taken_by=AGENT,
        asset_id=AssetId(f"A{n}"),
        product_id=ProductId(fields.pop("product_id", f"P{n % 2}")),
        batch=fields.pop("batch", f"B{n % 3}" if n % 5 else None),
        region=fields.pop("region", ("sh", "bj", "gz")[n % 3]),
        dealer_id=DealerId(fields.pop("dealer_id", f"D{n % 2}")) if n % 7 else None,
    )
    priority = fields.pop("priority", _PRIORITIES[n % 3])
    due = fields.pop("resolution_due_at", received + timedelta(hours=24 + (n % 5) * 12))
    at = received
    if state == "cancelled":
        ticket.cancel(AGENT, at + timedelta(minutes=5), "customer withdrew")
    if state in ("triaged", "assigned", "resolved", "closed"):
        at += timedelta(minutes=10)
        ticket.triage(AGENT, at, Assessment("leak", Severity.MEDIUM), priority)
        ticket.resolution_due_at = due
        ticket.response_due_at = received + timedelta(hours=2)
        if n % 12 == 1:  # a working-time due outside working hours: on time until they resume
            ticket.resolution_late_after = due + timedelta(hours=8)
    if state in ("assigned", "resolved", "closed"):
        at += timedelta(minutes=10)
        ticket.assign(AGENT, at, Assignee(AssigneeKind.ENGINEER, f"E{n % 3}", "Engineer"))
    if state in ("resolved", "closed"):
        at += timedelta(minutes=10)
        ticket.step("start_work", ENGINEER, at)
        at += timedelta(hours=3)
        ticket.resolve(ENGINEER, at, summary="fixed")
    if state == "closed":
        at += timedelta(hours=1)
        ticket.confirm(AGENT, at, channel="phone")
        ticket.record_callback(AGENT, at, problem_back=False)
        ticket.close(AGENT, at)
    assert not fields, f"unknown fields {fields}"
    return ticket


def ledger_tickets(count: int = 36) -> list[Ticket]:
    """A varied ledger: every state, priority, category, dealer, region, batch and due time."""
    return [contract_ticket(n, state=_STATES[n % len(_STATES)]) for n in range(count)]


def _rich_ticket() -> Ticket:
    ticket = contract_ticket(1, state="assigned")
    at = ticket.last_event_at + timedelta(minutes=30)
    ticket.step("start_work", ENGINEER, at)
    ticket.record_fault(
        ENGINEER, at, FaultRecord("leak", "seal_worn", "replace_seal", at, ENGINEER, part="seal")
    )
    ticket.add_visit(ENGINEER, at, Visit(at + timedelta(hours=1), "E1", arrived_at=at))
    ticket.note_to_customer(ENGINEER, at, CustomerNote("工程师已出发 on the way"))
    return ticket


def _message(n: int, *, topic: str = "ticket.opened", minutes: int | None = None) -> OutboxMessage:
    return OutboxMessage(
        id=f"M{n:04d}",
        topic=topic,
        payload={"ticket_id": f"T-{n:04d}", "n": n, "nested": {"ok": True, "list": [1, "二"]}},
        idempotency_key=f"key-{n}",
        created_at=T0 + timedelta(minutes=n if minutes is None else minutes),
    )


def _sweep(uow: UnitOfWork, *, now_us: int, before_us: int, limit: int | None = None) -> int:
    store = uow.idempotency
    assert isinstance(store, Sweepable), "the idempotency store has no sweep() for the retention job"
    return store.sweep(now_us, before_us) if limit is None else store.sweep(now_us, before_us, limit)


def _customer(n: int, region: str = "sh") -> Customer:
    return Customer(
        CustomerId(f"C{n}"), f"客户 {n}", Contact(f"客户 {n}", phone=f"+86 21 5555 {n:04d}"), region=region
    )


@attrs.define
class ContractDoc:
    """A document class used by the contract (mutable, two index fields)."""

    DOCUMENT_KIND: ClassVar[str] = "contract_doc"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id", "state")
    id: str
    ticket_id: str
    state: str
    lines: list[str] = attrs.field(factory=list)
    version: int = 0


@attrs.frozen
class FrozenDoc:
    """A frozen document class: ``save`` returns a copy carrying the new version."""

    DOCUMENT_KIND: ClassVar[str] = "frozen_doc"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    id: str
    text: str
    version: int = 0


class _RecordingNotifier:
    def __init__(self, fail_on: str | None = None) -> None:
        self.sent: list[RenderedMessage] = []
        self.fail_on = fail_on

    def send(self, message: RenderedMessage) -> None:
        if message.recipient == self.fail_on:
            raise RuntimeError("smtp down")
        self.sent.append(message)


class _Clock:
    def now(self) -> datetime:
        return T0 + timedelta(days=1)


def _expected_order(tickets: list[Ticket], sort: Sort) -> list[str]:
    urgency = {Priority.CRITICAL: 0, Priority.EXPEDITED: 1, Priority.NORMAL: 2, None: 3}
    far = datetime(9999, 1, 1, tzinfo=TZ)
    keys: dict[Sort, Callable[[Ticket], tuple[Any, ...]]] = {
        Sort.RECEIVED_ASC: lambda t: (t.received_at, t.id),
        Sort.RECEIVED_DESC: lambda t: (t.received_at, t.id),
        Sort.PRIORITY: lambda t: (urgency[t.priority], t.received_at, t.id),
        Sort.DUE: lambda t: (t.resolution_due_at or far, t.id),
    }
    ordered = sorted(tickets, key=keys[sort], reverse=sort is Sort.RECEIVED_DESC)
    return [t.id for t in ordered]


_AT = T0 + timedelta(hours=40)


def _breached(ticket: Ticket, at: datetime) -> bool:
    """Whether ``ticket``'s resolution is breached at ``at``: unresolved, and its late-after instant
    (:func:`~aftersales.domain.sla_late.late_after`, as desk.sla() and the reports judge) before ``at``."""
    late = late_after(ticket.resolution_due_at, ticket.resolution_late_after)
    return ticket.is_open and ticket.resolved_at is None and late is not None and late < at


FILTER_CASES: list[tuple[str, TicketFilter, Callable[[Ticket], bool]]] = [
    ("states", TicketFilter(states=("new", "closed")), lambda t: t.state in ("new", "closed")),
    ("priorities", TicketFilter(priorities=("critical",)), lambda t: t.priority is Priority.CRITICAL),
    ("categories", TicketFilter(categories=(Category.REPAIR,)), lambda t: t.category == Category.REPAIR),
    ("kind", TicketFilter(kind="service"), lambda t: True),
    ("kind_none", TicketFilter(kind="complaint"), lambda t: False),
    ("customer", TicketFilter(customer_id="C1"), lambda t: t.customer_id == "C1"),
    ("dealer", TicketFilter(dealer_id="D1"), lambda t: t.dealer_id == "D1"),
    ("region", TicketFilter(region="bj"), lambda t: t.region == "bj"),
    (
        "engineer",
        TicketFilter(engineer_id="E2"),
        lambda t: t.assignee is not None and t.assignee.id == "E2",
    ),
    ("product", TicketFilter(product_id="P0"), lambda t: t.product_id == "P0"),
    ("batch", TicketFilter(batch="B1"), lambda t: t.batch == "B1"),
    (
        "received_from",
        TicketFilter(received_from=_AT - timedelta(hours=20)),
        lambda t: t.received_at >= _AT - timedelta(hours=20),
    ),
    (
        "received_to",
        TicketFilter(received_to=_AT - timedelta(hours=20)),
        lambda t: t.received_at < _AT - timedelta(hours=20),
    ),
    (
        "due_before",
        TicketFilter(due_before=_AT),
        lambda t: t.resolution_due_at is not None and t.resolution_due_at < _AT,
    ),
    (
        "breached_at",
        TicketFilter(breached_at=_AT),
        lambda t: _breached(t, _AT),
    ),
    (
        # T-0001's due (_AT - 3 h) is past, its late-after instant (_AT + 5 h) not yet: on time at _AT
        "breached_after_the_gap",
        TicketFilter(breached_at=_AT + timedelta(hours=6)),
        lambda t: _breached(t, _AT + timedelta(hours=6)),
    ),
    ("is_open", TicketFilter(is_open=True), lambda t: t.is_open),
    ("is_closed", TicketFilter(is_open=False), lambda t: not t.is_open),
    ("unresolved", TicketFilter(unresolved=True), lambda t: t.is_open and t.resolved_at is None),
    ("resolved", TicketFilter(unresolved=False), lambda t: not (t.is_open and t.resolved_at is None)),
    (
        "engineer_open",
        TicketFilter(engineer_id="E2", is_open=True),
        lambda t: t.is_open and t.assignee is not None and t.assignee.id == "E2",
    ),
    (
        "sweep",
        TicketFilter(unresolved=True, due_before=_AT),
        lambda t: (
            t.is_open
            and t.resolved_at is None
            and t.resolution_due_at is not None
            and t.resolution_due_at < _AT
        ),
    ),
    ("text", TicketFilter(text="NUMBER 1"), lambda t: "number 1" in t.description.lower()),
    ("text_cjk", TicketFilter(text="漏水"), lambda t: True),
    ("text_like_chars", TicketFilter(text="50%_x"), lambda t: False),
    (
        "two_filters",
        TicketFilter(states=("assigned", "triaged"), dealer_id="D0"),
        lambda t: t.state in ("assigned", "triaged") and t.dealer_id == "D0",
    ),
    (
        "many",
        TicketFilter(region="sh", priorities=("normal", "critical"), received_to=_AT),
        lambda t: (
            t.region == "sh" and t.priority in (Priority.NORMAL, Priority.CRITICAL) and t.received_at < _AT
        ),
    ),
]


def _sweep_three_times(store: StoreFactory, count: int) -> dict[str, int]:
    """The SLA sweep's storage side: ``count`` unresolved tickets due over two weeks (plus resolved and
    closed ones), swept three times as the clock passes a third, two thirds and all of their due times.

    Each sweep pages unresolved tickets due before its instant in (due, id) order, 500 a page, from the
    mark the previous sweep left (the cursor past its last announced breach), as ``SlaWatch.sweep``
    does. Returns how many breaches were announced twice, never, or before they were due.
    """
    tickets: list[Ticket] = []
    for n in range(count):
        received = T0 + timedelta(minutes=n)
        ticket = Ticket.open(
            id=TicketId(f"S-{n:06d}"),
            customer_id=CustomerId(f"C{n % 50}"),
            channel=Channel.PHONE,
            category=Category.REPAIR,
            description=f"sweep ticket {n}",
            received_at=received,
            taken_by=AGENT,
        )
        ticket.triage(AGENT, received, Assessment("leak", Severity.MEDIUM), Priority.NORMAL)
        # Many tickets share a due instant: the id breaks the tie, and a page may end inside a tie.
        ticket.resolution_due_at = received.replace(second=0, minute=0) + timedelta(days=1)
        if n % 10 == 9:
            ticket.assign(AGENT, received, Assignee(AssigneeKind.ENGINEER, "E1", "Engineer"))
            ticket.step("start_work", ENGINEER, received)
            ticket.resolve(ENGINEER, received + timedelta(minutes=1), summary="fixed")  # not due any more
        tickets.append(ticket)
    for start in range(0, count, 5000):
        with store() as uow:
            uow.tickets.add_many(tickets[start : start + 5000])
            uow.commit()
    due_of = {t.id: t.resolution_due_at for t in tickets if t.resolved_at is None and t.resolution_due_at}
    dues = sorted(due_of.values())
    seen: Counter[str] = Counter()
    early = 0
    mark: str | None = None
    for at in (dues[len(dues) // 3], dues[2 * len(dues) // 3], dues[-1] + timedelta(days=3)):
        cursor = mark
        while True:
            with store() as uow:
                page = uow.tickets.query(
                    TicketFilter(unresolved=True, due_before=at), PageRequest(500, cursor, Sort.DUE)
                )
            for ticket in page.items:
                seen[ticket.id] += 1
                early += ticket.resolution_due_at is None or ticket.resolution_due_at >= at
                key = (ticket.resolution_due_at, ticket.id)
                mark = _due_cursor(key)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return {
        "duplicates": sum(1 for n in seen.values() if n > 1),
        "missing": sum(1 for id_ in due_of if seen[id_] == 0),
        "early": early,
        "announced": len(seen) - len(due_of),  # 0: exactly the unresolved ones
    }


def _due_cursor(key: tuple[datetime | None, str]) -> str:
    from aftersales.ports.queries import encode_cursor
    from aftersales.ports.ticket_index import NO_DUE, micros

    due, id_ = key
    return encode_cursor(Sort.DUE, (micros(due) if due is not None else NO_DUE, id_))


class StorageContract:
    """Subclass (as ``Test…``) and implement :meth:`make_store`; every adapter must pass all tests."""

    def make_store(self, tmp_path: Path) -> StoreFactory:
        """A fresh, empty store."""
        raise NotImplementedError

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[StoreFactory]:
        factory = self.make_store(tmp_path)
        try:
            yield factory
        finally:
            factory.close()

    @pytest.fixture
    def ledger(self, store: StoreFactory) -> list[Ticket]:
        tickets = ledger_tickets()
        with store() as uow:
            for ticket in tickets:
                uow.tickets.add(ticket)
            uow.commit()
        return tickets

    # -- tickets -----------------------------------------------------------------------------

    def test_ticket_round_trip(self, store: StoreFactory) -> None:
        ticket = _rich_ticket()
        with store() as uow:
            uow.tickets.add(ticket)
            uow.commit()
        with store() as uow:
            loaded = uow.tickets.get(ticket.id)
        assert unstructure(loaded) == unstructure(ticket)
        assert loaded is not ticket

    def test_add_duplicate_ticket(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            uow.commit()
        with store() as uow, pytest.raises(DuplicateError):
            uow.tickets.add(contract_ticket(1, description="another"))
        with store() as uow:
            assert uow.tickets.get("T-0001").description.startswith("漏水")

    def test_add_many_adds_the_whole_batch(self, store: StoreFactory) -> None:
        batch = [contract_ticket(n) for n in range(1, 8)]
        with store() as uow:
            uow.tickets.add_many(batch)
            uow.tickets.add_many([])
            uow.commit()
        with store() as uow:
            assert uow.tickets.count(TicketFilter()) == 7
            assert unstructure(uow.tickets.get("T-0005")) == unstructure(batch[4])

    # 1,200 tickets into a near-empty store: large enough for an adapter to switch to a bulk path.
    @pytest.mark.parametrize("size", [5, 1200])
    def test_add_many_with_a_taken_id_adds_none_of_the_batch(self, store: StoreFactory, size: int) -> None:
        taken = size // 2 + 1
        with store() as uow:
            uow.tickets.add(contract_ticket(taken))
            uow.commit()
        with store() as uow:
            with pytest.raises(DuplicateError, match=f"T-{taken:04d}"):
                uow.tickets.add_many([contract_ticket(n) for n in range(1, size + 1)])
            uow.tickets.add(contract_ticket(size + 1))  # the unit of work is still usable
            uow.commit()
        with store() as uow:
            assert uow.tickets.count(TicketFilter()) == 2
            with pytest.raises(NotFound):
                uow.tickets.get("T-0001")

    def test_a_large_batch_is_queryable(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add_many([contract_ticket(n) for n in range(1, 1201)])
            uow.commit()
        with store() as uow:
            assert uow.tickets.count(TicketFilter()) == 1200
            wanted = TicketFilter(dealer_id="D1", region="bj", customer_id="C1")
            expected = sorted(
                (n for n in range(1, 1201) if n % 7 and n % 2 == 1 and n % 3 == 1 and n % 4 == 1),
                reverse=True,
            )
            page = uow.tickets.query(wanted, PageRequest(limit=500))
            assert [t.id for t in page.items] == [f"T-{n:04d}" for n in expected]

    def test_add_many_refuses_an_id_twice_in_the_batch(self, store: StoreFactory) -> None:
        with store() as uow:
            with pytest.raises(DuplicateError, match="T-0002"):
                uow.tickets.add_many([contract_ticket(1), contract_ticket(2), contract_ticket(2)])
            uow.commit()
        with store() as uow:
            assert uow.tickets.count(TicketFilter()) == 0

    def test_get_missing_ticket(self, store: StoreFactory) -> None:
        with store() as uow, pytest.raises(NotFound):
            uow.tickets.get("T-9999")

    def test_get_for_update_is_get_holding_the_lock(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            uow.commit()
        with store() as uow:
            locked = uow.tickets.get_for_update("T-0001")
            assert unstructure(locked) == unstructure(uow.tickets.get("T-0001"))
            locked.cancel(AGENT, locked.last_event_at, "duplicate report")
            uow.tickets.save(locked)
            uow.commit()
        with store() as uow:
            assert uow.tickets.get("T-0001").version == 1
            with pytest.raises(NotFound):
                uow.tickets.get_for_update("T-9999")

    def test_save_bumps_version(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            uow.commit()
        with store() as uow:
            ticket = uow.tickets.get("T-0001")
            assert ticket.version == 0
            ticket.cancel(AGENT, ticket.last_event_at, "duplicate report")
            uow.tickets.save(ticket)
            assert ticket.version == 1
            uow.commit()
        with store() as uow:
            loaded = uow.tickets.get("T-0001")
        assert (loaded.version, loaded.state) == (1, "cancelled")
        assert unstructure(loaded) == unstructure(ticket)

    def test_stale_save_conflicts_and_writes_nothing(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            uow.commit()
        with store() as uow:
            first = uow.tickets.get("T-0001")
        with store() as uow:
            second = uow.tickets.get("T-0001")
        with store() as uow:
            first.cancel(AGENT, first.last_event_at, "first writer")
            uow.tickets.save(first)
            uow.commit()
        with store() as uow:
            second.triage(AGENT, second.last_event_at, Assessment("leak", Severity.LOW), Priority.NORMAL)
            with pytest.raises(ConcurrencyConflict) as info:
                uow.tickets.save(second)
            assert (info.value.expected_version, info.value.actual_version) == (0, 1)
            assert second.version == 0
            uow.commit()
        with store() as uow:
            stored = uow.tickets.get("T-0001")
        assert (stored.state, stored.version) == ("cancelled", 1)

    def test_save_unknown_ticket(self, store: StoreFactory) -> None:
        with store() as uow, pytest.raises(NotFound):
            uow.tickets.save(contract_ticket(5))

    def test_add_then_save_in_one_unit(self, store: StoreFactory) -> None:
        with store() as uow:
            ticket = contract_ticket(1)
            uow.tickets.add(ticket)
            ticket.cancel(AGENT, ticket.last_event_at, "opened by mistake")
            uow.tickets.save(ticket)
            uow.commit()
        with store() as uow:
            assert uow.tickets.get("T-0001").state == "cancelled"

    def test_exception_rolls_back(self, store: StoreFactory) -> None:
        def failing_command() -> None:
            with store() as uow:
                uow.tickets.add(contract_ticket(1))
                uow.outbox.put([_message(1)])
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            failing_command()
        with store() as uow:
            with pytest.raises(NotFound):
                uow.tickets.get("T-0001")
            assert list(uow.outbox.pending()) == []

    def test_exit_without_commit_rolls_back(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            uow.customers.add(_customer(1))
            uow.idempotency.put("k", "{}")
        with store() as uow:
            with pytest.raises(NotFound):
                uow.tickets.get("T-0001")
            with pytest.raises(NotFound):
                uow.customers.get("C1")
            assert uow.idempotency.get("k") is None

    def test_explicit_rollback(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            uow.rollback()
            uow.tickets.add(contract_ticket(2))
            uow.commit()
        with store() as uow:
            assert uow.tickets.get("T-0002").id == "T-0002"
            with pytest.raises(NotFound):
                uow.tickets.get("T-0001")

    def test_unit_of_work_sees_its_own_writes(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            assert uow.tickets.get("T-0001").id == "T-0001"
            assert uow.tickets.count(TicketFilter()) == 1
            uow.commit()

    # -- outbox ------------------------------------------------------------------------------

    def test_outbox_commits_with_the_change(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            uow.outbox.put([_message(2), _message(1)])
            uow.commit()
        with store() as uow:
            pending = list(uow.outbox.pending())
        assert [m.id for m in pending] == ["M0001", "M0002"]
        assert pending[0] == _message(1)

    def test_outbox_rolls_back_with_a_failed_change(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            uow.commit()
        stale = contract_ticket(1)
        with store() as uow:
            fresh = uow.tickets.get("T-0001")
            fresh.cancel(AGENT, fresh.last_event_at, "x")
            uow.tickets.save(fresh)
            uow.commit()

        def stale_command() -> None:
            with store() as uow:
                uow.outbox.put([_message(1)])
                uow.tickets.save(stale)
                uow.commit()

        with pytest.raises(ConcurrencyConflict):
            stale_command()
        with store() as uow:
            assert list(uow.outbox.pending()) == []

    def test_outbox_mark_sent_and_failed(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.outbox.put([_message(n) for n in range(1, 6)])
            uow.commit()
        sent_at = T0 + timedelta(days=1)
        with store() as uow:
            assert [m.id for m in uow.outbox.pending(limit=2)] == ["M0001", "M0002"]
            uow.outbox.mark_sent(["M0001", "M0003", "nope"], sent_at)
            uow.outbox.mark_failed("M0002", sent_at, "timeout")
            uow.outbox.mark_failed("M0002", sent_at, "timeout again")
            uow.commit()
        with store() as uow:
            pending = list(uow.outbox.pending())
            uow.outbox.mark_sent(["M0001"], sent_at + timedelta(days=1))  # a repeat is ignored
            with pytest.raises(NotFound):
                uow.outbox.mark_failed("nope", sent_at, "x")
            uow.commit()
        assert [m.id for m in pending] == ["M0002", "M0004", "M0005"]
        assert (pending[0].attempts, pending[0].last_error, pending[0].last_attempt_at) == (
            2,
            "timeout again",
            sent_at,
        )

    def test_outbox_duplicate_id(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.outbox.put([_message(1)])
            uow.commit()
        with store() as uow, pytest.raises(DuplicateError):
            uow.outbox.put([_message(1)])

    def test_dispatch_outbox_delivers_then_marks_sent(self, store: StoreFactory) -> None:
        def note(n: int, recipient: str) -> OutboxMessage:
            rendered = RenderedMessage(recipient, "sms", "工单", f"body {n}", "zh_Hans", f"n-{n}")
            return attrs.evolve(_message(n, topic=NOTIFICATION_TOPIC), payload=unstructure(rendered))

        with store() as uow:
            uow.outbox.put([note(1, "a@x"), note(2, "bad@x"), _message(3), note(4, "b@x")])
            uow.commit()
        notifier = _RecordingNotifier(fail_on="bad@x")
        report = dispatch_outbox(store, notifier, _Clock(), limit=10)
        assert report.sent == ("M0001", "M0003", "M0004")
        assert report.failed == ("M0002",)
        assert [m.idempotency_key for m in notifier.sent] == ["n-1", "n-4"]
        with store() as uow:
            pending = list(uow.outbox.pending())
        assert [(m.id, m.attempts) for m in pending] == [("M0002", 1)]
        # The failure pushed M0002 back (backoff): a second run at the same instant has nothing due.
        assert dispatch_outbox(store, notifier, _Clock(), limit=10) == type(report)()

    # -- idempotency -------------------------------------------------------------------------

    def test_idempotency_keeps_the_first_result(self, store: StoreFactory) -> None:
        with store() as uow:
            assert uow.idempotency.get("cmd-1") is None
            uow.idempotency.put("cmd-1", json.dumps({"ticket": "T-1"}))
            uow.commit()
        with store() as uow, pytest.raises(DuplicateError):
            uow.idempotency.put("cmd-1", "{}")
        with store() as uow:
            assert json.loads(uow.idempotency.get("cmd-1") or "null") == {"ticket": "T-1"}

    # -- reference entities ------------------------------------------------------------------

    def test_reference_entities(self, store: StoreFactory) -> None:
        # attrs converters (tuple, frozenset) confuse mypy's attrs plugin; the values are right.
        product = Product(
            ProductId("P1"),
            "M-1",
            "一体式马桶",
            "toilet",
            (WarrantyTerm(60, "body"),),
            {"body"},
        )
        asset = Asset(AssetId("A1"), ProductId("P1"), "SN-1", customer_id=CustomerId("C1"), batch="B7")
        dealer = Dealer(DealerId("D1"), "上海经销商", "sh", {"sh", "sz"})
        engineer = Engineer(EngineerId("E1"), "王工", skills={"leak"}, region="sh")
        with store() as uow:
            uow.customers.add(_customer(1))
            uow.customers.add(_customer(2, region="bj"))
            uow.products.add(product)
            uow.assets.add(asset)
            uow.dealers.add(dealer)
            uow.engineers.add(engineer)
            uow.commit()
        with store() as uow:
            assert uow.products.get("P1") == product
            assert uow.assets.get("A1") == asset
            assert uow.dealers.get("D1") == dealer
            assert uow.engineers.get("E1") == engineer
            assert uow.customers.get("C2") == _customer(2, region="bj")
            with pytest.raises(DuplicateError):
                uow.customers.add(_customer(1))
            with pytest.raises(NotFound):
                uow.dealers.get("D9")
            assert set(uow.customers.find(["C1", "C9", "C2"])) == {"C1", "C2"}
            assert [c.id for c in uow.customers.list(region="bj")] == ["C2"]
            assert [c.id for c in uow.customers.list()] == ["C1", "C2"]
            assert [a.id for a in uow.assets.list(customer_id="C1", batch="B7")] == ["A1"]
            assert uow.assets.list(batch=None) == []
            with pytest.raises(ValidationError):
                uow.customers.list(colour="red")
            uow.engineers.save(attrs.evolve(engineer, active_load=3))
            uow.commit()
        with store() as uow:
            assert uow.engineers.get("E1").active_load == 3

    # -- documents ---------------------------------------------------------------------------

    def test_documents(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.documents.add(ContractDoc("MR1", "T-1", "draft", ["seal"]))
            uow.documents.add(ContractDoc("MR2", "T-1", "issued"))
            uow.documents.add(ContractDoc("MR3", "T-2", "draft"))
            with pytest.raises(DuplicateError):
                uow.documents.add(ContractDoc("MR1", "T-9", "draft"))
            uow.commit()
        with store() as uow:
            doc = uow.documents.get(ContractDoc, "MR1")
            assert doc == ContractDoc("MR1", "T-1", "draft", ["seal"])
            assert [d.id for d in uow.documents.query(ContractDoc, ticket_id="T-1")] == ["MR1", "MR2"]
            assert [d.id for d in uow.documents.query(ContractDoc, ticket_id="T-1", state="draft")] == ["MR1"]
            with pytest.raises(ValidationError):
                uow.documents.query(ContractDoc, lines="seal")
            with pytest.raises(NotFound):
                uow.documents.get(ContractDoc, "MR9")
            doc.state = "issued"
            assert uow.documents.save(doc) is doc
            assert doc.version == 1
            uow.commit()
        stale = ContractDoc("MR1", "T-1", "cancelled")
        with store() as uow:
            with pytest.raises(ConcurrencyConflict):
                uow.documents.save(stale)
            assert [d.id for d in uow.documents.query(ContractDoc, state="issued")] == ["MR1", "MR2"]
            frozen = FrozenDoc("F1", "text")
            uow.documents.add(frozen)
            saved = uow.documents.save(frozen)
            assert (frozen.version, saved.version) == (0, 1)
            uow.commit()
        with store() as uow:
            assert uow.documents.get(FrozenDoc, "F1").version == 1
            assert uow.documents.get(ContractDoc, "MR1").state == "issued"
            with pytest.raises(NotFound):
                uow.documents.save(FrozenDoc("F9", "x"))

    def test_a_document_walk_pages_past_its_cursor_and_removes_what_it_chose(
        self, store: StoreFactory
    ) -> None:
        # The retention purges of SLA alerts and job marks (service/mark_retention.py) need both options:
        # a store without them has those jobs reported unsupported (writing-an-adapter.md).
        with store() as uow:
            documents: Any = uow.documents
            if not (callable(getattr(documents, "remove", None)) and hasattr(documents, "query_range")):
                assert not hasattr(documents, "remove")
                return
            for id_, state in (("W1", "a"), ("W2", "a"), ("W3", "b"), ("W4", "c"), ("W5", "d")):
                documents.add(ContractDoc(id_, "T-1", state))
            uow.commit()
        with store() as uow:
            documents = uow.documents

            def walk(after: tuple[str, str] | None) -> list[str]:
                return [d.id for d in documents.query_range(ContractDoc, "state", "c", limit=2, after=after)]

            assert walk(None) == ["W1", "W2"]
            assert walk(("a", "W1")) == ["W2", "W3"]
            assert walk(("a", "W2")) == ["W3", "W4"]
            assert walk(("c", "W4")) == []
            assert documents.remove(ContractDoc, ["W1", "W3"]) == 2
            uow.commit()
        with store() as uow:
            assert [d.id for d in uow.documents.query(ContractDoc, ticket_id="T-1")] == ["W2", "W4", "W5"]
            assert [d.id for d in uow.documents.query(ContractDoc, state="a")] == ["W2"]
            with pytest.raises(NotFound):
                uow.documents.get(ContractDoc, "W1")

    def test_document_versions_and_queries_by_value_follow_the_writes(self, store: StoreFactory) -> None:
        # Issue 20: a reader keeping a parsed document checks the stored version; queries by value
        # see this unit's own writes and the committed ones, changed index values included.
        with store() as uow:
            uow.documents.add(ContractDoc("V1", "T-1", "draft"))
            uow.documents.add(ContractDoc("V2", "T-1", "issued"))
            uow.documents.add(ContractDoc("V3", "T-2", "draft"))
            uow.commit()
        with store() as uow:
            assert uow.documents.version(ContractDoc, "V1") == 0  # type: ignore[attr-defined]
            with pytest.raises(NotFound):
                uow.documents.version(ContractDoc, "V9")  # type: ignore[attr-defined]
            assert uow.documents.versions(ContractDoc, state="draft") == {"V1": 0, "V3": 0}  # type: ignore[attr-defined]
            with pytest.raises(ValidationError):
                uow.documents.versions(ContractDoc, lines="x")  # type: ignore[attr-defined]
            doc = uow.documents.get(ContractDoc, "V1")
            doc.state = "issued"
            uow.documents.save(doc)
            uow.documents.add(ContractDoc("V4", "T-1", "draft"))
            assert [d.id for d in uow.documents.query(ContractDoc, state="draft")] == ["V3", "V4"]
            assert [d.id for d in uow.documents.query(ContractDoc, state="issued")] == ["V1", "V2"]
            assert uow.documents.versions(ContractDoc, ticket_id="T-1") == {"V1": 1, "V2": 0, "V4": 0}  # type: ignore[attr-defined]
        with store() as uow:  # rolled back: the committed state again
            assert [d.id for d in uow.documents.query(ContractDoc, state="draft")] == ["V1", "V3"]
            assert uow.documents.version(ContractDoc, "V1") == 0  # type: ignore[attr-defined]
            doc = uow.documents.get(ContractDoc, "V3")
            doc.state = "issued"
            uow.documents.save(doc)
            uow.commit()
        with store() as uow:
            assert [d.id for d in uow.documents.query(ContractDoc, state="draft")] == ["V1"]
            assert [d.id for d in uow.documents.query(ContractDoc, state="issued")] == ["V2", "V3"]
            assert uow.documents.versions(ContractDoc, state="issued") == {"V2": 0, "V3": 1}  # type: ignore[attr-defined]

    # -- ledger queries ----------------------------------------------------------------------

    @pytest.mark.parametrize(("name", "filter", "predicate"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
    def test_every_filter(
        self,
        store: StoreFactory,
        ledger: list[Ticket],
        name: str,
        filter: TicketFilter,
        predicate: Callable[[Ticket], bool],
    ) -> None:
        expected = _expected_order([t for t in ledger if predicate(t)], Sort.RECEIVED_ASC)
        with store() as uow:
            page = uow.tickets.query(filter, PageRequest(limit=1000, sort=Sort.RECEIVED_ASC))
            count = uow.tickets.count(filter)
        assert [t.id for t in page.items] == expected
        assert count == len(expected)
        assert page.next_cursor is None
        if name not in ("kind_none", "text_like_chars"):
            assert len(expected) > 0, "each case must select something"
        if name not in ("kind", "text_cjk"):
            assert len(expected) < len(ledger), "each case must leave something out"

    def test_a_wait_for_parts_is_late_only_where_the_pack_does_not_pause_on_parts(
        self, store: StoreFactory
    ) -> None:
        """The ledger's breached filter and a wait (``TicketFilter.parts_pause``, session 25): a ticket
        waiting for the customer since before its due is never late while it waits; one waiting for
        parts since before its due is late only where the pack does not pause on parts (the desk passes
        its pack's ``pause_on_parts``; ``None`` reads False); a wait begun after the due leaves it late."""

        def waiting(n: int, step: str, hours_before_due: float) -> Ticket:
            ticket = contract_ticket(n, state="assigned")
            due = ticket.resolution_due_at
            assert due is not None
            at = due - timedelta(hours=hours_before_due)
            ticket.step("start_work", ENGINEER, at - timedelta(minutes=1))
            ticket.step(step, ENGINEER, at, reason="no_stock" if step == "await_parts" else "away")
            ticket.note_to_customer(ENGINEER, at + timedelta(minutes=1), CustomerNote("still waiting"))
            return ticket

        parts = waiting(2, "await_parts", 1)  # T-0002: due T0+50 h, waits for parts since T0+49 h
        customer = waiting(3, "await_customer", 1)  # T-0003: due T0+63 h, waits since T0+62 h
        late_parts = waiting(4, "await_parts", -1)  # T-0004: due T0+76 h, waits since T0+77 h
        plain = contract_ticket(5, state="assigned")  # T-0005: due T0+29 h
        with store() as uow:
            uow.tickets.add_many([parts, customer, late_parts, plain])
            uow.commit()
        at = T0 + timedelta(hours=100)
        with store() as uow:
            found = {
                pause: [
                    t.id
                    for t in uow.tickets.query(
                        TicketFilter(breached_at=at, parts_pause=pause), PageRequest(10, None, Sort.DUE)
                    ).items
                ]
                for pause in (True, False, None)
            }
            counted = {
                pause: uow.tickets.count(TicketFilter(breached_at=at, parts_pause=pause))
                for pause in (True, False, None)
            }
        assert found[True] == ["T-0005", "T-0004"]
        assert found[False] == found[None] == ["T-0005", "T-0002", "T-0004"]
        assert counted == {True: 2, False: 3, None: 3}

    @pytest.mark.parametrize("sort", list(Sort))
    @pytest.mark.parametrize("limit", [1, 7, 36])
    def test_keyset_pages_cover_everything_once_in_order(
        self, store: StoreFactory, ledger: list[Ticket], sort: Sort, limit: int
    ) -> None:
        seen: list[str] = []
        cursor: str | None = None
        with store() as uow:
            for _ in range(100):
                page = uow.tickets.query(TicketFilter(), PageRequest(limit=limit, cursor=cursor, sort=sort))
                assert len(page.items) <= limit
                seen.extend(t.id for t in page.items)
                cursor = page.next_cursor
                if cursor is None:
                    break
        assert seen == _expected_order(ledger, sort)

    @pytest.mark.parametrize("sort", list(Sort))
    def test_row_pages_are_the_ticket_pages_as_columns(
        self, store: StoreFactory, ledger: list[Ticket], sort: Sort
    ) -> None:
        """``query_rows`` walks the same pages with the same cursors as ``query``, each item the
        ticket's indexed columns (issue 21: a list served without building tickets)."""
        f = TicketFilter(states=("new", "assigned", "triaged", "in_progress"))
        cursor: str | None = None
        rows: list[TicketRow] = []
        with store() as uow:
            for _ in range(100):
                request = PageRequest(limit=5, cursor=cursor, sort=sort)
                page = uow.tickets.query_rows(f, request)
                full = uow.tickets.query(f, request)
                assert [r.id for r in page.items] == [t.id for t in full.items]
                assert page.next_cursor == full.next_cursor
                assert list(page.items) == [ticket_row(t) for t in full.items]
                rows.extend(page.items)
                cursor = page.next_cursor
                if cursor is None:
                    break
        expected = [t for t in ledger if t.state in f.states]
        assert [r.id for r in rows] == _expected_order(expected, sort)
        assert all(type(r.is_open) is bool and type(r.unresolved) is bool for r in rows)

    def test_keyset_pages_with_a_filter_and_inserts_between_pages(
        self, store: StoreFactory, ledger: list[Ticket]
    ) -> None:
        f = TicketFilter(states=("new", "assigned", "triaged"))
        with store() as uow:
            first = uow.tickets.query(f, PageRequest(limit=5, sort=Sort.RECEIVED_ASC))
        with store() as uow:
            uow.tickets.add(contract_ticket(-5, id="T-early"))  # sorts before the cursor: not seen
            uow.commit()
        seen = [t.id for t in first.items]
        cursor = first.next_cursor
        with store() as uow:
            while cursor is not None:
                page = uow.tickets.query(f, PageRequest(limit=5, cursor=cursor, sort=Sort.RECEIVED_ASC))
                seen.extend(t.id for t in page.items)
                cursor = page.next_cursor
        expected = _expected_order(
            [t for t in ledger if t.state in ("new", "assigned", "triaged")], Sort.RECEIVED_ASC
        )
        assert seen == expected

    def test_cursor_of_another_order_is_refused(self, store: StoreFactory, ledger: list[Ticket]) -> None:
        with store() as uow:
            page = uow.tickets.query(TicketFilter(), PageRequest(limit=3, sort=Sort.RECEIVED_ASC))
            assert page.next_cursor is not None
            with pytest.raises(ValidationError):
                uow.tickets.query(
                    TicketFilter(), PageRequest(limit=3, cursor=page.next_cursor, sort=Sort.DUE)
                )
            with pytest.raises(ValidationError):
                uow.tickets.query(TicketFilter(), PageRequest(limit=3, cursor="!!garbage"))

    def test_counts(self, store: StoreFactory, ledger: list[Ticket]) -> None:
        f = TicketFilter(region="sh")
        chosen = [t for t in ledger if t.region == "sh"]
        readers: dict[CountField, Callable[[Ticket], str | None]] = {
            CountField.STATE: lambda t: t.state,
            CountField.PRIORITY: lambda t: t.priority.value if t.priority else None,
            CountField.CATEGORY: lambda t: t.category.code,
            CountField.DEALER_ID: lambda t: t.dealer_id,
            CountField.REGION: lambda t: t.region,
            CountField.PRODUCT_ID: lambda t: t.product_id,
            CountField.BATCH: lambda t: t.batch,
            CountField.ASSIGNEE_ID: lambda t: t.assignee.id if t.assignee else None,
        }
        with store() as uow:
            assert uow.tickets.count(TicketFilter()) == len(ledger)
            assert uow.tickets.count(f) == len(chosen)
            for field, read in readers.items():
                expected = Counter(read(t) or UNSET for t in chosen)
                assert uow.tickets.count_by(field, f) == dict(expected), field
            unused = next(s for s in TICKET_WORKFLOW.states if all(t.state != s for t in ledger))
            assert uow.tickets.count_by(CountField.STATE, TicketFilter(states=(unused,))) == {}

    # -- append-only saves ---------------------------------------------------------------------

    def test_a_concurrent_writers_events_are_never_overwritten(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.tickets.add(contract_ticket(1, state="assigned"))
            uow.commit()
        first, second = store(), store()
        try:
            mine = first.tickets.get("T-0001")
            first.rollback()  # read, then let the other writer in (SQLite serialises writers)
            theirs = second.tickets.get("T-0001")
            at = theirs.last_event_at + timedelta(minutes=5)
            theirs.note_to_customer(ENGINEER, at, CustomerNote("theirs"))
            second.tickets.save(theirs)
            second.commit()
            mine.note_to_customer(ENGINEER, at + timedelta(minutes=1), CustomerNote("mine"))
            with pytest.raises(ConcurrencyConflict):
                first.tickets.save(mine)
            first.rollback()
        finally:
            first.rollback()
            second.rollback()
        with store() as uow:
            stored = uow.tickets.get("T-0001")
        assert [e.action for e in stored.events] == [e.action for e in theirs.events]
        assert stored.events[-1].payload == theirs.events[-1].payload
        assert len(stored.events) == len(mine.events)  # same length, but theirs were kept, not mine
        assert stored.version == theirs.version

    def test_saves_append_events_and_load_them_in_order(self, store: StoreFactory) -> None:
        ticket = contract_ticket(2, state="assigned")
        with store() as uow:
            uow.tickets.add(ticket)
            uow.commit()
        with store() as uow:
            added = uow.tickets.get(ticket.id).version
        at = ticket.last_event_at
        for n in range(5):
            with store() as uow:
                loaded = uow.tickets.get(ticket.id)
                at += timedelta(minutes=7)
                loaded.note_to_customer(ENGINEER, at, CustomerNote(f"note {n}"))
                uow.tickets.save(loaded)
                uow.commit()
            ticket.note_to_customer(ENGINEER, at, CustomerNote(f"note {n}"))
        with store() as uow:
            stored = uow.tickets.get(ticket.id)
        assert unstructure(stored.events) == unstructure(ticket.events)
        assert stored.version == added + 5

    # -- the SLA sweep's paging ----------------------------------------------------------------

    def test_sweep_announces_every_breach_once_over_three_sweeps(self, store: StoreFactory) -> None:
        announced = _sweep_three_times(store, 20_000)
        assert announced == {"duplicates": 0, "missing": 0, "early": 0, "announced": 0}

    # -- lifecycle ---------------------------------------------------------------------------

    def test_closed_store_refuses_new_units(self, tmp_path: Path) -> None:
        factory = self.make_store(tmp_path)
        factory.close()
        with pytest.raises(StorageError), factory() as uow:
            uow.tickets.get("T-1")

    # -- ticket search and labels (issue 23) -------------------------------------------------------

    @pytest.fixture
    def searchable(self, store: StoreFactory) -> list[SearchDocument]:
        docs = _search_world()
        with store() as uow:
            for ticket, _ in docs:
                uow.tickets.add(ticket)
            uow.search.put_many(doc for _, doc in docs)
            uow.commit()
        return [doc for _, doc in docs]

    def test_search_finds_serial_phone_text_and_number(
        self, store: StoreFactory, searchable: list[SearchDocument]
    ) -> None:
        queries = {
            "SN-77A-0042": ["T-0042"],  # the serial
            "sn-77a-0042": ["T-0042"],
            "13812340007": ["T-0007"],  # a phone stored as "138-1234-0007", typed three ways
            "138 1234 0007": ["T-0007"],
            "+86 138-1234-0007": ["T-0007"],
            "T-0042": ["T-0042"],  # the number, and only its digits
            "0042": ["T-0042"],
        }
        with store() as uow:
            for query, expected in queries.items():
                found = uow.search.search(parse_query(query), TicketFilter(), SearchRequest(limit=50))
                assert list(found.items) == expected, query
            for query in ("漏水", "不出水", "漏水 T-00", "漏", "客户 3", "valve"):
                found = uow.search.search(parse_query(query), TicketFilter(), SearchRequest(limit=50))
                assert list(found.items) == _expected_hits(searchable, query), query
                assert found.items, query

    def test_search_ranks_exact_keys_first_then_newest(
        self, store: StoreFactory, searchable: list[SearchDocument]
    ) -> None:
        # "7" is the short number of T-0007 (an exact key) and a substring of many others.
        with store() as uow:
            found = uow.search.search(parse_query("7"), TicketFilter(), SearchRequest(limit=100))
        expected = _expected_hits(searchable, "7")
        assert list(found.items) == expected
        assert expected[0] == "T-0007"
        assert len(expected) > 3

    def test_search_is_scoped_by_the_filter(
        self, store: StoreFactory, searchable: list[SearchDocument]
    ) -> None:
        with store() as uow:
            for f in (
                TicketFilter(customer_id="C1"),
                TicketFilter(dealer_id="D0"),
                TicketFilter(region="bj"),
            ):
                found = uow.search.search(parse_query("漏水"), f, SearchRequest(limit=100))
                allowed = {t.id for t in uow.tickets.query(f, PageRequest(limit=1000)).items}
                assert set(found.items) <= allowed
                assert found.items
                assert list(found.items) == [i for i in _expected_hits(searchable, "漏水") if i in allowed]
            # Another dealer's ticket is not found even by its serial.
            assert not uow.search.search(
                parse_query("SN-77A-0042"), TicketFilter(customer_id="C1"), SearchRequest()
            ).items

    def test_search_pages_cover_every_hit_once(
        self, store: StoreFactory, searchable: list[SearchDocument]
    ) -> None:
        seen: list[str] = []
        cursor = None
        with store() as uow:
            while True:
                page = uow.search.search(
                    parse_query("7"), TicketFilter(), SearchRequest(limit=4, cursor=cursor)
                )
                seen += page.items
                cursor = page.next_cursor
                if cursor is None:
                    break
            with pytest.raises(ValidationError):
                uow.search.search(parse_query("7"), TicketFilter(), SearchRequest(cursor="!!"))
        assert seen == _expected_hits(searchable, "7")

    def test_search_index_follows_the_ticket_and_rolls_back(self, store: StoreFactory) -> None:
        ticket = contract_ticket(1, description="马桶漏水")
        with store() as uow:
            uow.tickets.add(ticket)
            uow.search.put(search_document(ticket))
            uow.commit()
        ticket.description = "水箱不出水"
        with store() as uow:  # not committed: nothing changes
            uow.search.put(search_document(ticket))
        with store() as uow:
            assert list(uow.search.search(parse_query("漏水"), TicketFilter(), SearchRequest()).items) == [
                "T-0001"
            ]
            uow.search.put(search_document(ticket))
            uow.commit()
        with store() as uow:
            assert not uow.search.search(parse_query("漏水"), TicketFilter(), SearchRequest()).items
            assert list(uow.search.search(parse_query("不出水"), TicketFilter(), SearchRequest()).items) == [
                "T-0001"
            ]
            uow.search.remove("T-0001")
            uow.search.remove("T-unknown")
            uow.commit()
        with store() as uow:
            assert not uow.search.search(parse_query("不出水"), TicketFilter(), SearchRequest()).items

    def test_ledger_filters_on_tags_and_custom_fields(
        self, store: StoreFactory, searchable: list[SearchDocument]
    ) -> None:
        with store() as uow:
            vip = TicketFilter(tags=("VIP",))
            found = [t.id for t in uow.tickets.query(vip, PageRequest(limit=100)).items]
            expected = sorted((d.ticket_id for d in searchable if "tag:vip" in d.labels), reverse=True)
            assert found == expected
            assert found
            assert uow.tickets.count(vip) == len(expected)
            red = TicketFilter(custom_fields={"colour": "red"}, tags=("vip",))
            both = [d.ticket_id for d in searchable if {"tag:vip", "field:colour=red"} <= d.labels]
            assert uow.tickets.count(red) == len(both)
            assert both
            assert uow.tickets.count_by(CountField.STATE, red) == dict(
                Counter(t.state for t in uow.tickets.query(red, PageRequest(limit=100)).items)
            )
            hits = uow.search.search(parse_query("漏水"), red, SearchRequest(limit=100))
            assert set(hits.items) == {i for i in both if i in _expected_hits(searchable, "漏水")}

    def test_an_engineers_tickets_include_those_it_was_added_to(self, store: StoreFactory) -> None:
        # Issue 20: ``worked_by`` is the assignee or a member label; MEMBER counts the members.
        tickets = [contract_ticket(n, state="assigned") for n in range(1, 7)]  # assigned to E0, E1, E2…
        at = T0 + timedelta(days=2)
        tickets[0].step("add_team_member", AGENT, at, payload={"members": ["E9", "E2"]})
        tickets[1].step("add_team_member", AGENT, at, payload={"members": ["E9"]})
        tickets[2].step("add_team_member", AGENT, at, payload={"members": ["E0"]})  # E0 is its assignee
        with store() as uow:
            for ticket in tickets:
                uow.tickets.add(ticket)
                uow.search.put(search_document(ticket))
            uow.commit()
        with store() as uow:
            for who in ("E9", "E2", "E0", "E7"):
                expected = sorted(
                    (t.id for t in tickets if who in (t.assignee.id, *added_members(t.events))),  # type: ignore[union-attr]
                    reverse=True,
                )
                found = [t.id for t in uow.tickets.query(TicketFilter(worked_by=who), PageRequest()).items]
                assert found == expected, who
                assert uow.tickets.count(TicketFilter(worked_by=who, is_open=True)) == len(expected)
            hits = uow.search.search(parse_query("漏水"), TicketFilter(worked_by="E9"), SearchRequest())
            assert sorted(hits.items) == ["T-0001", "T-0002"]
            assert uow.tickets.count_by(CountField.MEMBER, TicketFilter()) == {"E9": 2, "E2": 1}
            assert uow.tickets.count_by(CountField.MEMBER, TicketFilter(region="bj")) == {"E9": 1, "E2": 1}

    def test_stored_text_index_finds_substrings_and_ranks_alike(self, store: StoreFactory) -> None:
        docs = {
            "KB-1": ["转换开关漏水", "紧固转换开关"],
            "KB-2": ["水箱不出水", "清理进水阀 漏水 漏水"],
            "KB-3": ["Seat hinge", "replace the hinge"],
            "KB-4": ["下水堵", "疏通"],
        }
        with store() as uow:
            for doc_id, texts in docs.items():
                uow.texts.put("kb", doc_id, texts)
            uow.texts.put("other", "KB-1", ["漏水"])  # namespaces are apart
            uow.commit()
        with store() as uow:
            assert uow.texts.count("kb") == 4
            assert uow.texts.search("kb", "漏水") == ["KB-2", "KB-1"]  # two occurrences first
            assert uow.texts.search("kb", "不出水") == ["KB-2"]
            assert uow.texts.search("kb", "HINGE") == ["KB-3"]
            assert uow.texts.search("kb", "堵") == ["KB-4"]
            assert uow.texts.search("kb", "开关 漏水") == ["KB-1"]
            assert uow.texts.search("kb", "漏水", limit=1) == ["KB-2"]
            uow.texts.put("kb", "KB-1", ["已修复"])
            uow.texts.remove("kb", "KB-4")
            uow.texts.remove("kb", "KB-unknown")
        with store() as uow:  # rolled back
            assert uow.texts.search("kb", "堵") == ["KB-4"]
            uow.texts.put("kb", "KB-1", ["已修复"])
            uow.texts.remove("kb", "KB-4")
            uow.commit()
        with store() as uow:
            assert uow.texts.search("kb", "漏水") == ["KB-2"]
            assert uow.texts.search("kb", "堵") == []
            assert uow.texts.count("kb") == 3
            assert uow.texts.search("other", "漏水") == ["KB-1"]
            with pytest.raises(ValidationError):
                uow.texts.search("kb", "  ")


def _search_world() -> list[tuple[Ticket, SearchDocument]]:
    """48 tickets with customers (phones in several formats), units with serials, tags and fields."""
    out = []
    texts = ("转换开关漏水", "水箱不出水 valve", "下水堵", "马桶漏水，地面积水", "跳闸 无显示")
    for n in range(1, 49):
        ticket = contract_ticket(n, description=f"{texts[n % len(texts)]} 第{n}号")
        ticket.tags = ("vip",) if n % 3 == 0 else ()
        ticket.custom_fields = {"colour": "red" if n % 2 else "white"}
        phone = f"138-1234-{n:04d}" if n % 2 else f"+86 138 1234 {n:04d}"
        customer = Customer(
            CustomerId(ticket.customer_id), f"客户 {ticket.customer_id[1:]}", Contact("联系人", phone=phone)
        )
        asset = Asset(AssetId(f"A{n}"), ProductId("P1"), f"SN-77A-{n:04d}")
        out.append((ticket, search_document(ticket, customer, asset)))
    return out


def _expected_hits(docs: list[SearchDocument], query: str) -> list[str]:
    """The reference ranking: every term in the text; exact-key matches first, then the newest."""
    parsed = parse_query(query)
    hits = [(d.score(parsed), d.received_us, d.ticket_id) for d in docs if d.matches(parsed)]
    return [h[2] for h in sorted(hits, reverse=True)]
    # -- personal data (issue 25) -------------------------------------------------------------

    def test_outbox_and_idempotency_scrub_a_person_s_strings(self, store: StoreFactory) -> None:
        name, phone = "欧阳娜娜", "139-1234 5678"
        with store() as uow:
            mentioning = attrs.evolve(_message(1), payload={"body": f"{name} 您好，电话 {phone}", "n": 1})
            other = attrs.evolve(_message(2), payload={"body": "李雷 您好"})
            uow.outbox.put([mentioning, other])
            uow.idempotency.put(f"agent:a1:open:{phone}", '{"r": "' + name + '"}')
            uow.idempotency.put("agent:a1:open:k2", '{"r": "x"}')
            uow.commit()
        with store() as uow:
            assert isinstance(uow.outbox, Scrubbable)
            assert isinstance(uow.idempotency, Scrubbable)
            assert uow.outbox.scrub((phone, name)) == 1
            assert uow.idempotency.scrub((phone, name)) == 1
            uow.commit()
        with store() as uow:
            messages = {m.id: m for m in uow.outbox.pending(10)}
            assert messages[mentioning.id].payload == {"body": f"{ERASED} 您好，电话 {ERASED}", "n": 1}
            assert messages[other.id] == other
            assert uow.idempotency.get(f"agent:a1:open:{ERASED}") == '{"r":"' + ERASED + '"}'
            assert uow.idempotency.get(f"agent:a1:open:{phone}") is None
            assert uow.idempotency.get("agent:a1:open:k2") == '{"r": "x"}'

    def test_idempotency_rows_expire_by_mark_and_sweep(self, store: StoreFactory) -> None:
        with store() as uow:
            uow.idempotency.put("k1", "{}")
            uow.commit()
        with store() as uow:
            assert _sweep(uow, now_us=1_000, before_us=0) == 0  # k1 first seen at 1,000
            uow.idempotency.put("k2", "{}")
            uow.commit()
        with store() as uow:
            assert _sweep(uow, now_us=2_000, before_us=500) == 0  # k2 seen at 2,000
            uow.commit()
        with store() as uow:
            assert _sweep(uow, now_us=3_000, before_us=1_500) == 1
            uow.commit()
        with store() as uow:
            assert uow.idempotency.get("k1") is None
            assert uow.idempotency.get("k2") == "{}"

    def test_a_bounded_sweep_drops_the_oldest_first_and_the_next_goes_on(self, store: StoreFactory) -> None:
        # Keys that sort differently by code point and by a language's collation ("B" < "a" < "ä" < "中").
        first, second = ["中", "a", "B"], ["ä", "b"]
        with store() as uow:
            for key in first:
                uow.idempotency.put(key, "{}")
            uow.commit()
        with store() as uow:
            assert _sweep(uow, now_us=1_000, before_us=0, limit=1) == 0  # stamps all three at 1,000
            for key in second:
                uow.idempotency.put(key, "{}")
            uow.commit()
        with store() as uow:
            assert _sweep(uow, now_us=2_000, before_us=500, limit=1) == 0  # the second two at 2,000
            uow.commit()

        def kept() -> list[str]:
            with store() as uow:
                return [k for k in [*first, *second] if uow.idempotency.get(k) is not None]

        with store() as uow:  # all five expired: two go, the oldest first seen, then by key
            assert _sweep(uow, now_us=3_000, before_us=2_500, limit=2) == 2
            uow.commit()
        assert kept() == ["中", "ä", "b"]
        with store() as uow:  # the next pass goes on where it stopped, still bounded
            assert _sweep(uow, now_us=4_000, before_us=2_500, limit=2) == 2
            uow.commit()
        assert kept() == ["b"]
        with store() as uow:
            assert _sweep(uow, now_us=5_000, before_us=2_500, limit=2) == 1
            assert _sweep(uow, now_us=5_000, before_us=2_500, limit=2) == 0
            uow.commit()
        assert kept() == []
