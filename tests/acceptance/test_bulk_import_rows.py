"""The bulk import's fast derivations equal the reference ones (issue 21), and the three stores take the
same input the same way: documents from party words equal ``search_document``'s, ticket and reporting
rows equal ``row_values``/``fact_values``, the FTS words equal ``fts_row``'s, and what an import wrote
is searched, reindexed and reported like tickets written by commands."""

from __future__ import annotations

import contextlib
import sqlite3
import typing
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting_rows import fact_values
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_import import ticket_values
from aftersales.adapters.sqlite_schema import ticket_indexes
from aftersales.adapters.sqlite_search_import import document_of, fts_words, search_rows
from aftersales.adapters.ticket_search_sqlite import fts_row
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.parties import Customer, CustomerTier, Dealer
from aftersales.domain.products import Asset
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, CustomerNote, FaultRecord
from aftersales.errors import DuplicateError, ValidationError
from aftersales.ports.batch_search import CustomerWords, batch_documents, party_words_of
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.ticket_index import row_values
from aftersales.ports.ticket_search import search_document
from aftersales.serialization import decode_json, dumps_utf8, ticket_json_utf8
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import pg_schema_url

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("E1", Role.ENGINEER)
MANAGER = Actor.manager("mgr-1")

CUSTOMERS = {
    "c1": Customer(CustomerId("c1"), "王芳", Contact("王芳", phone="+86 139 1234 5678"), region="SH"),
    "c2": Customer(CustomerId("c2"), "Ｌｉ Ｌｅｉ Co.", Contact("李雷", phone="021-6234 5678"), region="SH"),
    "c3": Customer(CustomerId("c3"), "赵六", Contact("赵六"), region="SH"),
}
DEALERS = {"d1": Dealer(DealerId("d1"), "浦东特约 No.1", "SH", frozenset({"SH"}))}
ASSETS = {"a1": Asset(AssetId("a1"), ProductId("P1"), "SN-2026-０００42")}


def _ticket(n: int) -> Ticket:
    """Ticket ``n``: a different shape for each n mod 8 (notes, faults, tags, fields, team, callbacks)."""
    at = START + timedelta(minutes=n // 3)  # three tickets share each minute
    shape = n % 8
    ticket = Ticket.open(
        id=TicketId(f"IMP-{n:05d}"),
        customer_id=CustomerId("gone" if n % 12 == 11 else ("c1", "c2", "c3")[n % 3]),
        channel=Channel.PHONE,
        category=(Category.REPAIR, Category.INSTALLATION)[n % 2],
        description=f"旧系统工单 {n} 花洒漏水 Leak/阀门",
        received_at=at,
        taken_by=AGENT,
        asset_id=AssetId("a1") if shape in (1, 2) else (AssetId("a9") if shape == 3 else None),
        product_id=ProductId("P1") if shape else None,
        batch="B-07" if shape in (2, 5) else None,
        region="SH" if shape != 4 else None,
        dealer_id=DealerId("d1") if shape not in (0, 6) else (DealerId("d9") if shape == 6 else None),
    )
    if shape == 0:
        return ticket
    ticket.triage(AGENT, at + timedelta(minutes=5), Assessment("leak", Severity.MEDIUM), Priority.EXPEDITED)
    ticket.response_due_at = at + timedelta(hours=2)
    ticket.resolution_due_at = at + timedelta(hours=24)
    ticket.assign(AGENT, at + timedelta(minutes=9), Assignee(AssigneeKind.ENGINEER, "E1", "张工"))
    if shape == 2:
        return ticket
    ticket.step("start_work", ENGINEER, at + timedelta(hours=1))
    if shape == 3:
        ticket.note_to_customer(ENGINEER, at + timedelta(hours=1), CustomerNote("工程师已出发"))
        ticket.retag(AGENT, at + timedelta(hours=1), ("vip", "复检"))
        return ticket
    if shape == 4:
        ticket.set_custom_fields(AGENT, at + timedelta(hours=1), {"楼层": "12F"})
        ticket.step("add_team_member", AGENT, at + timedelta(hours=1), payload={"members": ["E7", "E2"]})
        return ticket
    fault = FaultRecord("leak", "seal", "replace_seal", at + timedelta(hours=2), ENGINEER, part="O-ring")
    ticket.record_fault(ENGINEER, at + timedelta(hours=2), fault)
    ticket.resolve(ENGINEER, at + timedelta(hours=3), summary="fixed")
    if shape == 7:
        ticket.confirm(AGENT, at + timedelta(hours=4), channel="phone")  # staff record the channel
    return ticket


TICKETS = [_ticket(n) for n in range(48)]


def test_documents_from_party_words_equal_search_documents() -> None:
    words = party_words_of(CUSTOMERS, DEALERS, ASSETS)
    made = list(batch_documents(TICKETS, words))
    expected = [
        search_document(
            t,
            CUSTOMERS.get(t.customer_id),
            ASSETS.get(t.asset_id) if t.asset_id else None,
            DEALERS.get(t.dealer_id) if t.dealer_id else None,
        )
        for t in TICKETS
    ]
    assert made == expected
    assert any(d.labels for d in made)
    assert any("13912345678" in d.keys for d in made) and any("sn-2026-00042" in d.keys for d in made)
    # Stored rows give the documents back, and their FTS words are fts_row's.
    for doc, row in zip(made, search_rows(made), strict=True):
        assert document_of(row) == doc
        assert fts_words(row[2], row[3], row[6]) == fts_row(doc.text, doc.identifiers, doc.scope)


def test_fts_words_equal_fts_row_for_unusual_identifiers() -> None:
    rows = search_rows(
        [
            search_document(TICKETS[1], CUSTOMERS["c1"], ASSETS["a1"], DEALERS["d1"]),
            search_document(_ticket(8)),  # no party at all
        ]
    )
    for text, idents in [
        ("", "\x1f\x1f"),
        ("a", "\x1fx y\x1f"),
        ("漏", "\x1f阀门-1\x1fab.c\x1f"),
        ("ab", "\x1f\x1f"),
    ]:
        rows.append((0, "x", text, idents, "", "", "c:c1\x1fd:门店"))
    for row in rows:
        identifiers = tuple(i for i in row[3].split("\x1f") if i)
        scope = tuple(s for s in row[6].split("\x1f") if s)
        assert fts_words(row[2], row[3], row[6]) == fts_row(row[2], identifiers, scope)


def test_ticket_values_equal_the_reference_rows() -> None:
    for ticket in TICKETS:
        row, facts = ticket_values(ticket)
        assert row == (*row_values(ticket), dumps_utf8(ticket), ticket.asset_id or "")  # events inside
        assert facts == fact_values(ticket)
        assert ticket_json_utf8(ticket) == dumps_utf8(ticket)


def test_sqlite_party_words_equal_those_of_the_records(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path}/words.db")
    try:
        with store() as uow:
            for customer in CUSTOMERS.values():
                uow.customers.add(customer)
            uow.dealers.add(DEALERS["d1"])
            uow.assets.add(ASSETS["a1"])
            uow.commit()
        with store() as uow:
            words = uow.party_words(["c1", "c2", "c3", "gone"], ["d1", "d9"], ["a1", "a9"])
        assert words == party_words_of(CUSTOMERS, DEALERS, ASSETS)
        assert words.customers["c3"] == CustomerWords("赵六", "赵六", None, CustomerTier.REGULAR)
    finally:
        store.close()


def test_sqlite_party_words_carry_each_customer_tier(tmp_path: Path) -> None:
    # The import's close check reads the tier from these words (no customer record built per ticket).
    store = SqliteStore(f"sqlite:///{tmp_path}/tiers.db")
    customers = {
        str(c.id): c
        for c in (
            attrs.evolve(CUSTOMERS["c1"], tier=CustomerTier.VIP),
            attrs.evolve(CUSTOMERS["c2"], tier=CustomerTier.IMPORTANT),
            CUSTOMERS["c3"],
        )
    }
    try:
        with store() as uow:
            for customer in customers.values():
                uow.customers.add(customer)
            uow.commit()
        with store() as uow:
            words = uow.party_words(["c1", "c2", "c3"], [], [])
        assert {k: w.tier for k, w in words.customers.items()} == {
            "c1": CustomerTier.VIP,
            "c2": CustomerTier.IMPORTANT,
            "c3": CustomerTier.REGULAR,
        }
        assert words == party_words_of(customers, {}, {})
    finally:
        store.close()


def _parties(desk: ServiceDesk) -> None:
    with desk.store() as uow:
        for customer in CUSTOMERS.values():
            uow.customers.add(customer)
        uow.dealers.add(DEALERS["d1"])
        uow.assets.add(ASSETS["a1"])
        uow.commit()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    with contextlib.ExitStack() as stack:
        if request.param == "memory":
            url = "memory://"
        elif request.param == "sqlite":
            url = f"sqlite:///{tmp_path}/bulk.db"
        else:
            url = stack.enter_context(pg_schema_url())
        d = ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START + timedelta(days=2)))
        stack.callback(d.shutdown)
        _parties(d)
        yield d


def _known(tickets: Iterable[Ticket]) -> list[Ticket]:
    """The tickets whose customer and dealer are registered (the others are refused by the import)."""
    return [t for t in tickets if t.customer_id != "gone" and t.dealer_id != "d9"]


def test_every_store_finds_imported_tickets_by_their_parties_words(desk: ServiceDesk) -> None:
    tickets = _known(TICKETS)
    # Out of receipt order, several in one millisecond: positions are still assigned correctly.
    report = desk.import_tickets(MANAGER, reversed(tickets), batch_size=7)
    assert report.tickets == len(tickets)

    def hits(query: str) -> list[str]:
        return sorted(hit.id for hit in desk.search(MANAGER, query, page=PageRequest(limit=100)).items)

    by_customer = sorted(t.id for t in tickets if t.customer_id == "c1")
    assert hits("王芳") == by_customer
    assert hits("139 1234 5678") == by_customer  # the customer's phone, as digits
    assert hits("li lei") == sorted(t.id for t in tickets if t.customer_id == "c2")  # NFKC, case-folded
    assert hits("sn-2026-00042") == sorted(t.id for t in tickets if t.asset_id == "a1")
    assert hits("浦东特约") == sorted(t.id for t in tickets if t.dealer_id == "d1")
    assert hits("o-ring") == sorted(t.id for t in tickets if t.fault_records)
    assert hits("IMP-00017") == ["IMP-00017"]
    tagged = sorted(t.id for t in tickets if "vip" in t.tags)
    rows = desk.ticket_rows(MANAGER, TicketFilter(tags=("vip",)), PageRequest(limit=100))
    assert tagged and sorted(r.id for r in rows.items) == tagged


def test_an_imported_ticket_is_reindexed_by_a_later_command(desk: ServiceDesk) -> None:
    tickets = _known(TICKETS)
    desk.import_tickets(MANAGER, tickets)
    ticket_id = next(t.id for t in tickets if t.state == "in_progress")
    engineer = Actor.engineer("E1")
    desk.note_to_customer(engineer, ticket_id, text="更换密封圈 ring-77")
    assert [hit.id for hit in desk.search(MANAGER, "ring-77").items] == [ticket_id]
    assert ticket_id in [hit.id for hit in desk.search(MANAGER, "密封圈").items]


def test_the_boundary_types_the_stream_and_refuses_other_items(desk: ServiceDesk) -> None:
    hints = typing.get_type_hints(ServiceDesk.import_tickets)
    assert hints["tickets"] == Iterable[Ticket]
    good = _known(TICKETS)[:3]
    with pytest.raises(ValidationError) as refused:
        desk.import_tickets(MANAGER, [*good, {"id": "IMP-1"}])  # type: ignore[list-item]
    assert refused.value.field == "tickets"
    assert desk.count(MANAGER) == 0  # the bad item was in the first batch: nothing written
    with pytest.raises(ValidationError) as not_iterable:
        desk.import_tickets(MANAGER, "IMP-00001")  # type: ignore[arg-type]
    assert not_iterable.value.field == "tickets"


def test_add_many_takes_any_iterable_the_same_way_on_every_store(desk: ServiceDesk) -> None:
    tickets = TICKETS[:20]
    with desk.store() as uow:
        uow.tickets.add_many(t for t in tickets[:10])  # a generator
        uow.tickets.add_many(tuple(tickets[10:]))
        uow.tickets.add_many(iter(()))
        uow.commit()
    with desk.store() as uow:
        for ticket in tickets:
            # Compared as data: PostgreSQL's jsonb keeps a payload's keys in its own order.
            assert decode_json(dumps_utf8(uow.tickets.get(ticket.id))) == decode_json(dumps_utf8(ticket))
        with pytest.raises(DuplicateError, match="IMP-00003"):
            uow.tickets.add_many(iter([_ticket(100), tickets[3]]))
    with desk.store() as uow:
        assert uow.tickets.count(TicketFilter()) == 20
        page = uow.tickets.query_rows(TicketFilter(), PageRequest(limit=100))
        assert sorted(r.id for r in page.items) == sorted(t.id for t in tickets)


def test_a_large_first_batch_keeps_every_ledger_index(tmp_path: Path) -> None:
    """A batch as large as the table keeps the ledger indexes (the file is live); a failed one leaves
    them as they were."""
    store = SqliteStore(f"sqlite:///{tmp_path}/indexes.db")
    try:
        conn = store.acquire()
        before = ticket_indexes(conn)
        store.release(conn)
        many = [_ticket(n) for n in range(1200)]
        with store() as uow:
            with pytest.raises(DuplicateError):
                uow.tickets.add_many([*many, many[0]])
            uow.tickets.add_many(many[:1100])
            uow.commit()
        with store() as uow:
            with pytest.raises(DuplicateError):
                uow.tickets.add_many([*many[1100:], many[5]])  # taken: none of the batch, indexes kept
            uow.commit()
        conn = store.acquire()
        assert ticket_indexes(conn) == before
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE customer_id = 'c1' ORDER BY received_us"
        ).fetchall()
        assert "tickets_customer" in str(plan)
        assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1100
        assert conn.execute("SELECT count(*) FROM report_tickets").fetchone()[0] == 1100
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.release(conn)
    finally:
        store.close()


def test_a_sqlite_import_writes_fts_words_a_command_can_delete(tmp_path: Path) -> None:
    """The FTS index is contentless: a later rewrite deletes the words the import wrote by recomputing
    them, so they must be exactly fts_row's, or the old words stay beside the new ones."""
    url = f"sqlite:///{tmp_path}/fts.db"
    with ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START + timedelta(days=2))) as d:
        _parties(d)
        d.import_tickets(MANAGER, _known(TICKETS))
        for ticket_id in ("IMP-00003", "IMP-00027"):
            d.note_to_customer(Actor.engineer("E1"), ticket_id, text=f"第二次上门 {ticket_id}")
        with d.store() as uow:
            uow.search.flush()  # the rewrites' deletes and inserts reach the FTS index
            uow.commit()
    conn = sqlite3.connect(f"{tmp_path}/fts.db")
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, ticket_search_fts, 'instance')")
        for ticket_id in ("IMP-00003", "IMP-00027", "IMP-00017"):
            (pos,) = conn.execute(
                "SELECT pos FROM ticket_search WHERE ticket_id = ?", (ticket_id,)
            ).fetchone()
            found = conn.execute(
                "SELECT count(*) FROM temp.words WHERE term = '旧系统' AND doc = ? AND col = 'tri'", (pos,)
            ).fetchone()[0]
            assert found == 1, ticket_id  # once in the text; 2 if the import's words were not deleted
    finally:
        conn.close()
